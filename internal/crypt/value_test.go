package crypt

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	kr := fixedRing(t, "k1")
	for _, pt := range []string{"112-233-445 95", "Иванова Мария, инвалидность II группы", "\x00\xff binary", strings.Repeat("долгий текст ", 2000)} {
		v, err := kr.EncryptString(pt, "person.snils:42")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(v, "v1.k1.") {
			t.Fatalf("value %q does not name its key", v[:12])
		}
		if strings.Contains(v, pt) {
			t.Fatal("plaintext visible in the stored value")
		}
		got, err := kr.DecryptString(v, "person.snils:42")
		if err != nil || got != pt {
			t.Fatalf("decrypt = %q, %v; want %q", got, err, pt)
		}
		again, _ := kr.EncryptString(pt, "person.snils:42")
		if again == v {
			t.Fatal("same plaintext encrypted twice gives the same value: equal values would be visible")
		}
	}
}

func TestEmptyStaysEmpty(t *testing.T) {
	kr := fixedRing(t, "k1")
	if v, err := kr.Encrypt(nil, "a:1"); v != "" || err != nil {
		t.Fatalf("Encrypt(nil) = %q, %v", v, err)
	}
	if v, err := kr.EncryptString("", "a:1"); v != "" || err != nil {
		t.Fatalf(`EncryptString("") = %q, %v`, v, err)
	}
	if b, err := kr.Decrypt("", "a:1"); b != nil || err != nil {
		t.Fatalf(`Decrypt("") = %v, %v`, b, err)
	}
}

func TestTamperedValueFails(t *testing.T) {
	kr := fixedRing(t, "k1")
	v, _ := kr.EncryptString("11223344595", "person.snils:7")
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(v, "v1.k1."))
	if err != nil {
		t.Fatal(err)
	}
	for i := range raw { // nonce, ciphertext and tag: every byte counts
		b := append([]byte(nil), raw...)
		b[i] ^= 0x01
		_, err := kr.Decrypt("v1.k1."+base64.RawURLEncoding.EncodeToString(b), "person.snils:7")
		if !errors.Is(err, ErrAuth) {
			t.Fatalf("byte %d flipped: err = %v, want ErrAuth", i, err)
		}
	}
	if _, err := kr.Decrypt(v[:len(v)-4], "person.snils:7"); err == nil {
		t.Fatal("truncated value decrypted")
	}
}

func TestWrongPlaceFails(t *testing.T) {
	kr := fixedRing(t, "k1", "k2")
	v, _ := kr.EncryptString("11223344595", "person.snils:7")
	for _, aad := range []string{"person.snils:8", "person.passport:7", "", "person.snils:7 "} {
		_, err := kr.DecryptString(v, aad)
		if !errors.Is(err, ErrAuth) {
			t.Fatalf("value for person.snils:7 read as %q: err = %v, want ErrAuth", aad, err)
		}
		if strings.Contains(err.Error(), "11223344595") {
			t.Fatal("error shows the plaintext")
		}
	}
	// Relabelled to the other key of the ring: the key id is authenticated too.
	if _, err := kr.DecryptString("v1.k1."+strings.TrimPrefix(v, "v1.k2."), "person.snils:7"); !errors.Is(err, ErrAuth) {
		t.Fatalf("relabelled value: err = %v, want ErrAuth", err)
	}
}

func TestUnknownKeyIsClear(t *testing.T) {
	other := fixedRing(t, "k9")
	v, _ := other.EncryptString("secret", "t:1")
	_, err := fixedRing(t, "k1", "k2").DecryptString(v, "t:1")
	if !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("err = %v, want ErrUnknownKey", err)
	}
	for _, want := range []string{`"k9"`, "k1, k2"} {
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("error %q does not say %s", err, want)
		}
	}
	if id, err := KeyID(v); id != "k9" || err != nil {
		t.Fatalf("KeyID = %q, %v", id, err)
	}
}

func TestMalformedValues(t *testing.T) {
	kr := fixedRing(t, "k1")
	for _, v := range []string{"11223344595", "v1", "v1.k1", "v2.k1.AAAA", "v1.K1.AAAA", "v1..AAAA", "v1.k1.AAAA", "v1.k1.!!!!", "v1.k1." + strings.Repeat("A", 30) + "=", "v1.k_1.AAAA"} {
		if _, err := kr.Decrypt(v, "t:1"); !errors.Is(err, ErrMalformed) {
			t.Errorf("Decrypt(%q): err = %v, want ErrMalformed", v, err)
		}
	}
}

func TestKeyringNeverPrintsKeys(t *testing.T) {
	kr := fixedRing(t, "k1", "k2")
	secret := base64.StdEncoding.EncodeToString(kr.raw["k1"])
	for _, s := range []string{kr.String(), kr.GoString(), kr.LogValue().String()} {
		if strings.Contains(s, secret) || strings.Contains(s, secret[:8]) || !strings.Contains(s, "k1,k2") {
			t.Fatalf("keyring prints as %q", s)
		}
	}
}
