package crypt

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"shkola/internal/store"
	"shkola/internal/store/storetest"
)

var testCol = Column{Table: "crypt_rot", Key: "id", Column: "secret", AADPrefix: "crypt_rot.secret"}

func rotDB(t *testing.T) *store.DB {
	t.Helper()
	db := storetest.Open(t)
	if _, err := db.W.ExecContext(context.Background(), "CREATE TABLE crypt_rot (id INTEGER PRIMARY KEY, secret TEXT)"); err != nil {
		t.Fatal(err)
	}
	return db
}

// put writes rows from..to-1 with value "snils-<id>" under kr's current key.
func put(t *testing.T, db *store.DB, kr *Keyring, from, to int) {
	t.Helper()
	err := db.WithTx(context.Background(), func(tx *store.Tx) error {
		for id := from; id < to; id++ {
			v, err := kr.EncryptString(fmt.Sprintf("snils-%d", id), AAD(testCol.AADPrefix, id))
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(context.Background(), "INSERT INTO crypt_rot (id, secret) VALUES ($1, $2)", id, v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// readAll decrypts every non-empty value with kr and returns id -> plaintext.
func readAll(t *testing.T, db *store.DB, kr *Keyring) map[int]string {
	t.Helper()
	rows, err := db.R.QueryContext(context.Background(), "SELECT id, secret FROM crypt_rot WHERE secret IS NOT NULL AND secret <> ''")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int]string{}
	for rows.Next() {
		var id int
		var v string
		if err := rows.Scan(&id, &v); err != nil {
			t.Fatal(err)
		}
		pt, err := kr.DecryptString(v, AAD(testCol.AADPrefix, id))
		if err != nil {
			t.Fatalf("row %d: %v", id, err)
		}
		out[id] = pt
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func status(t *testing.T, db *store.DB, kr *Keyring) ColumnStatus {
	t.Helper()
	st, err := Status(context.Background(), db.R, kr, []Column{testCol})
	if err != nil {
		t.Fatal(err)
	}
	return st[0]
}

func TestRotateMovesEverythingToTheNewKey(t *testing.T) {
	ctx := context.Background()
	db := rotDB(t)
	r1 := fixedRing(t, "k1")
	r2 := fixedRing(t, "k1", "k2")
	put(t, db, r1, 1, 501)
	put(t, db, r2, 501, 1001)
	// Absent values stay absent and are not counted.
	if _, err := db.W.ExecContext(ctx, "INSERT INTO crypt_rot (id, secret) VALUES (2001, NULL), (2002, '')"); err != nil {
		t.Fatal(err)
	}
	r3, id, err := r2.WithNewKey()
	if err != nil || id != "k3" {
		t.Fatal(id, err)
	}
	before := status(t, db, r3)
	if before.ByKey["k1"] != 500 || before.ByKey["k2"] != 500 || before.Stale("k3") != 1000 {
		t.Fatalf("status before: %+v", before)
	}

	var reports []int
	n, err := Rotate(ctx, db, r3, []Column{testCol}, 64, func(done int) { reports = append(reports, done) })
	if err != nil || n != 1000 {
		t.Fatalf("Rotate = %d, %v; want 1000", n, err)
	}
	if len(reports) < 1000/64 || reports[len(reports)-1] != 1000 {
		t.Fatalf("progress reports %v", reports)
	}
	after := status(t, db, r3)
	if after.ByKey["k3"] != 1000 || after.Stale("k3") != 0 {
		t.Fatalf("status after: %+v", after)
	}
	// Everything still reads the same, now without the old keys.
	onlyNew, err := r3.WithoutKey("k1")
	if err == nil {
		onlyNew, err = onlyNew.WithoutKey("k2")
	}
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, db, onlyNew)
	if len(got) != 1000 {
		t.Fatalf("%d values, want 1000", len(got))
	}
	for id, pt := range got {
		if pt != fmt.Sprintf("snils-%d", id) {
			t.Fatalf("row %d reads %q after rotation", id, pt)
		}
	}
	var nulls int
	if err := db.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM crypt_rot WHERE id > 2000 AND (secret IS NULL OR secret = '')").Scan(&nulls); err != nil || nulls != 2 {
		t.Fatalf("absent values: %d, %v", nulls, err)
	}
	if n, err := Rotate(ctx, db, r3, []Column{testCol}, 64, nil); n != 0 || err != nil {
		t.Fatalf("second Rotate = %d, %v; want nothing to do", n, err)
	}
}

func TestRotateStopsOnAValueItCannotOpen(t *testing.T) {
	ctx := context.Background()
	db := rotDB(t)
	put(t, db, fixedRing(t, "k1"), 1, 10)
	put(t, db, fixedRing(t, "k7"), 10, 11) // from a key file this ring lacks
	_, err := Rotate(ctx, db, fixedRing(t, "k1", "k2"), []Column{testCol}, 100, nil)
	if err == nil || !contains(err.Error(), "crypt_rot.secret row id = 10", `"k7"`) {
		t.Fatalf("err = %v, want one naming the row and the key", err)
	}
	if st := status(t, db, fixedRing(t, "k1", "k2")); st.Other != 1 || st.ByKey["k1"] != 9 {
		t.Fatalf("status %+v: the failed batch must have rolled back, k7 counted as other", st)
	}
}

func TestRotateRefusesBadIdentifiers(t *testing.T) {
	db := rotDB(t)
	bad := Column{Table: "crypt_rot; DROP TABLE crypt_rot", Key: "id", Column: "secret", AADPrefix: "x"}
	if _, err := Rotate(context.Background(), db, fixedRing(t, "k1"), []Column{bad}, 10, nil); err == nil {
		t.Fatal("identifier with SQL accepted")
	}
	if _, err := Status(context.Background(), db.R, fixedRing(t, "k1"), []Column{bad}); err == nil {
		t.Fatal("identifier with SQL accepted by Status")
	}
}

// The server keeps writing while rotation runs: some of its instances
// already have the new key file, some still the old one. No write is lost,
// and a second rotation after the restart moves what the old ones wrote.
func TestRotateLosesNoConcurrentWrite(t *testing.T) {
	ctx := context.Background()
	db := rotDB(t)
	const rows = 400
	oldRing := fixedRing(t, "k1")
	newRing := fixedRing(t, "k1", "k2")
	put(t, db, oldRing, 0, rows)

	want := map[int]string{}
	for id := range rows {
		want[id] = fmt.Sprintf("snils-%d", id)
	}
	var (
		stop    atomic.Bool
		written atomic.Int64
		wg      sync.WaitGroup
		werr    error
	)
	started := make(chan struct{})
	wg.Go(func() {
		rng := rand.New(rand.NewPCG(1, 2))
		for i := 0; !stop.Load(); i++ {
			id := rng.IntN(rows)
			kr := oldRing
			if i%2 == 0 {
				kr = newRing
			}
			pt := fmt.Sprintf("write-%d-%d", id, i)
			v, err := kr.EncryptString(pt, AAD(testCol.AADPrefix, id))
			if err == nil {
				err = db.WithTx(ctx, func(tx *store.Tx) error {
					_, err := tx.ExecContext(ctx, "UPDATE crypt_rot SET secret = $1 WHERE id = $2", v, id)
					return err
				})
			}
			if err != nil {
				werr = err
				return
			}
			want[id] = pt // only this goroutine writes want until wg.Wait
			if written.Add(1) == 20 {
				close(started)
			}
		}
	})
	<-started
	_, err := Rotate(ctx, db, newRing, []Column{testCol}, 7, nil)
	duringRotation := written.Load()
	stop.Store(true)
	wg.Wait()
	if err != nil || werr != nil {
		t.Fatalf("rotate: %v; writer: %v", err, werr)
	}
	if duringRotation < 21 {
		t.Logf("the writer managed only %d writes during rotation", duringRotation)
	}
	check := func() {
		t.Helper()
		got := readAll(t, db, newRing)
		for id, pt := range want {
			if got[id] != pt {
				t.Fatalf("row %d reads %q, want %q: a concurrent write was lost", id, got[id], pt)
			}
		}
	}
	check()
	// After the restart every instance writes under k2; the next run moves
	// what the old instances wrote under k1.
	if _, err := Rotate(ctx, db, newRing, []Column{testCol}, 7, nil); err != nil {
		t.Fatal(err)
	}
	if st := status(t, db, newRing); st.Stale("k2") != 0 || st.ByKey["k2"] != rows {
		t.Fatalf("status after the second run: %+v", st)
	}
	check()
}

func contains(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// Tables keyed by text (a code, a UUID) rotate the same way; the AAD uses
// the key's text.
func TestRotateTextKeys(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	if _, err := db.W.ExecContext(ctx, "CREATE TABLE crypt_doc (code TEXT PRIMARY KEY, number TEXT)"); err != nil {
		t.Fatal(err)
	}
	col := Column{Table: "crypt_doc", Key: "code", Column: "number", AADPrefix: "doc.number"}
	old, cur := fixedRing(t, "k1"), fixedRing(t, "k1", "k2")
	for _, code := range []string{"a-1", "b-2", "c-3"} {
		v, _ := old.EncryptString("4506 "+code, AAD(col.AADPrefix, code))
		if _, err := db.W.ExecContext(ctx, "INSERT INTO crypt_doc (code, number) VALUES ($1, $2)", code, v); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := Rotate(ctx, db, cur, []Column{col}, 2, nil); n != 3 || err != nil {
		t.Fatalf("Rotate = %d, %v", n, err)
	}
	var v string
	if err := db.R.QueryRowContext(ctx, "SELECT number FROM crypt_doc WHERE code = $1", "b-2").Scan(&v); err != nil {
		t.Fatal(err)
	}
	if pt, err := cur.DecryptString(v, "doc.number:b-2"); pt != "4506 b-2" || err != nil || !strings.HasPrefix(v, "v1.k2.") {
		t.Fatalf("after rotation: %q, %v", pt, err)
	}
}
