package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"shkola/internal/crypt"
	"strings"
	"testing"

	"shkola/internal/account"
	"shkola/internal/audit"
	"shkola/internal/identity"
	"shkola/internal/org"
	"shkola/internal/store"
	"shkola/internal/store/storetest"
)

// The bootstrap commands make the first operator with a one-time code (no
// password ever printed) and issue API tokens.
func TestAdminCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dbURL := storetest.URL(t)
	// Production configuration: keys come from the environment, never generated.
	kr, err := crypt.Generate()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("SHKOLA_KEYS", string(kr.Marshal()))
	sh := func(args ...string) (int, string, string) {
		t.Helper()
		var out, errb bytes.Buffer
		code := run(ctx, append(args, "--db", dbURL, "--data-dir", dir), &out, &errb)
		return code, out.String(), errb.String()
	}
	if code, _, errs := sh("migrate"); code != 0 {
		t.Fatalf("migrate: %s", errs)
	}
	if _, _, err := audit.LoadSigner(filepath.Join(dir, audit.KeyFileName), true); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := sh("admin", "create", "--login", "boss"); code != 1 || !strings.Contains(errs, "no region") {
		t.Fatalf("create without a region: exit %d, %s", code, errs)
	}
	db, err := store.Open(ctx, dbURL, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	region, err := org.NewService(db).Create(ctx, org.New{Kind: org.Region, Name: "Регион", Country: org.RU})
	if err != nil {
		t.Fatal(err)
	}
	code, out, errs := sh("admin", "create", "--login", "Boss")
	m := regexp.MustCompile(`one-time activation code: (\S+)`).FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("create: exit %d, %s%s", code, out, errs)
	}
	svc := account.NewService(db, audit.New(db, nil, nil), nil)
	svc.Hasher = account.NewHasher(account.Argon2{MemoryKiB: 64, Time: 1, Threads: 1}, 1)
	id, err := svc.Activate(ctx, m[1], "a long enough passphrase")
	if err != nil {
		t.Fatalf("activation code does not work: %v", err)
	}
	acc, err := svc.Get(ctx, id)
	if err != nil || acc.Login != "boss" || len(acc.Grants) != 1 || acc.Grants[0] != (identity.Grant{Role: identity.Operator, OrgID: region.ID}) {
		t.Fatalf("created %+v, %v; want boss, operator of the region", acc, err)
	}
	if _, err := svc.Activate(ctx, m[1], "another long passphrase"); err == nil {
		t.Fatal("the activation code worked twice")
	}
	if code, _, errs := sh("admin", "create", "--login", "boss"); code != 1 || !strings.Contains(errs, "taken") {
		t.Fatalf("duplicate login: exit %d, %s", code, errs)
	}
	code, out, errs = sh("admin", "token", "--login", "boss")
	tok := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(tok, "shk_") {
		t.Fatalf("token: exit %d, %s%s", code, out, errs)
	}
	if a, err := svc.ResolveToken(ctx, tok); err != nil || a.AccountID != id {
		t.Fatalf("printed token does not authenticate: %v", err)
	}
	if code, _, errs := sh("admin", "token", "--login", "nobody"); code != 1 || !strings.Contains(errs, "nobody") {
		t.Fatalf("token for an unknown login: exit %d, %s", code, errs)
	}
}
