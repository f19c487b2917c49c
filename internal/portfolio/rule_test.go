package portfolio

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		panic(err)
	}
	return t
}

// The default rule: a prize at regional level or above in the last two years.
func TestDefaultRuleMatches(t *testing.T) {
	r := MustParseRule(DefaultRule)
	now := day("2026-11-30")
	for _, c := range []struct {
		f    Facts
		want bool
	}{
		{Facts{Kind: "olympiad", Level: "regional", Result: "prize_winner", On: day("2026-03-01")}, true},
		{Facts{Kind: "olympiad", Level: "international", Result: "winner", On: day("2024-11-30")}, true},
		{Facts{Kind: "olympiad", Level: "international", Result: "winner", On: day("2024-11-29")}, false}, // too old
		{Facts{Kind: "contest", Level: "municipal", Result: "winner", On: day("2026-03-01")}, false},      // level too low
		{Facts{Kind: "contest", Level: "national", Result: "participant", On: day("2026-03-01")}, false},  // no prize
		{Facts{Kind: "contest", Level: "interregional", Result: "winner", On: day("2026-03-01")}, false},  // unknown level never ranks
	} {
		if got := r.Matches(c.f, now); got != c.want {
			t.Errorf("%+v: got %v, want %v", c.f, got, c.want)
		}
	}
	if !r.HasWindow() {
		t.Error("the default rule has a time window")
	}
}

func TestRuleLanguage(t *testing.T) {
	now := day("2026-11-30")
	f := Facts{Kind: "olympiad", Subject: "math", Level: "municipal", Result: "winner", On: day("2026-10-01")}
	for rule, want := range map[string]bool{
		"kind = olympiad":                                           true,
		"kind != olympiad":                                          false,
		"KIND == OLYMPIAD and subject = math":                       true,
		"level > school AND level < regional":                       true,
		"level >= regional OR (result = winner AND subject = math)": true,
		"NOT result = winner":                                       false,
		"not (level >= regional) and within 3 months":               true,
		"within 1 month":                                            false,
		"result <= prize_winner":                                    false,
	} {
		r, err := ParseRule(rule)
		if err != nil {
			t.Errorf("%q: %v", rule, err)
			continue
		}
		if got := r.Matches(f, now); got != want {
			t.Errorf("%q: got %v, want %v", rule, got, want)
		}
	}
	if MustParseRule("kind = olympiad").HasWindow() {
		t.Error("a rule without within has no window")
	}
}

// A bad rule is refused with the column and a message naming the problem,
// so the server can refuse to start with it.
func TestRuleErrors(t *testing.T) {
	for _, c := range []struct {
		rule, msg string
		col       int
	}{
		{"", "empty", 1},
		{"levle >= regional", `unknown field "levle"`, 1},
		{"level >= regionl", `"regionl" is not a level`, 10},
		{"kind > olympiad", "kind has no order", 6},
		{"result >= prize_winner AND", "expected a condition", 27},
		{"result >= prize_winner level >= regional", `unexpected "level"`, 24},
		{"(level >= regional", `expected ")"`, 19},
		{"within 0 years", "from 1 to 50", 8},
		{"within 2 weeks", "expected years or months", 10},
		{"within two years", "expected a number", 8},
		{"level ! regional", `"!" must be followed by "="`, 7},
		{"level >= regional; drop", "unexpected character", 18},
		{"result prize_winner", "expected a comparison", 8},
		{"2years", "neither a number nor a word", 1},
		{strings.Repeat("(", 20) + "kind = other" + strings.Repeat(")", 20), "nests deeper", 18},
		{strings.Repeat("kind = other OR ", 40) + "kind = other", "longer than 500", 1},
	} {
		_, err := ParseRule(c.rule)
		var re *RuleError
		if !errors.As(err, &re) {
			t.Errorf("%q: want a RuleError, got %v", c.rule, err)
			continue
		}
		if !strings.Contains(re.Msg, c.msg) || re.Col != c.col {
			t.Errorf("%q: got column %d %q, want column %d containing %q", c.rule, re.Col, re.Msg, c.col, c.msg)
		}
	}
}

type plainWords struct{}

func (plainWords) Compare(field, op, value string) string { return field + op + value }
func (plainWords) Within(n int, unit string) string {
	return "last " + string(rune('0'+n)) + " " + unit
}
func (plainWords) Join(conj string, parts []string) string {
	return strings.Join(parts, " "+conj+" ")
}
func (plainWords) Not(s string) string { return "not " + s }

func TestRuleDescribe(t *testing.T) {
	got := MustParseRule("level >= regional and (result = winner or not kind = other) and within 2 years").Describe(plainWords{})
	want := "level>=regional and (result=winner or not kind=other) and last 2 years"
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
