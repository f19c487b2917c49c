package audit

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestLoadSigner(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keys", KeyFileName)
	if _, _, err := LoadSigner(path, false); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("missing key without generate: err = %v, want one naming %s", err, path)
	}
	s, created, err := LoadSigner(path, true)
	if err != nil || !created {
		t.Fatalf("generate: created=%v err=%v", created, err)
	}
	if fi, err := os.Stat(path); err != nil {
		t.Fatal(err)
	} else if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	again, created, err := LoadSigner(path, true)
	if err != nil || created {
		t.Fatalf("reload: created=%v err=%v", created, err)
	}
	if again.KeyID() != s.KeyID() || len(s.KeyID()) != 16 {
		t.Errorf("key id %q after reload, was %q", again.KeyID(), s.KeyID())
	}
	// Verification works from the public key alone, and from the key file.
	pubPath := filepath.Join(dir, "audit.pub")
	if err := os.WriteFile(pubPath, s.PublicKeyPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{pubPath, path} {
		pub, err := LoadPublicKey(p)
		if err != nil || !bytes.Equal(pub, s.PublicKey()) {
			t.Errorf("LoadPublicKey(%s) = %x, %v", p, pub, err)
		}
	}
	if _, _, err := LoadSigner(pubPath, false); err == nil {
		t.Error("a public key was accepted as a signing key")
	}
	garbage := filepath.Join(dir, "garbage")
	if err := os.WriteFile(garbage, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadSigner(garbage, true); err == nil {
		t.Error("garbage accepted as a key")
	}
}

func TestCheckpointsRoundTrip(t *testing.T) {
	l, _ := newLog(t)
	l.CheckpointEvery = 5
	fill(t, l, 12)
	var buf bytes.Buffer
	n, err := l.ExportCheckpoints(context.Background(), &buf)
	if err != nil || n != 2 {
		t.Fatalf("export: %d, %v", n, err)
	}
	if lines := strings.Count(buf.String(), "\n"); lines != 2 {
		t.Errorf("%d lines, want one per checkpoint", lines)
	}
	cps, err := ReadCheckpoints(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(cps) != 2 || cps[1].Seq != 10 || !cps[1].Valid(l.signer.PublicKey()) {
		t.Errorf("read back %+v", cps)
	}
	if _, err := ReadCheckpoints(strings.NewReader("{\"seq\":1}\n")); err == nil {
		t.Error("a checkpoint without head hash was accepted")
	}
}
