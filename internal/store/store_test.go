package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"shkola/internal/store"
	"shkola/internal/store/storetest"
)

var thingsSet = store.MigrationSet{Domain: "things", FS: fstest.MapFS{
	"0001_things.sql": {Data: []byte(`CREATE TABLE things (id {{pk}}, name TEXT NOT NULL UNIQUE, at {{ts}}, raw {{blob}});`)},
}}

func TestMigrateIsIdempotent(t *testing.T) {
	db := storetest.Open(t, thingsSet)
	n, err := db.Migrate(context.Background(), []store.MigrationSet{store.PlatformMigrations(), thingsSet})
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("second migrate applied %d migrations, want 0", n)
	}
}

func TestBrokenMigrationLeavesNothing(t *testing.T) {
	db := storetest.Open(t)
	bad := store.MigrationSet{Domain: "bad", FS: fstest.MapFS{
		"0001_bad.sql": {Data: []byte(`CREATE TABLE half (id {{pk}}); CREATE TABLE broken (;`)},
	}}
	if _, err := db.Migrate(context.Background(), []store.MigrationSet{bad}); err == nil {
		t.Fatal("broken migration succeeded")
	}
	var n int
	err := db.R.QueryRow("SELECT count(*) FROM schema_migrations WHERE domain = 'bad'").Scan(&n)
	if err != nil || n != 0 {
		t.Fatalf("bad migration recorded: n=%d err=%v", n, err)
	}
	if _, err := db.W.Exec("INSERT INTO half DEFAULT VALUES"); err == nil {
		t.Fatal("table from the failed migration exists: the migration was not atomic")
	}
}

func TestWithTxCommitsWholeOrNothing(t *testing.T) {
	db := storetest.Open(t, thingsSet)
	ctx := context.Background()
	boom := errors.New("boom")
	err := db.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO things (name) VALUES ($1)", "a"); err != nil {
			return err
		}
		if err := tx.Record(ctx, store.Change{Entity: "thing", EntityID: "1", Op: store.OpCreate}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	var n int
	if err := db.R.QueryRow("SELECT count(*) FROM things").Scan(&n); err != nil || n != 0 {
		t.Fatalf("rolled-back row visible: %d %v", n, err)
	}
	ch, err := db.ChangesSince(ctx, 0, 10)
	if err != nil || len(ch) != 0 {
		t.Fatalf("rolled-back change visible: %v %v", ch, err)
	}
}

func TestUniqueViolationIsRecognised(t *testing.T) {
	db := storetest.Open(t, thingsSet)
	ctx := context.Background()
	if _, err := db.W.ExecContext(ctx, "INSERT INTO things (name) VALUES ($1)", "x"); err != nil {
		t.Fatal(err)
	}
	_, err := db.W.ExecContext(ctx, "INSERT INTO things (name) VALUES ($1)", "x")
	if !store.IsUniqueViolation(err) {
		t.Fatalf("not recognised as unique violation: %v", err)
	}
}

// Concurrent writers must get distinct, gap-free change numbers in commit order.
func TestChangeNumbersAreMonotonic(t *testing.T) {
	db := storetest.Open(t, thingsSet)
	ctx := context.Background()
	const writers, each = 8, 25
	var wg sync.WaitGroup
	errc := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				err := db.WithTx(ctx, func(tx *store.Tx) error {
					err := tx.Record(ctx, store.Change{Entity: "thing", EntityID: string(rune('a'+w)) + string(rune('a'+i%26)), Op: store.OpUpdate})
					return err
				})
				if err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	ch, err := db.ChangesSince(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch) != writers*each {
		t.Fatalf("got %d changes, want %d", len(ch), writers*each)
	}
	for i, c := range ch {
		if c.Seq != int64(i+1) {
			t.Fatalf("change %d has seq %d: numbers must be 1..N without gaps", i, c.Seq)
		}
	}
	later, err := db.ChangesSince(ctx, 100, 1000)
	if err != nil || len(later) != writers*each-100 || later[0].Seq != 101 {
		t.Fatalf("since 100: %d changes, err %v", len(later), err)
	}
}

// The changes of a transaction are written at its end with every field as
// given, numbered in the order recorded; one recorded in bulk keeps its
// place too.
func TestChangesKeepTheirFields(t *testing.T) {
	db := storetest.Open(t, thingsSet)
	ctx := context.Background()
	org := int64(42)
	at := time.Date(2026, 11, 30, 8, 15, 0, 123456000, time.UTC)
	err := db.WithTx(ctx, func(tx *store.Tx) error {
		if err := tx.Record(ctx, store.Change{At: at, Entity: "mark", EntityID: "7", Op: store.OpCreate, OrgID: &org, Actor: "teacher1", Data: json.RawMessage(`{"value":"5"}`)}); err != nil {
			return err
		}
		if err := tx.RecordBatch(ctx, []store.Change{{At: at, Entity: "lesson", EntityID: "3", Op: store.OpUpdate}}); err != nil {
			return err
		}
		return tx.Record(ctx, store.Change{At: at, Entity: "mark", EntityID: "8", Op: store.OpDelete})
	})
	if err != nil {
		t.Fatal(err)
	}
	ch, err := db.ChangesSince(ctx, 0, 10)
	if err != nil || len(ch) != 3 {
		t.Fatalf("%d changes, err %v", len(ch), err)
	}
	got := map[string]store.Change{}
	for _, c := range ch {
		got[c.Entity+"/"+c.EntityID] = c
	}
	m := got["mark/7"]
	if m.OrgID == nil || *m.OrgID != org || m.Actor != "teacher1" || string(m.Data) != `{"value":"5"}` || !m.At.Equal(at) || m.Op != store.OpCreate {
		t.Errorf("mark/7 read back as %+v", m)
	}
	if d := got["mark/8"]; d.OrgID != nil || d.Actor != "" || len(d.Data) != 0 || d.Op != store.OpDelete {
		t.Errorf("mark/8 read back as %+v", d)
	}
	if got["mark/7"].Seq >= got["mark/8"].Seq {
		t.Errorf("recorded changes out of order: %d, %d", got["mark/7"].Seq, got["mark/8"].Seq)
	}
}
