package staff

import (
	"encoding/json"
	"testing"
)

// FuzzParseRate: a post's rate as typed in a form or sent as JSON. An
// accepted rate is canonical (it reads back as itself) and within bounds,
// and is written to JSON as a number.
func FuzzParseRate(f *testing.F) {
	for _, s := range []string{"0.5", "0,25", "1", "2", "2.05", "0.1", "0.05", "1.", ".5", "01.50", " 1 ", "-1", "1e0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, rule := ParseRate(s)
		if rule != "" {
			if r != "" {
				t.Fatalf("%q refused (%s) but gave %q", s, rule, r)
			}
			return
		}
		h, ok := hundredths(string(r))
		if !ok || h < minRate || h > maxRate || h%rateStep != 0 {
			t.Fatalf("%q accepted as %q", s, r)
		}
		if again, rule := ParseRate(string(r)); rule != "" || again != r {
			t.Fatalf("%q: canonical %q reads back as %q %s", s, r, again, rule)
		}
		b, err := json.Marshal(r)
		var n float64
		if err != nil || json.Unmarshal(b, &n) != nil {
			t.Fatalf("%q: JSON %s %v", r, b, err)
		}
	})
}

// FuzzParseCursor: the staff list's cursor comes back in the query
// string. An accepted cursor names a positive id and reads back the same.
func FuzzParseCursor(f *testing.F) {
	f.Add(Cursor{Last: "Иванова", First: "Мария", ID: 7}.String())
	f.Add("eyJpIjowfQ")
	f.Add("%%%")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCursor(s)
		if err != nil {
			return
		}
		if c.ID <= 0 {
			t.Fatalf("%q accepted with id %d", s, c.ID)
		}
		again, err := ParseCursor(c.String())
		if err != nil || *again != *c {
			t.Fatalf("%q: %+v reads back as %+v %v", s, c, again, err)
		}
	})
}
