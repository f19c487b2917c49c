package crypt

import (
	"bytes"
	"errors"
	"testing"
)

// Stored values come back from the database, where a bad migration, a manual
// edit or an attacker with write access may have put anything: Decrypt must
// answer with one of its errors, never panic.
func FuzzDecrypt(f *testing.F) {
	kr := fixedRing(f, "k1", "k2")
	good, err := kr.EncryptString("11223344595", "t:1")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{good, "", "v1", "v1.k1.", "v1.k2.AAAA", "v1.k9.AAAA", "v1..", "v1.k1.=="} {
		f.Add(s, "t:1")
	}
	f.Fuzz(func(t *testing.T, value, aad string) {
		pt, err := kr.Decrypt(value, aad)
		_, _ = KeyID(value)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnknownKey) && !errors.Is(err, ErrAuth) {
				t.Fatalf("Decrypt(%q): unexpected error kind: %v", value, err)
			}
			return
		}
		if value == "" {
			return
		}
		// Whatever opens must re-encrypt and open again to the same text.
		again, err := kr.Encrypt(pt, aad)
		if err != nil {
			t.Fatal(err)
		}
		back, err := kr.Decrypt(again, aad)
		if err != nil || !bytes.Equal(back, pt) {
			t.Fatalf("round trip of an accepted value: %v", err)
		}
	})
}

// The key file and $SHKOLA_KEYS are operator input.
func FuzzParse(f *testing.F) {
	f.Add(string(fixedRing(f, "k1", "k2").Marshal()))
	f.Add("current k1;key k1 " + b64(1) + ";index " + b64(2))
	f.Add("key\ncurrent\nindex")
	f.Fuzz(func(t *testing.T, text string) {
		kr, err := Parse([]byte(text))
		if err != nil {
			return
		}
		back, err := Parse(kr.Marshal())
		if err != nil || !bytes.Equal(back.Marshal(), kr.Marshal()) {
			t.Fatalf("accepted key file does not survive Marshal: %v", err)
		}
	})
}
