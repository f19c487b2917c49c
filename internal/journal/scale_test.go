package journal

import "testing"

// The scales as the issue names them: RU 2..5 with + and − counted a
// quarter either way (never past the ends), UA 1..12, pass/fail, percent.
func TestScaleRules(t *testing.T) {
	ru, _ := BuiltinScale("ru5")
	ua, _ := BuiltinScale("ua12")
	pf, _ := BuiltinScale("pass_fail")
	pc, _ := BuiltinScale("percent")
	for _, c := range []struct {
		sc         Scale
		in, value  string
		score      float64
		ok, scored bool
	}{
		{ru, "4-", "4-", 3.75, true, true}, {ru, " 4+ ", "4+", 4.25, true, true}, {ru, "5+", "5+", 5, true, true},
		{ru, "2−", "2-", 2, true, true}, {ru, "3", "3", 3, true, true}, {ru, "1", "", 0, false, false}, {ru, "6", "", 0, false, false},
		{ru, "отл", "", 0, false, false}, {ua, "12", "12", 12, true, true}, {ua, "11+", "", 0, false, false}, {ua, "0", "", 0, false, false},
		{pf, "зачёт", Pass, 0, true, false}, {pf, "fail", Fail, 0, true, false}, {pf, "5", "", 0, false, false},
		{pc, "87", "87", 87, true, true}, {pc, "101", "", 0, false, false},
	} {
		v, s, err := c.sc.Parse(c.in)
		if (err == nil) != c.ok || v != c.value || (s != nil) != c.scored || (s != nil && *s != c.score) {
			t.Errorf("%s %q: %q %v %v", c.sc.Code, c.in, v, s, err)
		}
	}
	f := func(x float64) *float64 { return &x }
	if ru.Round(3.5) != 4 || ru.Round(3.49) != 3 || ua.Round(10.5) != 11 {
		t.Error("rounding is half up")
	}
	if !ru.Warn(f(2), f(3.6)) || ru.Warn(f(3), f(3.6)) || ru.Warn(f(5), f(3.6)) || ru.Warn(f(4), f(3.4)) {
		t.Error("warning when more than one step from the rounded average")
	}
	if pc.Warn(f(80), f(83)) || !pc.Warn(f(70), f(83)) {
		t.Error("the percent scale's step is 5")
	}
	if pf.Warn(nil, f(4)) || ru.Warn(f(4), nil) {
		t.Error("no warning without both numbers")
	}
}
