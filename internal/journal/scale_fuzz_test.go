package journal

import (
	"testing"
	"unicode/utf8"
)

// FuzzScaleParse feeds what a teacher types into a cell to every shipped
// scale: it never panics, an accepted mark is short canonical text that
// reads back as itself with the same score, and a score stays within the
// scale's ends.
func FuzzScaleParse(f *testing.F) {
	for _, s := range []string{"4-", " 4+ ", "5+", "2−", "12", "зачёт", "н/з", "101", "+4", "4 +", "", "-0", "٤"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for _, code := range []string{"ru5", "ua12", "pass_fail", "percent"} {
			sc, _ := BuiltinScale(code)
			value, score, err := sc.Parse(in)
			if err != nil {
				if value != "" || score != nil {
					t.Fatalf("%s %q: refused but gave %q %v", code, in, value, score)
				}
				continue
			}
			if value == "" || len(value) > 4 || !utf8.ValidString(value) {
				t.Fatalf("%s %q: value %q", code, in, value)
			}
			switch {
			case sc.Kind == PassFail && (score != nil || (value != Pass && value != Fail)):
				t.Fatalf("%s %q: %q %v", code, in, value, score)
			case sc.Kind == Numeric && (score == nil || *score < float64(sc.Min) || *score > float64(sc.Max)):
				t.Fatalf("%s %q: score %v outside %d..%d", code, in, score, sc.Min, sc.Max)
			}
			again, score2, err := sc.Parse(value)
			if err != nil || again != value || (score == nil) != (score2 == nil) || (score != nil && *score != *score2) {
				t.Fatalf("%s %q: canonical %q reads back as %q %v %v", code, in, value, again, score2, err)
			}
		}
	})
}
