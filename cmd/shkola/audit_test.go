package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"shkola/internal/audit"
	"shkola/internal/store"
	"shkola/internal/store/storetest"
)

func TestAuditCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dbURL := storetest.URL(t)
	common := []string{"--db", dbURL, "--data-dir", dir}
	sh := func(args ...string) (int, string, string) {
		t.Helper()
		var out, errb bytes.Buffer
		code := run(ctx, append(args, common...), &out, &errb)
		return code, out.String(), errb.String()
	}
	if code, _, errs := sh("migrate"); code != 0 {
		t.Fatalf("migrate: %s", errs)
	}
	if code, _, errs := sh("audit", "checkpoint"); code != 1 || !strings.Contains(errs, filepath.Join(dir, audit.KeyFileName)) {
		t.Errorf("checkpoint without a key: exit %d, %s", code, errs)
	}
	signer, _, err := audit.LoadSigner(filepath.Join(dir, audit.KeyFileName), true)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, dbURL, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	l := audit.New(db, signer, nil)
	for i := 0; i < 7; i++ {
		if err := l.Write(ctx, audit.Entry{Action: audit.RecordUpdate, ObjectType: "mark", ObjectID: "1"}); err != nil {
			t.Fatal(err)
		}
	}
	if code, out, errs := sh("audit", "checkpoint"); code != 0 || !strings.Contains(out, "at entry 7") {
		t.Fatalf("checkpoint: exit %d, %s%s", code, out, errs)
	}
	cpFile := filepath.Join(dir, "checkpoints.jsonl")
	if code, out, errs := sh("audit", "export-checkpoints", cpFile); code != 0 || !strings.Contains(out, "exported 1 checkpoints") {
		t.Fatalf("export: exit %d, %s%s", code, out, errs)
	}
	pubFile := filepath.Join(t.TempDir(), "audit.pub")
	code, pem, _ := sh("audit", "public-key")
	if code != 0 || os.WriteFile(pubFile, []byte(pem), 0o644) != nil {
		t.Fatalf("public-key: exit %d", code)
	}
	code, out, errs := sh("audit", "verify", "--checkpoints", cpFile, "--key", pubFile)
	if code != 0 || out != "audit log verified: 7 entries, 1 checkpoints, 1 exported checkpoints\n" {
		t.Fatalf("verify: exit %d, %q %s", code, out, errs)
	}

	if _, err := db.W.Exec("DELETE FROM audit_log WHERE seq = 3"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.W.Exec("UPDATE audit_log SET detail = 'x' WHERE seq = 5"); err != nil {
		t.Fatal(err)
	}
	code, out, errs = sh("audit", "verify", "--checkpoints", cpFile)
	if code != 1 || out != "entry 3 missing (gap 2 -> 4)\nentry 5 was edited (hash mismatch)\n" || !strings.Contains(errs, "failed verification: 2 problems") {
		t.Fatalf("verify of a tampered log: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if code, _, _ := sh("audit", "frobnicate"); code != 2 {
		t.Errorf("unknown subcommand: exit %d, want 2", code)
	}
}
