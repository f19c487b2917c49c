package demo_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"shkola/internal/app"
	"shkola/internal/demo"
	"shkola/internal/natid"
	"shkola/internal/store"
	"shkola/internal/store/storetest"
)

func digest(t *testing.T, db *store.DB) string {
	t.Helper()
	rows, err := db.R.Query(`SELECT id, COALESCE(parent_id, 0), kind, name, short_name, inn, ogrn, address FROM organisations ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	h := sha256.New()
	for rows.Next() {
		var id, parent int64
		var kind, name, short, inn, ogrn, addr string
		if err := rows.Scan(&id, &parent, &kind, &name, &short, &inn, &ogrn, &addr); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(h, "%d|%d|%s|%s|%s|%s|%s|%s\n", id, parent, kind, name, short, inn, ogrn, addr)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestSameSeedSameRegion(t *testing.T) {
	ctx := context.Background()
	a := storetest.Open(t, app.Migrations()[1:]...)
	b := storetest.Open(t, app.Migrations()[1:]...)
	c := storetest.Open(t, app.Migrations()[1:]...)
	sa, err := demo.Generate(ctx, a, demo.Options{Seed: 7, Size: "small"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Generate(ctx, b, demo.Options{Seed: 7, Size: "small"}); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Generate(ctx, c, demo.Options{Seed: 8, Size: "small"}); err != nil {
		t.Fatal(err)
	}
	if digest(t, a) != digest(t, b) {
		t.Fatal("same seed gave different data")
	}
	if digest(t, a) == digest(t, c) {
		t.Fatal("different seeds gave the same data")
	}
	if sa.Counts["schools"] != 4 || sa.Counts["municipalities"] != 2 || sa.Counts["regions"] != 1 {
		t.Fatalf("small size: %v", sa.Counts)
	}
}

func TestDemoIdentifiersAreValid(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, app.Migrations()[1:]...)
	if _, err := demo.Generate(ctx, db, demo.Options{Seed: 1, Size: "district"}); err != nil {
		t.Fatal(err)
	}
	rows, err := db.R.Query(`SELECT name, inn, ogrn FROM organisations`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var name, inn, ogrn string
		if err := rows.Scan(&name, &inn, &ogrn); err != nil {
			t.Fatal(err)
		}
		if _, err := natid.INN(inn); err != nil {
			t.Errorf("%s: INN %s: %v", name, inn, err)
		}
		if _, err := natid.OGRN(ogrn); err != nil {
			t.Errorf("%s: OGRN %s: %v", name, ogrn, err)
		}
		if !strings.ContainsAny(name, "АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЩЭЮЯ") {
			t.Errorf("name %q is not Russian", name)
		}
		n++
	}
	if n < 20 {
		t.Fatalf("district has %d organisations", n)
	}
}

func TestGenerateIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, app.Migrations()[1:]...)
	if _, err := demo.Generate(ctx, db, demo.Options{Seed: 1, Size: "huge"}); err == nil || !strings.Contains(err.Error(), "huge") {
		t.Fatalf("unknown size: %v", err)
	}
	if _, err := demo.Generate(ctx, db, demo.Options{Seed: 1, Size: "small"}); err != nil {
		t.Fatal(err)
	}
	// A second run collides on unique identifiers; nothing of it may remain.
	before := digest(t, db)
	if _, err := demo.Generate(ctx, db, demo.Options{Seed: 1, Size: "small"}); err == nil {
		t.Fatal("second identical run succeeded despite unique identifiers")
	}
	if digest(t, db) != before {
		t.Fatal("failed run left rows behind")
	}
}
