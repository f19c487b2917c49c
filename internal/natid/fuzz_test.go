package natid

import (
	"errors"
	"testing"
)

// Each parser must never panic, must fail only with an *Error naming a known
// rule, and must be idempotent: its output, validated again, is itself.
func fuzzParser(f *testing.F, fn check, seeds ...string) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := fn(s)
		if err != nil {
			var ne *Error
			if !errors.As(err, &ne) {
				t.Fatalf("%q: error %v is not *natid.Error", s, err)
			}
			switch ne.Rule {
			case RuleLength, RuleDigits, RuleChecksum, RuleDate:
			default:
				t.Fatalf("%q: unknown rule %q", s, ne.Rule)
			}
			return
		}
		again, err := fn(v)
		if err != nil || again != v {
			t.Fatalf("%q -> %q -> %q, %v: not idempotent", s, v, again, err)
		}
	})
}

func FuzzINN(f *testing.F)    { fuzzParser(f, INN, "7707083893", "500100732259", "12-34") }
func FuzzOGRN(f *testing.F)   { fuzzParser(f, OGRN, "1027700132195", "") }
func FuzzOGRNIP(f *testing.F) { fuzzParser(f, OGRNIP, "304500116000157") }
func FuzzSNILS(f *testing.F)  { fuzzParser(f, SNILS, "112-233-445 95", "001-001-998 00") }
func FuzzEDRPOU(f *testing.F) { fuzzParser(f, EDRPOU, "14360570", "37027819") }
func FuzzRNOKPP(f *testing.F) { fuzzParser(f, RNOKPP, "3184710691") }
func FuzzUNZR(f *testing.F)   { fuzzParser(f, UNZR, "19840318-00118", "20240229-00000") }
