package natid

import (
	"fmt"
	"time"
)

// Ukrainian identifiers: the EDRPOU code of a legal entity, the RNOKPP
// (individual taxpayer number) and the UNZR (record number of the unified
// state demographic register).

// EDRPOU validates an 8-digit legal-entity code. Weights are 1..7, or
// 7,1..6 for codes between 30000000 and 60000000; when the remainder
// modulo 11 is 10 the weights are raised by 2 and it is computed again,
// and a second 10 gives check digit 0.
func EDRPOU(s string) (string, error) {
	d, clean, err := digitsOf("EDRPOU", s, 8)
	if err != nil {
		return "", err
	}
	if edrpouCheck(d) != d[7] {
		return "", fail("EDRPOU", RuleChecksum, "check digit does not match")
	}
	return clean, nil
}

func edrpouCheck(d []int) int {
	n := 0
	for _, v := range d[:8] {
		n = n*10 + v
	}
	w := []int{1, 2, 3, 4, 5, 6, 7}
	if n >= 30000000 && n <= 60000000 {
		w = []int{7, 1, 2, 3, 4, 5, 6}
	}
	r := weighted(d, w) % 11
	if r == 10 {
		for i := range w {
			w[i] += 2
		}
		r = weighted(d, w) % 11
		if r == 10 {
			r = 0
		}
	}
	return r
}

var rnokppW = []int{-1, 5, 7, 9, 4, 6, 10, 5, 7}

// RNOKPP validates a 10-digit individual taxpayer number.
func RNOKPP(s string) (string, error) {
	d, clean, err := digitsOf("RNOKPP", s, 10)
	if err != nil {
		return "", err
	}
	if rnokppCheck(d) != d[9] {
		return "", fail("RNOKPP", RuleChecksum, "check digit does not match")
	}
	return clean, nil
}

func rnokppCheck(d []int) int {
	r := weighted(d, rnokppW) % 11
	if r < 0 {
		r += 11
	}
	return r % 10
}

// RNOKPPBirthDate decodes the birth date held in the first five digits of a
// valid RNOKPP (days since 31 December 1899) and the sex in the ninth digit
// (odd = male).
func RNOKPPBirthDate(v string) (time.Time, bool, error) {
	if _, err := RNOKPP(v); err != nil {
		return time.Time{}, false, err
	}
	days := 0
	for _, c := range v[:5] {
		days = days*10 + int(c-'0')
	}
	born := time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC).AddDate(0, 0, days)
	return born, (v[8]-'0')%2 == 1, nil
}

// UNZR validates a demographic register record number: birth date YYYYMMDD,
// four digits of the record and a check digit computed over the twelve
// digits with the repeating weights 7, 3, 1 modulo 10. The result has the
// printed form "YYYYMMDD-NNNNC".
func UNZR(s string) (string, error) {
	d, clean, err := digitsOf("UNZR", s, 13)
	if err != nil {
		return "", err
	}
	if _, err := time.Parse("20060102", clean[:8]); err != nil || clean[:4] < "1900" {
		return "", fail("UNZR", RuleDate, "the first eight digits must be a birth date YYYYMMDD")
	}
	if unzrCheck(d) != d[12] {
		return "", fail("UNZR", RuleChecksum, "check digit does not match")
	}
	return clean[:8] + "-" + clean[8:], nil
}

func unzrCheck(d []int) int {
	w := [3]int{7, 3, 1}
	s := 0
	for i := 0; i < 12; i++ {
		s += d[i] * w[i%3]
	}
	return s % 10
}

// formatDate writes t as YYYYMMDD.
func formatDate(t time.Time) string {
	return fmt.Sprintf("%04d%02d%02d", t.Year(), int(t.Month()), t.Day())
}
