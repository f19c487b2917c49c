package account

import (
	"context"
	"errors"
	"strings"
	"testing"

	"shkola/internal/errs"
)

func TestHashVerifyAndRehash(t *testing.T) {
	ctx := context.Background()
	old := NewHasher(Argon2{MemoryKiB: 64, Time: 1, Threads: 1}, 1)
	h, err := old.Hash(ctx, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("not a PHC argon2id string: %s", h)
	}
	if ok, rehash, err := old.Verify(ctx, h, "correct horse battery"); err != nil || !ok || rehash {
		t.Fatalf("same params: ok=%v rehash=%v err=%v", ok, rehash, err)
	}
	if ok, _, _ := old.Verify(ctx, h, "correct horse batterY"); ok {
		t.Fatal("wrong password accepted")
	}
	// Stronger parameters verify the old hash and ask for a rehash.
	stronger := NewHasher(Argon2{MemoryKiB: 128, Time: 2, Threads: 1}, 1)
	if ok, rehash, err := stronger.Verify(ctx, h, "correct horse battery"); err != nil || !ok || !rehash {
		t.Fatalf("new params: ok=%v rehash=%v err=%v", ok, rehash, err)
	}
	if _, _, err := old.Verify(ctx, "$2a$10$bcrypt", "x"); err == nil {
		t.Fatal("a non-argon2id hash was accepted")
	}
}

func TestProductionDefaults(t *testing.T) {
	if p := DefaultArgon2(); p.MemoryKiB < 19456 || p.Time < 2 || p.Threads != 1 {
		t.Fatalf("argon2id defaults %+v are below m=19456 KiB, t=2, p=1", p)
	}
	s := NewService(nil, nil, nil)
	if s.Hasher.Params != DefaultArgon2() || cap(s.Hasher.sem) < 1 {
		t.Fatal("the service does not use the production parameters with a bounded hasher")
	}
	if s.IdleTimeout.Minutes() != 30 || s.AbsoluteTimeout.Hours() != 12 {
		t.Fatalf("timeouts %v / %v, want 30m / 12h", s.IdleTimeout, s.AbsoluteTimeout)
	}
}

func TestPasswordRules(t *testing.T) {
	common := CommonPasswords()
	if len(common) < 300 {
		t.Fatalf("only %d common passwords", len(common))
	}
	for _, tc := range []struct{ pass, rule string }{
		{"short", "min_length"},
		{strings.Repeat("я", 7), "min_length"},
		{strings.Repeat("я", 129), "max_length"},
		{"qwerty123", "common"},
		{"ЙЦУКЕНГШ", "common"}, // case does not help
		{"пароль123", "common"},
		{strings.Repeat("я", 8), ""},   // runes, not bytes
		{strings.Repeat("я", 128), ""}, // 256 bytes, 128 characters
		{"lowercase only is fine", ""},
	} {
		err := CheckPassword("password", tc.pass, common)
		var e *errs.Error
		switch {
		case tc.rule == "" && err != nil:
			t.Errorf("%q refused: %v", tc.pass, err)
		case tc.rule != "" && (!errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != "password" || e.Fields[0].Rule != tc.rule):
			t.Errorf("%q: %v, want field password rule %s", tc.pass, err, tc.rule)
		}
	}
}
