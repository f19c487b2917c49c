package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"shkola/internal/store"
	"shkola/internal/store/storetest"
)

// Every path to the database is counted: the read pool, a transaction on the
// writer, and prepared statements; arguments still reach the driver as before.
func TestQueryCounterSeesEveryPath(t *testing.T) {
	db := storetest.Open(t, thingsSet)
	ctx := context.Background()
	before := db.Queries.Read()

	var n int
	if err := db.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM things").Scan(&n); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
	err := db.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO things (name, at, raw) VALUES ($1, $2, $3)", "a", at, []byte{1, 2}); err != nil {
			return err
		}
		st, err := tx.PrepareContext(ctx, "INSERT INTO things (name) VALUES ($1)")
		if err != nil {
			return err
		}
		defer st.Close()
		for _, name := range []string{"b", "c"} {
			if _, err := st.ExecContext(ctx, name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got := db.Queries.Read().Sub(before)
	want := store.QueryCounts{Queries: 1, Execs: 3, Prepares: 1, Tx: 2}
	if got != want {
		t.Fatalf("counted %+v, want %+v", got, want)
	}
	if got.RoundTrips() != 7 {
		t.Fatalf("round trips %d, want 7", got.RoundTrips())
	}

	// Values went through unchanged: time, bytes, and a failed transaction
	// is counted with its rollback.
	var back time.Time
	var raw []byte
	if err := db.Read().QueryRowContext(ctx, "SELECT at, raw FROM things WHERE name = $1", "a").Scan(&back, &raw); err != nil {
		t.Fatal(err)
	}
	if !back.Equal(at) || len(raw) != 2 || raw[1] != 2 {
		t.Fatalf("read back %v %v", back, raw)
	}
	before = db.Queries.Read()
	err = db.WithTx(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO things (name) VALUES ($1)", "a")
		return err
	})
	if !store.IsUniqueViolation(err) {
		t.Fatalf("duplicate: %v", err)
	}
	if got := db.Queries.Read().Sub(before); got != (store.QueryCounts{Execs: 1, Tx: 2}) {
		t.Fatalf("failed transaction counted %+v", got)
	}
}

// Trace names each statement as it is sent, until it is switched off.
func TestQueryCounterTrace(t *testing.T) {
	db := storetest.Open(t, thingsSet)
	ctx := context.Background()
	var seen []string
	db.Queries.Trace(func(kind, query string) { seen = append(seen, kind+" "+query) })
	err := db.WithTx(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO things (name) VALUES ($1)", "t")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Queries.Trace(nil)
	var n int
	if err := db.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM things").Scan(&n); err != nil {
		t.Fatal(err)
	}
	want := []string{"begin ", "exec INSERT INTO things (name) VALUES ($1)", "commit "}
	if strings.Join(seen, "|") != strings.Join(want, "|") {
		t.Fatalf("traced %q, want %q", seen, want)
	}
}

// The engine's own connection is still reachable for fast paths.
func TestDriverConnUnwraps(t *testing.T) {
	db := storetest.Open(t)
	conn, err := db.W.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		inner := store.DriverConn(dc)
		if inner == dc {
			t.Errorf("DriverConn returned the wrapper %T", dc)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var nilCounter *store.QueryCounter
	if nilCounter.Read() != (store.QueryCounts{}) {
		t.Fatal("a nil counter reads as zero")
	}
}
