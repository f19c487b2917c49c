package calendar

import (
	"testing"
	"time"
)

// FuzzParseDate: every date field of a form, an import or a query goes
// through ParseDate. An accepted date is exactly its own ISO form and the
// day after it is a later valid date.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-09-01", "2027-02-30", "2026-9-1", "2024-02-29", "0000-01-01", "9999-12-31", "2026-09-01T00:00:00Z", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := ParseDate(s)
		if !ok {
			if !d.IsZero() {
				t.Fatalf("%q refused but gave %v", s, d)
			}
			return
		}
		if d.Format(DateLayout) != s || d.Location() != time.UTC || d.Hour()+d.Minute()+d.Second()+d.Nanosecond() != 0 {
			t.Fatalf("%q read as %v", s, d)
		}
		if next := DayAfter(s); s < "9999-12-31" && (!ValidDate(next) || next <= s) {
			t.Fatalf("day after %q is %q", s, next)
		}
	})
}
