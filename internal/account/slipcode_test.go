package account

import (
	"regexp"
	"testing"
)

func TestSlipCodes(t *testing.T) {
	code := slipCode()
	if !regexp.MustCompile(`^([0-9a-hjkmnp-tv-z]{4}-){4}[0-9a-hjkmnp-tv-z]{4}$`).MatchString(code) {
		t.Fatalf("slip code %q", code)
	}
	if slipCode() == code {
		t.Fatal("two slip codes alike")
	}
	for typed, want := range map[string]string{
		"ABCD-EFGH-JKMN-PQRS-TVWX":   "abcd-efgh-jkmn-pqrs-tvwx",
		" abcd efgh jkmn pqrs tvwx ": "abcd-efgh-jkmn-pqrs-tvwx",
		"abcdefghjkmnpqrstvwx":       "abcd-efgh-jkmn-pqrs-tvwx",
		"OIL0-efgh-jkmn-pqrs-tvwx":   "0110-efgh-jkmn-pqrs-tvwx",
		// An administrator's 22-character code is looked up as it is.
		"Ab-cdefghjkmnpqrstvwx0":   "Ab-cdefghjkmnpqrstvwx0",
		"ab-cdefghjkmnpqrstvwx0":   "ab-cdefghjkmnpqrstvwx0",
		"abcd-efgh-jkmn-pqrs-tvwu": "abcd-efgh-jkmn-pqrs-tvwu",
	} {
		if got := CanonicalCode(typed); got != want {
			t.Errorf("%q: %q, want %q", typed, got, want)
		}
	}
}
