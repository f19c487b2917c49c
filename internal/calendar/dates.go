package calendar

import (
	"fmt"
	"time"

	"shkola/internal/errs"
)

// DateLayout is how dates are written everywhere: ISO 8601, no time.
const DateLayout = "2006-01-02"

// ParseDate reads an ISO date strictly: "2026-9-1" and "2027-02-30" are refused.
func ParseDate(s string) (time.Time, bool) {
	t, err := time.Parse(DateLayout, s)
	if err != nil || t.Format(DateLayout) != s {
		return time.Time{}, false
	}
	return t, true
}

// checkDate validates a required date field, naming it.
func checkDate(v *errs.Validation, field, s string) bool {
	switch {
	case s == "":
		v.Add(field, "required", "a date (YYYY-MM-DD) is required")
		return false
	case !ValidDate(s):
		v.Add(field, "date", "not a date in the calendar (YYYY-MM-DD)")
		return false
	}
	return true
}

// ValidDate reports whether s is an ISO date of the calendar.
func ValidDate(s string) bool { _, ok := ParseDate(s); return ok }

// DayAfter returns the date following d (a valid ISO date).
func DayAfter(d string) string {
	t, _ := ParseDate(d)
	return t.AddDate(0, 0, 1).Format(DateLayout)
}

// DefaultName is the usual name of a year: "2026/2027", or "2026" for a
// year within one calendar year.
func DefaultName(startsOn, endsOn string) string {
	s, _ := ParseDate(startsOn)
	e, _ := ParseDate(endsOn)
	if s.Year() == e.Year() {
		return fmt.Sprint(s.Year())
	}
	return fmt.Sprintf("%d/%d", s.Year(), e.Year())
}

// span is an inclusive date range.
type span struct{ from, to time.Time }

func d(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }

// standard reports whether a year looks like the usual school year of RU
// and UA schools (starting around 1 September, ending in May to July), for
// which the usual period boundaries and holidays apply.
func standard(start, end time.Time) bool {
	y := start.Year()
	return !start.Before(d(y, 8, 15)) && !start.After(d(y, 9, 15)) && !end.Before(d(y+1, 5, 1)) && !end.After(d(y+1, 7, 31))
}

// defaultSpans divides a year into the periods of kind. A standard year
// gets the usual boundaries (quarters separated by the autumn, winter and
// spring holidays); any other year is cut into equal consecutive parts.
func defaultSpans(kind string, start, end time.Time) []span {
	y := start.Year()
	if standard(start, end) {
		switch kind {
		case Quarter:
			return []span{{start, d(y, 10, 25)}, {d(y, 11, 4), d(y, 12, 28)}, {d(y+1, 1, 9), d(y+1, 3, 22)}, {d(y+1, 4, 1), end}}
		case Trimester:
			return []span{{start, d(y, 11, 30)}, {d(y, 12, 1), d(y+1, 3, 0)}, {d(y+1, 3, 1), end}}
		case Semester:
			return []span{{start, d(y, 12, 28)}, {d(y+1, 1, 9), end}}
		}
	}
	n := map[string]int{Quarter: 4, Trimester: 3, Semester: 2}[kind]
	days := int(end.Sub(start).Hours()/24) + 1
	out := make([]span, n)
	from := start
	for i := range n {
		to := start.AddDate(0, 0, days*(i+1)/n-1)
		out[i] = span{from, to}
		from = to.AddDate(0, 0, 1)
	}
	return out
}

// defaultHolidays are the usual autumn, winter and spring holidays of a
// standard year; other years get none.
func defaultHolidays(start, end time.Time) []span {
	if !standard(start, end) {
		return nil
	}
	y := start.Year()
	return []span{{d(y, 10, 26), d(y, 11, 3)}, {d(y, 12, 29), d(y+1, 1, 8)}, {d(y+1, 3, 23), d(y+1, 3, 31)}}
}

// periodName is the usual name of the n-th period in the organisation's language.
func periodName(kind, country string, n int) string {
	ua := country == "UA"
	switch kind {
	case Quarter:
		if ua {
			return fmt.Sprintf("%d чверть", n)
		}
		return fmt.Sprintf("%d четверть", n)
	case Trimester:
		return fmt.Sprintf("%d триместр", n)
	}
	if ua {
		return fmt.Sprintf("%d семестр", n)
	}
	return fmt.Sprintf("%d полугодие", n)
}

func holidayNames(country string) []string {
	if country == "UA" {
		return []string{"Осінні канікули", "Зимові канікули", "Весняні канікули"}
	}
	return []string{"Осенние каникулы", "Зимние каникулы", "Весенние каникулы"}
}

// DefaultPeriods returns the periods a new year of kind gets.
func DefaultPeriods(kind, country, startsOn, endsOn string) []NewPeriod {
	s, ok1 := ParseDate(startsOn)
	e, ok2 := ParseDate(endsOn)
	if !ok1 || !ok2 || !oneOf(kind, PeriodKinds()) || !e.After(s) {
		return nil
	}
	var out []NewPeriod
	for i, sp := range defaultSpans(kind, s, e) {
		out = append(out, NewPeriod{Name: periodName(kind, country, i+1), StartsOn: sp.from.Format(DateLayout), EndsOn: sp.to.Format(DateLayout)})
	}
	return out
}

// DefaultHolidays returns the holidays a new year gets.
func DefaultHolidays(country, startsOn, endsOn string) []NewHoliday {
	s, ok1 := ParseDate(startsOn)
	e, ok2 := ParseDate(endsOn)
	if !ok1 || !ok2 {
		return nil
	}
	names := holidayNames(country)
	var out []NewHoliday
	for i, sp := range defaultHolidays(s, e) {
		out = append(out, NewHoliday{Name: names[i], StartsOn: sp.from.Format(DateLayout), EndsOn: sp.to.Format(DateLayout)})
	}
	return out
}
