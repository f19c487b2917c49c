package crypt

import "testing"

func BenchmarkEncrypt(b *testing.B) {
	kr := fixedRing(b, "k1")
	pt := []byte("112-233-445 95")
	for b.Loop() {
		if _, err := kr.Encrypt(pt, "person.snils:123456"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecrypt(b *testing.B) {
	kr := fixedRing(b, "k1")
	v, _ := kr.EncryptString("112-233-445 95", "person.snils:123456")
	for b.Loop() {
		if _, err := kr.Decrypt(v, "person.snils:123456"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBlindIndex(b *testing.B) {
	kr := fixedRing(b, "k1")
	for b.Loop() {
		_ = kr.BlindIndex("snils", "112-233-445 95")
	}
}
