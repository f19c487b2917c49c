package crypt

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func b64(c byte) string { return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{c}, KeySize)) }

func TestParseKeyFile(t *testing.T) {
	text := "# keys\ncurrent k2\nkey k1 " + b64(1) + "\n\nkey k2 " + b64(2) + "\nindex " + b64(3) + "\n"
	kr, err := Parse([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if kr.Current() != "k2" || strings.Join(kr.IDs(), ",") != "k1,k2" {
		t.Fatalf("parsed %s", kr)
	}
	// The environment variable may use ";" between lines.
	semi, err := Parse([]byte(strings.ReplaceAll(text, "\n", ";")))
	if err != nil || !bytes.Equal(semi.Marshal(), kr.Marshal()) {
		t.Fatalf("semicolon form: %v", err)
	}
	back, err := Parse(kr.Marshal())
	if err != nil || !bytes.Equal(back.Marshal(), kr.Marshal()) {
		t.Fatalf("Marshal does not parse back: %v", err)
	}

	bad := []struct{ text, want string }{
		{"", "no `key ID BASE64` line"},
		{"key k1 " + b64(1) + "\nindex " + b64(3), "no `current ID` line"},
		{"current k1\nkey k1 " + b64(1), "no `index BASE64` line"},
		{"current k3\nkey k1 " + b64(1) + "\nindex " + b64(3), `current key "k3" is not among the keys (k1)`},
		{"current k1\nkey k1 c2hvcnQ=\nindex " + b64(3), "line 2: key k1: 5 bytes, want 32"},
		{"current k1\nkey k1 not-base64!\nindex " + b64(3), "line 2: key k1: not base64"},
		{"current k1\nkey k1 " + b64(1) + "\nkey k1 " + b64(2) + "\nindex " + b64(3), "line 3: key k1 appears twice"},
		{"current K1\nkey K1 " + b64(1) + "\nindex " + b64(3), `key id "K1"`},
		{"current k1\nkey k1 " + b64(1) + "\nindex " + b64(3) + "\nsecret x", "line 4: want"},
	}
	for _, tc := range bad {
		_, err := Parse([]byte(tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q): err = %v, want %q", tc.text, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), b64(1)) {
			t.Errorf("error shows a key: %v", err)
		}
	}
}

func TestLoadRefusesReadableKeyFile(t *testing.T) {
	kr := fixedRing(t, "k1")
	path := filepath.Join(t.TempDir(), "keys.txt")
	if err := os.WriteFile(path, kr.Marshal(), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err != nil {
		t.Fatalf("0600 file refused: %v", err)
	}
	for _, mode := range []os.FileMode{0o640, 0o604, 0o644} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path)
		if err == nil || !strings.Contains(err.Error(), "chmod 600 "+path) {
			t.Fatalf("mode %04o: err = %v, want a refusal saying chmod 600", mode, err)
		}
	}
}

// clearEnv makes the test independent of the caller's environment.
func clearEnv(t *testing.T) {
	t.Setenv(EnvKeys, "")
	t.Setenv(EnvKeysFile, "")
}

func TestLoadOrCreateGeneratesOnlyWhenAllowed(t *testing.T) {
	clearEnv(t)
	dir := filepath.Join(t.TempDir(), "data")

	_, _, _, err := LoadOrCreate(dir, false)
	if err == nil || !strings.Contains(err.Error(), "no encryption keys: set SHKOLA_KEYS_FILE or SHKOLA_KEYS") {
		t.Fatalf("production without keys: err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); !os.IsNotExist(err) {
		t.Fatal("a refusing start wrote a key file")
	}

	kr, created, path, err := LoadOrCreate(dir, true)
	if err != nil || !created || path != filepath.Join(dir, FileName) {
		t.Fatalf("demo start: created=%v path=%q err=%v", created, path, err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("generated key file: %v, mode %v", err, st.Mode())
	}
	v, _ := kr.EncryptString("11223344595", "person.snils:1")

	// The next start, demo or not, uses the same keys.
	for _, allow := range []bool{true, false} {
		again, created, _, err := LoadOrCreate(dir, allow)
		if err != nil || created {
			t.Fatalf("second start: created=%v err=%v", created, err)
		}
		if got, err := again.DecryptString(v, "person.snils:1"); err != nil || got != "11223344595" {
			t.Fatalf("value from the first start: %q, %v", got, err)
		}
	}
}

func TestLoadOrCreateSources(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	inData, fromFile, fromEnv := fixedRing(t, "k1"), fixedRing(t, "k2"), fixedRing(t, "k3")
	if err := Create(filepath.Join(dir, FileName), inData); err != nil {
		t.Fatal(err)
	}
	named := filepath.Join(t.TempDir(), "elsewhere.keys")
	if err := Create(named, fromFile); err != nil {
		t.Fatal(err)
	}

	check := func(want string, wantPath string) {
		t.Helper()
		kr, created, path, err := LoadOrCreate(dir, true)
		if err != nil || created || kr.Current() != want || path != wantPath {
			t.Fatalf("got %v from %q (created %v, err %v); want current %s from %q", kr, path, created, err, want, wantPath)
		}
	}
	check("k1", filepath.Join(dir, FileName))
	t.Setenv(EnvKeysFile, named)
	check("k2", named)
	t.Setenv(EnvKeys, strings.ReplaceAll(string(fromEnv.Marshal()), "\n", ";"))
	check("k3", "$SHKOLA_KEYS")

	// A named file that is missing is an error even in demo: generating
	// there would leave the existing data unreadable.
	t.Setenv(EnvKeys, "")
	t.Setenv(EnvKeysFile, filepath.Join(t.TempDir(), "missing.keys"))
	if _, created, _, err := LoadOrCreate(dir, true); err == nil || created {
		t.Fatalf("missing SHKOLA_KEYS_FILE: created=%v err=%v", created, err)
	}
	t.Setenv(EnvKeysFile, "")
	t.Setenv(EnvKeys, "current k1")
	if _, _, _, err := LoadOrCreate(dir, true); err == nil || !strings.Contains(err.Error(), "$SHKOLA_KEYS") {
		t.Fatalf("bad SHKOLA_KEYS: err = %v", err)
	}
}

func TestAddKeyKeepsOldKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.txt")
	old := fixedRing(t, "k1")
	if err := Create(path, old); err != nil {
		t.Fatal(err)
	}
	v, _ := old.EncryptString("secret", "t:1")
	kr, id, err := AddKey(path)
	if err != nil || id != "k2" || kr.Current() != "k2" {
		t.Fatalf("AddKey: %v, %q, %v", kr, id, err)
	}
	loaded, err := Load(path) // also checks the rewritten file is still 0600
	if err != nil || loaded.Current() != "k2" || !loaded.Has("k1") {
		t.Fatalf("file after AddKey: %v, %v", loaded, err)
	}
	if got, err := loaded.DecryptString(v, "t:1"); got != "secret" || err != nil {
		t.Fatalf("old value after AddKey: %q, %v", got, err)
	}
	nv, _ := loaded.EncryptString("secret", "t:1")
	if !strings.HasPrefix(nv, "v1.k2.") {
		t.Fatalf("new value %q not under the new key", nv[:8])
	}
	if _, id, _ := AddKey(path); id != "k3" {
		t.Fatalf("third key named %q", id)
	}

	if _, err := loaded.WithoutKey("k2"); err == nil {
		t.Fatal("current key removed")
	}
	less, err := loaded.WithoutKey("k1")
	if err != nil || less.Has("k1") {
		t.Fatalf("WithoutKey: %v", err)
	}
	if _, err := less.DecryptString(v, "t:1"); err == nil {
		t.Fatal("removed key still decrypts")
	}
}
