package natid

import (
	"math/rand/v2"
	"strconv"
	"time"
)

// Generators make valid identifiers from a seeded generator, for the demo
// region and for tests. A prefix fixes the leading digits (a region code,
// say); non-digits in it are ignored.

func fill(r *rand.Rand, prefix string, n int) []int {
	d := make([]int, 0, n)
	for _, c := range prefix {
		if c >= '0' && c <= '9' && len(d) < n {
			d = append(d, int(c-'0'))
		}
	}
	for len(d) < n {
		d = append(d, r.IntN(10))
	}
	return d
}

// GenLegalINN returns a valid 10-digit INN of an organisation.
func GenLegalINN(r *rand.Rand, prefix string) string {
	d := fill(r, prefix, 10)
	d[9] = weighted(d, inn10w) % 11 % 10
	return str(d)
}

// GenPersonINN returns a valid 12-digit INN of an individual.
func GenPersonINN(r *rand.Rand, prefix string) string {
	d := fill(r, prefix, 12)
	d[10] = weighted(d, inn12w1) % 11 % 10
	d[11] = weighted(d, inn12w2) % 11 % 10
	return str(d)
}

// GenOGRN returns a valid 13-digit OGRN. Without a prefix it starts with 1
// (a legal entity) and a plausible two-digit registration year.
func GenOGRN(r *rand.Rand, prefix string) string {
	if prefix == "" {
		prefix = "1" + strconv.Itoa(10+r.IntN(15))
	}
	d := fill(r, prefix, 13)
	d[12] = mod(d[:12], 11) % 10
	return str(d)
}

// GenOGRNIP returns a valid 15-digit OGRNIP starting with 3.
func GenOGRNIP(r *rand.Rand, prefix string) string {
	if prefix == "" {
		prefix = "3"
	}
	d := fill(r, prefix, 15)
	d[14] = mod(d[:14], 13) % 10
	return str(d)
}

// GenSNILS returns a valid 11-digit SNILS above the unchecked range.
func GenSNILS(r *rand.Rand) string {
	for {
		d := fill(r, "", 11)
		n, _ := strconv.Atoi(str(d[:9]))
		if n <= snilsUnchecked {
			continue
		}
		c := snilsCheck(d)
		d[9], d[10] = c/10, c%10
		return str(d)
	}
}

// GenEDRPOU returns a valid 8-digit EDRPOU code.
func GenEDRPOU(r *rand.Rand, prefix string) string {
	d := fill(r, prefix, 8)
	d[7] = 0
	d[7] = edrpouCheck(d)
	return str(d)
}

// GenRNOKPP returns a valid RNOKPP for a person born on born; male sets the
// parity of the ninth digit.
func GenRNOKPP(r *rand.Rand, born time.Time, male bool) string {
	days := int(born.Sub(time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC)).Hours() / 24)
	if days < 1 || days > 99999 {
		days = 1 + r.IntN(99999)
	}
	d := fill(r, pad5(days), 10)
	if (d[8]%2 == 1) != male {
		d[8] = (d[8] + 1) % 10
	}
	d[9] = rnokppCheck(d)
	return str(d)
}

func pad5(n int) string {
	s := strconv.Itoa(n)
	for len(s) < 5 {
		s = "0" + s
	}
	return s
}

// GenUNZR returns a valid UNZR "YYYYMMDD-NNNNC" for a person born on born.
func GenUNZR(r *rand.Rand, born time.Time) string {
	d := fill(r, formatDate(born), 13)
	d[12] = unzrCheck(d)
	s := str(d)
	return s[:8] + "-" + s[8:]
}
