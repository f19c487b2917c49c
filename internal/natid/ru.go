package natid

// Russian identifiers. The check-digit rules are those of the Federal Tax
// Service (INN, OGRN, OGRNIP) and the Pension/Social Fund (SNILS).

var (
	inn10w  = []int{2, 4, 10, 3, 5, 9, 4, 6, 8}
	inn12w1 = []int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
	inn12w2 = []int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
)

// INN validates a taxpayer number: 10 digits for an organisation, 12 for an
// individual.
func INN(s string) (string, error) {
	d, clean, err := digitsOf("INN", s, 10, 12)
	if err != nil {
		return "", err
	}
	if len(d) == 10 {
		if weighted(d, inn10w)%11%10 != d[9] {
			return "", fail("INN", RuleChecksum, "check digit does not match")
		}
		return clean, nil
	}
	if weighted(d, inn12w1)%11%10 != d[10] || weighted(d, inn12w2)%11%10 != d[11] {
		return "", fail("INN", RuleChecksum, "check digits do not match")
	}
	return clean, nil
}

// LegalINN accepts only the 10-digit INN of an organisation.
func LegalINN(s string) (string, error) {
	v, err := INN(s)
	if err == nil && len(v) != 10 {
		return "", fail("INN", RuleLength, "an organisation's INN has 10 digits")
	}
	return v, err
}

// OGRN validates the 13-digit primary state registration number of an
// organisation: the first 12 digits modulo 11, then modulo 10.
func OGRN(s string) (string, error) {
	d, clean, err := digitsOf("OGRN", s, 13)
	if err != nil {
		return "", err
	}
	if mod(d[:12], 11)%10 != d[12] {
		return "", fail("OGRN", RuleChecksum, "check digit does not match")
	}
	return clean, nil
}

// OGRNIP validates the 15-digit number of a sole proprietor: the first 14
// digits modulo 13, then modulo 10.
func OGRNIP(s string) (string, error) {
	d, clean, err := digitsOf("OGRNIP", s, 15)
	if err != nil {
		return "", err
	}
	if mod(d[:14], 13)%10 != d[14] {
		return "", fail("OGRNIP", RuleChecksum, "check digit does not match")
	}
	return clean, nil
}

// mod is the remainder of the decimal number d (up to 14 digits fits int64).
func mod(d []int, m int) int {
	r := 0
	for _, v := range d {
		r = (r*10 + v) % m
	}
	return r
}

// snilsUnchecked is the last number issued before check digits were
// introduced: 001-001-998 and below carry no meaningful control number.
const snilsUnchecked = 1001998

// SNILS validates an insurance number: 11 digits, written either plain or
// as "123-456-789 01". The result is the 11 plain digits.
func SNILS(s string) (string, error) {
	d, clean, err := digitsOf("SNILS", s, 11)
	if err != nil {
		return "", err
	}
	num := 0
	for _, v := range d[:9] {
		num = num*10 + v
	}
	if num <= snilsUnchecked {
		return clean, nil
	}
	if snilsCheck(d) != d[9]*10+d[10] {
		return "", fail("SNILS", RuleChecksum, "control number does not match")
	}
	return clean, nil
}

// snilsCheck: digits weighted 9..1 from the left; sums below 100 are the
// control number, 100 and 101 give 00, larger sums are taken modulo 101
// (where 100 again gives 00).
func snilsCheck(d []int) int {
	sum := 0
	for i := 0; i < 9; i++ {
		sum += d[i] * (9 - i)
	}
	switch {
	case sum < 100:
		return sum
	case sum <= 101:
		return 0
	}
	sum %= 101
	if sum == 100 {
		return 0
	}
	return sum
}

// FormatSNILS prints 11 digits as "123-456-789 01"; anything else unchanged.
func FormatSNILS(s string) string {
	if len(s) != 11 {
		return s
	}
	return s[0:3] + "-" + s[3:6] + "-" + s[6:9] + " " + s[9:11]
}
