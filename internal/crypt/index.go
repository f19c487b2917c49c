package crypt

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// BlindIndex is the keyed hash for exact lookups of an encrypted value: hex
// HMAC-SHA256 under the index key of kind, a zero byte, and the normalised
// value. kind ("snils", "passport") keeps equal strings of different kinds
// apart. The column holding it gets a unique index; without the index key
// nobody can test guesses against it, which a plain hash of an 11-digit
// SNILS would allow in minutes.
//
// Normalisation folds the ways people type the same identifier: Unicode
// NFKC, upper case, and no spaces or hyphens, so "112-233-445 95" and
// "11223344595" match. Callers should still pass the canonical form their
// validator produces. An empty value gives "": nothing to look up.
//
// The index key is not rotated by Rotate: that would mean recomputing every
// index from the decrypted values.
func (kr *Keyring) BlindIndex(kind, value string) string {
	v := Normalize(value)
	if v == "" {
		return ""
	}
	m := hmac.New(sha256.New, kr.index)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(v))
	return hex.EncodeToString(m.Sum(nil))
}

// Normalize is the form BlindIndex hashes.
func Normalize(value string) string {
	v := norm.NFKC.String(value)
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' || r == '\u2010' || r == '\u2011' || r == '\u2012' || r == '\u2013' || r == '\u2014' || r == '\u2212' {
			return -1
		}
		return unicode.ToUpper(r)
	}, v)
}
