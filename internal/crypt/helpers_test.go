package crypt

import (
	"bytes"
	"testing"
)

// fixedRing builds a ring with deterministic keys (byte i+1 repeated for the
// i-th id), the last id current, so values written in one test or fuzz seed
// decrypt in another.
func fixedRing(t testing.TB, ids ...string) *Keyring {
	t.Helper()
	keys := map[string][]byte{}
	for _, id := range ids {
		keys[id] = bytes.Repeat([]byte{id[len(id)-1]}, KeySize)
	}
	kr, err := New(keys, ids[len(ids)-1], bytes.Repeat([]byte{0xAB}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return kr
}
