package natid

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"
)

type check func(string) (string, error)

// Values published by the organisations themselves (Sberbank, PrivatBank,
// Oschadbank…) or computed by hand from the rule, with the normalised form.
func TestValidExamples(t *testing.T) {
	cases := []struct {
		name string
		fn   check
		in   string
		want string
	}{
		{"INN legal (Sberbank)", INN, "7707083893", "7707083893"},
		{"INN legal with spaces", INN, " 7830002293 ", "7830002293"},
		{"INN individual", INN, "500100732259", "500100732259"},
		{"OGRN (Sberbank)", OGRN, "1027700132195", "1027700132195"},
		{"OGRNIP", OGRNIP, "304500116000157", "304500116000157"},
		{"SNILS printed", SNILS, "112-233-445 95", "11223344595"},
		{"SNILS plain", SNILS, "08765430300", "08765430300"},
		{"SNILS below the checked range, any control", SNILS, "001-001-998 77", "00100199877"},
		{"EDRPOU 1..7 weights (PrivatBank)", EDRPOU, "14360570", "14360570"},
		{"EDRPOU 1..7 weights (Oschadbank)", EDRPOU, "00032129", "00032129"},
		{"EDRPOU 7,1..6 weights", EDRPOU, "32855961", "32855961"},
		{"EDRPOU 7,1..6 weights (2)", EDRPOU, "37027819", "37027819"},
		// 2 x weight 5 = 10 -> second pass 2 x 7 = 14 mod 11 = 3
		{"EDRPOU second pass", EDRPOU, "00002003", "00002003"},
		{"RNOKPP", RNOKPP, "3184710691", "3184710691"},
		// 1 9 8 4 0 3 1 8 0 0 1 1 x 7 3 1 ... = 108 -> check 8
		{"UNZR printed", UNZR, "19840318-00118", "19840318-00118"},
		{"UNZR plain", UNZR, "1984031800118", "19840318-00118"},
	}
	for _, c := range cases {
		got, err := c.fn(c.in)
		if err != nil || got != c.want {
			t.Errorf("%s: %q -> %q, %v; want %q", c.name, c.in, got, err, c.want)
		}
	}
}

func TestInvalidExamplesNameTheRule(t *testing.T) {
	cases := []struct {
		name string
		fn   check
		in   string
		rule string
	}{
		{"INN one digit changed", INN, "7707083894", RuleChecksum},
		{"INN 12 second check wrong", INN, "500100732258", RuleChecksum},
		{"INN 11 digits", INN, "77070838931", RuleLength},
		{"INN letters", INN, "770708389O", RuleDigits},
		{"INN empty", INN, "", RuleLength},
		{"legal INN given a person's", LegalINN, "500100732259", RuleLength},
		{"OGRN changed", OGRN, "1027700132196", RuleChecksum},
		{"OGRN short", OGRN, "102770013219", RuleLength},
		{"OGRNIP changed", OGRNIP, "304500116000158", RuleChecksum},
		{"SNILS changed", SNILS, "112-233-445 96", RuleChecksum},
		{"SNILS swapped digits", SNILS, "121-233-445 95", RuleChecksum},
		{"SNILS with a dot", SNILS, "112.233.445 95", RuleDigits},
		{"SNILS 10 digits", SNILS, "1122334459", RuleLength},
		{"EDRPOU changed", EDRPOU, "14360571", RuleChecksum},
		{"EDRPOU 9 digits", EDRPOU, "143605701", RuleLength},
		{"EDRPOU first-pass digit where second pass applies", EDRPOU, "00002000", RuleChecksum},
		{"RNOKPP changed", RNOKPP, "3184710692", RuleChecksum},
		{"UNZR changed", UNZR, "19840318-00119", RuleChecksum},
		{"UNZR impossible date", UNZR, "19841318-00113", RuleDate},
		{"UNZR 12 digits", UNZR, "19840318-0011", RuleLength},
	}
	for _, c := range cases {
		got, err := c.fn(c.in)
		var ne *Error
		if !errors.As(err, &ne) || ne.Rule != c.rule {
			t.Errorf("%s: %q -> %q, %v; want rule %s", c.name, c.in, got, err, c.rule)
		}
	}
}

// Every generated value passes its validator and keeps its prefix and the
// data it encodes.
func TestGeneratedValuesAreValid(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	born := time.Date(2012, 5, 17, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 2000; i++ {
		mustValid(t, INN, GenLegalINN(r, "4027"))
		mustValid(t, INN, GenPersonINN(r, ""))
		mustValid(t, OGRN, GenOGRN(r, ""))
		mustValid(t, OGRNIP, GenOGRNIP(r, ""))
		mustValid(t, SNILS, GenSNILS(r))
		mustValid(t, EDRPOU, GenEDRPOU(r, ""))
		male := i%2 == 0
		code := GenRNOKPP(r, born, male)
		mustValid(t, RNOKPP, code)
		gotBorn, gotMale, err := RNOKPPBirthDate(code)
		if err != nil || !gotBorn.Equal(born) || gotMale != male {
			t.Fatalf("RNOKPP %s decodes to %v male=%v, want %v male=%v", code, gotBorn, gotMale, born, male)
		}
		u := GenUNZR(r, born)
		if v := mustValid(t, UNZR, u); v[:8] != "20120517" {
			t.Fatalf("UNZR %s does not start with the birth date", v)
		}
	}
	if v := GenLegalINN(r, "4027"); v[:4] != "4027" {
		t.Fatalf("prefix lost: %s", v)
	}
}

// A single changed digit must be caught by every check-digit rule (the
// exemptions aside); this is what the rules are for.
func TestSingleDigitErrorsAreCaught(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	gens := map[string]struct {
		gen func() string
		fn  check
	}{
		"INN10":  {func() string { return GenLegalINN(r, "") }, INN},
		"INN12":  {func() string { return GenPersonINN(r, "") }, INN},
		"OGRN":   {func() string { return GenOGRN(r, "") }, OGRN},
		"OGRNIP": {func() string { return GenOGRNIP(r, "") }, OGRNIP},
		"SNILS":  {func() string { return GenSNILS(r) }, SNILS},
	}
	for name, g := range gens {
		for i := 0; i < 200; i++ {
			v := g.gen()
			pos := len(v) - 1 // the check digit itself
			b := []byte(v)
			b[pos] = '0' + (b[pos]-'0'+1)%10
			if _, err := g.fn(string(b)); err == nil {
				t.Fatalf("%s: %s with its check digit changed to %s was accepted", name, v, b)
			}
		}
	}
}

func TestFormatSNILS(t *testing.T) {
	if got := FormatSNILS("11223344595"); got != "112-233-445 95" {
		t.Fatal(got)
	}
}

func mustValid(t *testing.T, fn check, v string) string {
	t.Helper()
	got, err := fn(v)
	if err != nil {
		t.Fatalf("generated %q is invalid: %v", v, err)
	}
	return got
}
