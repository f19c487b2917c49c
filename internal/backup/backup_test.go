package backup_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"shkola/internal/backup"
	"shkola/internal/store"
	"shkola/internal/store/storetest"
)

// A backup taken while writers commit holds every row committed before it
// started, and it is one snapshot: each parent/child pair and its change
// record are all present or all absent.
func TestBackupUnderWriteLoadRestoresEveryCommittedRow(t *testing.T) {
	ctx := context.Background()
	src := storetest.Open(t, testSet)
	for _, o := range []struct {
		parent any
		name   string
	}{{nil, "region"}, {int64(1), "district"}, {int64(2), "school"}} {
		if _, err := src.W.Exec("INSERT INTO orgs (parent_id, name) VALUES ($1, $2)", o.parent, o.name); err != nil {
			t.Fatal(err)
		}
	}

	var (
		mu        sync.Mutex
		committed = map[int64]bool{}
		wg        sync.WaitGroup
		stop      = make(chan struct{})
		enough    = make(chan struct{})
		errc      = make(chan error, 4)
	)
	for w := range 4 {
		wg.Go(func() {
			for i := w * 1_000_000; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				id, err := insertPair(ctx, src, i)
				if err != nil {
					errc <- err
					return
				}
				mu.Lock()
				committed[id] = true
				if len(committed) == 1000 {
					close(enough)
				}
				mu.Unlock()
			}
		})
	}
	select {
	case <-enough:
	case err := <-errc:
		t.Fatal(err)
	}
	mu.Lock()
	before := make([]int64, 0, len(committed))
	for id := range committed {
		before = append(before, id)
	}
	mu.Unlock()
	archive, m := takeBackup(t, src)
	close(stop)
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}

	// A freshly migrated target (with the platform's seed rows) counts as empty.
	target := storetest.Open(t, testSet)
	verified := false
	got, err := restore(ctx, archive, target, func(ctx context.Context, db *store.DB) error {
		verified = true
		return backup.CountsMatch(m)(ctx, db)
	})
	if err != nil {
		t.Fatalf("%v", err)
	}
	if !verified {
		t.Fatal("the verify hook was not run")
	}
	restored := readParents(t, target)
	for _, id := range before {
		if _, ok := restored[id]; !ok {
			t.Fatalf("parent %d was committed before the backup started but is not in the restore (%d restored)", id, len(restored))
		}
	}
	for id := range restored {
		if !committed[id] {
			t.Fatalf("restored parent %d was never committed", id)
		}
	}
	rows := map[string]int64{}
	for _, tb := range got.Tables {
		rows[tb.Name] = tb.Rows
	}
	if int64(len(restored)) != rows["parents"] {
		t.Fatalf("restored %d parents, manifest says %d", len(restored), rows["parents"])
	}
	if c, ch := count(t, target, "children"), count(t, target, "changes"); c != int64(len(restored)) || ch != int64(len(restored)) {
		t.Fatalf("%d parents, %d children, %d changes: the backup is not one snapshot", len(restored), c, ch)
	}
	var orphans int64
	if err := target.R.QueryRow(`SELECT count(*) FROM parents p WHERE NOT EXISTS (SELECT 1 FROM children c WHERE c.parent_id = p.id)`).Scan(&orphans); err != nil || orphans != 0 {
		t.Fatalf("%d parents without their child (err %v)", orphans, err)
	}
	// Values come back as they were written.
	orig := readParents(t, src)
	for id, p := range restored {
		if o := orig[id]; o.String() != p.String() || !o.At.Equal(p.At) || !bytes.Equal(o.Raw, p.Raw) {
			t.Fatalf("parent %d restored as %v, was %v", id, p, o)
		}
	}
	if n := count(t, target, "orgs"); n != 3 {
		t.Fatalf("orgs: %d rows restored, want 3", n)
	}

	// The restored database keeps working: new ids do not collide and the
	// change log continues after the restored numbers.
	id, err := insertPair(ctx, target, 7)
	if err != nil {
		t.Fatalf("insert after restore: %v", err)
	}
	if restored[id].Label != "" {
		t.Fatalf("new parent got restored id %d", id)
	}
	ch, err := target.ChangesSince(ctx, int64(len(restored)), 10)
	if err != nil || len(ch) != 1 || ch[0].Seq != int64(len(restored))+1 {
		t.Fatalf("change after restore: %+v, %v; want seq %d", ch, err, len(restored)+1)
	}
}

func TestCorruptArchiveIsRefusedBeforeAnythingIsWritten(t *testing.T) {
	ctx := context.Background()
	src := storetest.Open(t, testSet)
	for i := range 40 {
		if _, err := insertPair(ctx, src, i); err != nil {
			t.Fatal(err)
		}
	}
	archive, _ := takeBackup(t, src)

	flipped := bytes.Clone(archive)
	zr, err := zipReader(flipped)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == "tables/parents.jsonl" {
			off, err := f.DataOffset()
			if err != nil {
				t.Fatal(err)
			}
			flipped[off+int64(f.CompressedSize64)/2] ^= 0x40
		}
	}
	cases := map[string]struct {
		archive []byte
		want    string
	}{
		"edited row": {rewrite(t, archive, func(name string, b []byte) []byte {
			if name == "tables/parents.jsonl" {
				return bytes.Replace(b, []byte("pair 5 "), []byte("pair 6 "), 1)
			}
			return b
		}), `table "parents"`},
		"flipped byte": {flipped, `table "parents"`},
		"row removed": {rewrite(t, archive, func(name string, b []byte) []byte {
			if name == "tables/children.jsonl" {
				return b[bytes.IndexByte(b, '\n')+1:]
			}
			return b
		}), `table "children"`},
		"newer schema": {rewrite(t, archive, func(name string, b []byte) []byte {
			if name == "manifest.json" {
				return bytes.Replace(b, []byte(`"schema_migrations": [`),
					[]byte(`"schema_migrations": [{"domain": "backuptest", "version": 3, "name": "0003_future.sql"},`), 1)
			}
			return b
		}), "0003_future.sql"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			target := emptyDB(t)
			_, err := restore(ctx, c.archive, target, nil)
			if err == nil {
				t.Fatal("damaged archive was restored")
			}
			if !bytes.Contains([]byte(err.Error()), []byte(c.want)) {
				t.Fatalf("error %q does not name %s", err, c.want)
			}
			if n := tableCount(t, target); n != 0 {
				t.Fatalf("target has %d tables after a refused restore", n)
			}
		})
	}
}

func TestRestoreRefusesTargetWithData(t *testing.T) {
	ctx := context.Background()
	src := storetest.Open(t, testSet)
	if _, err := insertPair(ctx, src, 1); err != nil {
		t.Fatal(err)
	}
	archive, _ := takeBackup(t, src)

	target := storetest.Open(t, testSet)
	if _, err := target.W.Exec("INSERT INTO orgs (name) VALUES ('mine')"); err != nil {
		t.Fatal(err)
	}
	_, err := restore(ctx, archive, target, nil)
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte(`"orgs"`)) {
		t.Fatalf("restore into a database with data: err = %v, want a refusal naming orgs", err)
	}
	if n := count(t, target, "orgs"); n != 1 {
		t.Fatalf("target orgs has %d rows after refusal, want its 1", n)
	}
	if n := count(t, target, "parents"); n != 0 {
		t.Fatalf("refused restore wrote %d parents", n)
	}
}

func TestFailedVerifyLeavesTargetEmpty(t *testing.T) {
	ctx := context.Background()
	src := storetest.Open(t, testSet)
	if _, err := insertPair(ctx, src, 1); err != nil {
		t.Fatal(err)
	}
	archive, _ := takeBackup(t, src)
	target := emptyDB(t)
	broken := errors.New("audit chain broken at entry 7")
	_, err := restore(ctx, archive, target, func(context.Context, *store.DB) error { return broken })
	if !errors.Is(err, broken) {
		t.Fatalf("err = %v, want the verifier's error", err)
	}
	if n := tableCount(t, target); n != 0 {
		t.Fatalf("target has %d tables after a failed verify", n)
	}
	// The same archive then restores into it.
	if _, err := restore(ctx, archive, target, nil); err != nil {
		t.Fatalf("restore after failed attempt: %v", err)
	}
	if n := count(t, target, "parents"); n != 1 {
		t.Fatalf("parents = %d, want 1", n)
	}
}

// A backup of the test's engine restores into a SQLite file, which is
// replaced only when it is empty or with force, and only after verification.
func TestRestoreFileSwapsOnlyAfterVerification(t *testing.T) {
	ctx := context.Background()
	src := storetest.Open(t, testSet)
	for i := range 5 {
		if _, err := insertPair(ctx, src, i); err != nil {
			t.Fatal(err)
		}
	}
	data, m := takeBackup(t, src)
	a, err := backup.Open(bytes.NewReader(data), int64(len(data)), migrations())
	if err != nil {
		t.Fatal(err)
	}
	path := t.TempDir() + "/region.db"
	existing, err := store.Open(ctx, path, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := existing.Migrate(ctx, migrations()); err != nil {
		t.Fatal(err)
	}
	if _, err := insertPair(ctx, existing, 99); err != nil {
		t.Fatal(err)
	}
	if err := existing.Close(); err != nil {
		t.Fatal(err)
	}
	labels := func() []string {
		db, err := store.Open(ctx, path, "")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var out []string
		for _, p := range readParents(t, db) {
			out = append(out, p.Label)
		}
		return out
	}
	original := labels()

	if err := a.RestoreFile(ctx, path, false, nil); err == nil || !bytes.Contains([]byte(err.Error()), []byte("--force")) {
		t.Fatalf("restore over a database with data without force: %v", err)
	}
	broken := errors.New("verification says no")
	if err := a.RestoreFile(ctx, path, true, func(context.Context, *store.DB) error { return broken }); !errors.Is(err, broken) {
		t.Fatalf("failed verify: err = %v", err)
	}
	if got := labels(); !reflect.DeepEqual(got, original) {
		t.Fatalf("a failed restore changed the file: %v, was %v", got, original)
	}
	if err := a.RestoreFile(ctx, path, true, backup.CountsMatch(m)); err != nil {
		t.Fatalf("forced restore: %v", err)
	}
	if got := labels(); len(got) != 5 {
		t.Fatalf("after restore the file holds %d parents, want 5", len(got))
	}
	fresh := t.TempDir() + "/new.db"
	if err := a.RestoreFile(ctx, fresh, false, nil); err != nil {
		t.Fatalf("restore into a new file: %v", err)
	}
}

// An archive of SQLite restores into PostgreSQL: booleans, times, bytes and
// floats convert, and the identity sequences move past the restored ids.
func TestSQLiteBackupRestoresIntoPostgres(t *testing.T) {
	if storetest.Engine() != store.Postgres {
		t.Skip("runs with SHKOLA_TEST_DB=postgres")
	}
	ctx := context.Background()
	src, err := store.Open(ctx, t.TempDir()+"/src.db", "")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if _, err := src.Migrate(ctx, migrations()); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if _, err := insertPair(ctx, src, i); err != nil {
			t.Fatal(err)
		}
	}
	archive, _ := takeBackup(t, src)
	target := emptyDB(t)
	if _, err := restore(ctx, archive, target, nil); err != nil {
		t.Fatalf("restore into postgres: %v", err)
	}
	want, got := readParents(t, src), readParents(t, target)
	if fmt.Sprint(want) != fmt.Sprint(got) {
		t.Fatalf("restored %v\nwant %v", got, want)
	}
	id, err := insertPair(ctx, target, 11)
	if err != nil || id != 11 {
		t.Fatalf("insert after restore: id %d, err %v; want id 11", id, err)
	}
}
