package crypt

import (
	"bytes"
	"testing"
)

func TestBlindIndex(t *testing.T) {
	kr := fixedRing(t, "k1")
	a := kr.BlindIndex("snils", "11223344595")
	if len(a) != 64 {
		t.Fatalf("index %q is not 64 hex digits", a)
	}
	// Stable: the same ring, or the same key file loaded again, finds the row.
	again, err := Parse(kr.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if again.BlindIndex("snils", "11223344595") != a {
		t.Fatal("index changed between loads of the same keys")
	}
	// The same identifier as people type it.
	for _, typed := range []string{"112-233-445 95", " 112 233 445 95 ", "１１２２３３４４５９５"} {
		if got := kr.BlindIndex("snils", typed); got != a {
			t.Errorf("%q indexes differently from 11223344595", typed)
		}
	}
	if kr.BlindIndex("passport", "11223344595") == a {
		t.Fatal("equal strings of different kinds share an index")
	}
	if kr.BlindIndex("snils", "11223344596") == a {
		t.Fatal("different values share an index")
	}
	// The kind and value are separated: "ab"+"c" differs from "a"+"bc".
	if kr.BlindIndex("ab", "c") == kr.BlindIndex("a", "bc") {
		t.Fatal("kind and value run together")
	}
	other, _ := New(map[string][]byte{"k1": kr.raw["k1"]}, "k1", bytes.Repeat([]byte{1}, KeySize))
	if other.BlindIndex("snils", "11223344595") == a {
		t.Fatal("index does not depend on the index key")
	}
	// A new data key does not change the index key.
	nk, _, _ := kr.WithNewKey()
	if nk.BlindIndex("snils", "11223344595") != a {
		t.Fatal("adding a data key changed the blind index")
	}
	if kr.BlindIndex("snils", "  ") != "" {
		t.Fatal("blank value gets an index")
	}
}
