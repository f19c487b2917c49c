package portfolio

import (
	"errors"
	"testing"
	"time"
)

// The rule comes from configuration: whatever the text, the parser must
// neither panic nor accept it without being able to evaluate and describe
// it, and a refusal must say where.
func FuzzParseRule(f *testing.F) {
	f.Add(DefaultRule)
	f.Add("kind = olympiad OR (subject = math AND NOT result = participant)")
	f.Add("within 18 months and level >= national")
	f.Add("((((")
	f.Add("level >== regional")
	f.Add("результат >= призёр")
	f.Fuzz(func(t *testing.T, text string) {
		r, err := ParseRule(text)
		if err != nil {
			var re *RuleError
			if !errors.As(err, &re) || re.Col < 1 || re.Msg == "" {
				t.Fatalf("%q: refusal without a column and a message: %v", text, err)
			}
			if r != nil {
				t.Fatal("a rule returned beside an error")
			}
			return
		}
		if r.Text() == "" || len(r.Text()) > maxRuleLen {
			t.Fatalf("accepted %q", r.Text())
		}
		now := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
		r.Matches(Facts{Kind: "olympiad", Level: "regional", Result: "winner", On: now}, now)
		r.Matches(Facts{}, now)
		if r.Describe(plainWords{}) == "" {
			t.Fatalf("%q describes as nothing", text)
		}
		// What was accepted parses again to the same rule.
		again, err := ParseRule(r.Text())
		if err != nil || again.Text() != r.Text() {
			t.Fatalf("%q does not parse again: %v", r.Text(), err)
		}
	})
}
