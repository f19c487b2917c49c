// Package natid validates the national identifiers Shkola stores — RU INN,
// OGRN, OGRNIP, SNILS; UA EDRPOU, RNOKPP, UNZR — by their length and check
// digits, and generates valid ones for the demo region and tests. Validators
// return the normalised value (digits only, or the official printed form for
// UNZR) or an *Error naming the broken rule.
package natid

import (
	"fmt"
	"strings"
)

// Rules an identifier can break; they become errs.FieldError.Rule.
const (
	RuleLength   = "length"
	RuleDigits   = "digits"
	RuleChecksum = "checksum"
	RuleDate     = "date"
)

// Error says which rule of which identifier a value broke.
type Error struct {
	Kind string // "INN", "SNILS", ...
	Rule string // RuleLength, RuleDigits, RuleChecksum, RuleDate
	Msg  string
}

func (e *Error) Error() string { return e.Kind + ": " + e.Msg }

func fail(kind, rule, format string, args ...any) *Error {
	return &Error{Kind: kind, Rule: rule, Msg: fmt.Sprintf(format, args...)}
}

// digitsOf strips surrounding space and the separators people type inside
// identifiers (space, hyphen), then requires exactly n ASCII digits.
func digitsOf(kind, s string, n ...int) ([]int, string, error) {
	s = strings.TrimSpace(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == ' ' || r == '-' || r == '\u00a0':
			continue
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			return nil, "", fail(kind, RuleDigits, "must contain digits only")
		}
	}
	clean := b.String()
	ok := false
	for _, want := range n {
		if len(clean) == want {
			ok = true
		}
	}
	if !ok {
		return nil, "", fail(kind, RuleLength, "must have %s digits, not %d", lengths(n), len(clean))
	}
	d := make([]int, len(clean))
	for i := range clean {
		d[i] = int(clean[i] - '0')
	}
	return d, clean, nil
}

func lengths(n []int) string {
	parts := make([]string, len(n))
	for i, v := range n {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, " or ")
}

// weighted is the sum of d[i]*w[i] over len(w) digits.
func weighted(d []int, w []int) int {
	s := 0
	for i, k := range w {
		s += d[i] * k
	}
	return s
}

func str(d []int) string {
	b := make([]byte, len(d))
	for i, v := range d {
		b[i] = byte('0' + v) // #nosec G115 -- v is one decimal digit: the generators fill d with digits and mod-10 check digits
	}
	return string(b)
}
