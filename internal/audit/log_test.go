package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"shkola/internal/identity"
	"shkola/internal/store"
	"shkola/internal/store/storetest"
)

// newLog returns a log on a fresh database with a throwaway key and a clock
// that advances one second per call.
func newLog(t testing.TB) (*Log, *store.DB) {
	t.Helper()
	db := storetest.Open(t, Migrations())
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	clock := time.Date(2025, 9, 1, 8, 0, 0, 123456789, time.FixedZone("MSK", 3*3600))
	now := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(time.Second)
		return clock
	}
	return New(db, NewSigner(priv), now), db
}

func actorCtx() context.Context {
	return identity.With(context.Background(), &identity.Actor{
		AccountID: 7, Login: "ivanova", SessionID: "s-1", Addr: "10.0.0.5", UserAgent: "Firefox",
		RequestID: "req-42", Grants: []identity.Grant{{Role: identity.Teacher, OrgID: 12}, {Role: identity.ClassTeacher, OrgID: 12}},
	})
}

func org(id int64) *int64 { return &id }

// fill writes n entries, one transaction each.
func fill(t testing.TB, l *Log, n int) {
	t.Helper()
	ctx := actorCtx()
	for i := 0; i < n; i++ {
		err := l.Write(ctx, Entry{Action: RecordUpdate, ObjectType: "mark", ObjectID: "m" + string(rune('a'+i%26)),
			OrgID: org(12), Changes: []FieldChange{{Field: "value", Old: "4", New: "5"}}})
		if err != nil {
			t.Fatalf("write %d: %v", i+1, err)
		}
	}
}

func verifyOK(t *testing.T, l *Log, opt VerifyOptions) *Report {
	t.Helper()
	rep, err := l.Verify(context.Background(), opt)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if !rep.OK() {
		t.Fatalf("verify found problems on an untouched log:\n%s", rep)
	}
	return rep
}

func TestAppendRecordsActorAndVerifies(t *testing.T) {
	l, _ := newLog(t)
	ctx := actorCtx()
	if err := l.Write(ctx, Entry{Action: RecordUpdate, ObjectType: "mark", ObjectID: "55", OrgID: org(12), PersonID: 900,
		Changes: []FieldChange{{Field: "value", Old: "3", New: "4"}}, Detail: "correction"}); err != nil {
		t.Fatal(err)
	}
	if err := l.Write(context.Background(), Entry{Action: LoginFailed, Outcome: Failure, Login: "petrov"}); err != nil {
		t.Fatal(err)
	}
	recs, _, err := l.Search(context.Background(), Filter{}, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Fatalf("got %d entries, want 2", len(recs))
	}
	failed, upd := recs[0], recs[1]
	if upd.Seq != 1 || upd.Action != RecordUpdate || upd.Outcome != Success || upd.AccountID != 7 || upd.Login != "ivanova" ||
		upd.Roles != "teacher@12,class_teacher@12" || upd.SessionID != "s-1" || upd.Addr != "10.0.0.5" ||
		upd.UserAgent != "Firefox" || upd.RequestID != "req-42" || upd.ObjectID != "55" || upd.OrgID == nil || *upd.OrgID != 12 ||
		upd.PersonID != 900 || upd.Detail != "correction" {
		t.Errorf("entry 1 = %+v", upd)
	}
	if upd.Changes != `[{"field":"value","old":"3","new":"4"}]` {
		t.Errorf("changes = %s", upd.Changes)
	}
	if upd.At.Location() != time.UTC || upd.At.Hour() != 5 || upd.At.Nanosecond() != 123456000 {
		t.Errorf("time = %v, want UTC 05:00:01.123456", upd.At)
	}
	if failed.Seq != 2 || failed.Login != "petrov" || failed.AccountID != 0 || failed.Outcome != Failure || failed.PrevHash != upd.Hash {
		t.Errorf("entry 2 = %+v", failed)
	}
	rep := verifyOK(t, l, VerifyOptions{})
	if rep.Entries != 2 {
		t.Errorf("verified %d entries, want 2", rep.Entries)
	}
}

func TestAppendRefusesBadEntries(t *testing.T) {
	l, _ := newLog(t)
	for _, e := range []Entry{
		{Action: "mark.fudge"},
		{Action: RecordUpdate, Outcome: "maybe"},
		{Action: RecordUpdate, Detail: strings.Repeat("x", maxDetail+1)},
	} {
		if err := l.Write(context.Background(), e); err == nil {
			t.Errorf("Write(%+v) succeeded", e.Action)
		}
	}
	rep := verifyOK(t, l, VerifyOptions{})
	if rep.Entries != 0 {
		t.Errorf("%d entries after refused writes", rep.Entries)
	}
}

// A change and its audit entry commit together or not at all.
func TestChangeRollsBackWhenAuditFails(t *testing.T) {
	l, db := newLog(t)
	ctx := actorCtx()
	if _, err := db.W.Exec("CREATE TABLE marks (id INTEGER PRIMARY KEY, value TEXT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	change := func(id int, e Entry) error {
		return db.WithTx(ctx, func(tx *store.Tx) error {
			if _, err := tx.ExecContext(ctx, "INSERT INTO marks (id, value) VALUES ($1, '5')", id); err != nil {
				return err
			}
			return l.Append(ctx, tx, e)
		})
	}
	count := func(q string) int {
		var n int
		if err := db.W.QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if err := change(1, Entry{Action: "not.in.catalogue", ObjectType: "mark", ObjectID: "1"}); err == nil {
		t.Fatal("change with an invalid audit entry committed")
	}
	if n := count("SELECT COUNT(*) FROM marks"); n != 0 {
		t.Errorf("mark saved although its audit entry failed")
	}
	if err := change(2, Entry{Action: RecordCreate, ObjectType: "mark", ObjectID: "2"}); err != nil {
		t.Fatal(err)
	}
	// The audit table refusing writes (here: gone) must stop the change too.
	if _, err := db.W.Exec("ALTER TABLE audit_log RENAME TO audit_log_away"); err != nil {
		t.Fatal(err)
	}
	if err := change(3, Entry{Action: RecordCreate, ObjectType: "mark", ObjectID: "3"}); err == nil {
		t.Fatal("change committed while the audit log could not be written")
	}
	if _, err := db.W.Exec("ALTER TABLE audit_log_away RENAME TO audit_log"); err != nil {
		t.Fatal(err)
	}
	if n := count("SELECT COUNT(*) FROM marks"); n != 1 {
		t.Errorf("%d marks, want only the audited one", n)
	}
	if n := count("SELECT seq FROM audit_head"); n != 1 {
		t.Errorf("head at %d after a failed append, want 1", n)
	}
	verifyOK(t, l, VerifyOptions{})
}

func TestAutomaticCheckpoints(t *testing.T) {
	l, _ := newLog(t)
	l.CheckpointEvery = 10
	fill(t, l, 25)
	cps, err := Checkpoints(context.Background(), l.db.R)
	if err != nil {
		t.Fatal(err)
	}
	if len(cps) != 2 || cps[0].Seq != 10 || cps[1].Seq != 20 {
		t.Fatalf("checkpoints = %+v, want at 10 and 20", cps)
	}
	for _, c := range cps {
		if !c.Valid(l.signer.PublicKey()) || c.KeyID != l.signer.KeyID() {
			t.Errorf("checkpoint %d does not verify", c.ID)
		}
	}
	cp, err := l.Checkpoint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if cp.Seq != 25 {
		t.Errorf("manual checkpoint at %d, want 25", cp.Seq)
	}
	rep := verifyOK(t, l, VerifyOptions{})
	if rep.Checkpoints != 3 {
		t.Errorf("verified %d checkpoints, want 3", rep.Checkpoints)
	}
}

func TestConcurrentAppendsFormOneChain(t *testing.T) {
	l, db := newLog(t)
	l.CheckpointEvery = 100
	ctx := actorCtx()
	var wg sync.WaitGroup
	errc := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if err := l.Write(ctx, Entry{Action: ReadSpecial, ObjectType: "person", ObjectID: "p"}); err != nil {
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
	rep := verifyOK(t, l, VerifyOptions{})
	if rep.Entries != 400 || rep.Checkpoints != 4 {
		t.Errorf("verified %d entries and %d checkpoints, want 400 and 4", rep.Entries, rep.Checkpoints)
	}
	var lo, hi, n int64
	if err := db.R.QueryRow("SELECT MIN(seq), MAX(seq), COUNT(*) FROM audit_log").Scan(&lo, &hi, &n); err != nil {
		t.Fatal(err)
	}
	if lo != 1 || hi != 400 || n != 400 {
		t.Errorf("seq %d..%d, %d rows; want 1..400", lo, hi, n)
	}
}

// Without a key the chain is still verified, but checkpoints cannot pass.
func TestVerifyWithoutAKey(t *testing.T) {
	l, db := newLog(t)
	ctx := context.Background()
	if err := New(db, nil, nil).Write(ctx, Entry{Action: Backup}); err != nil {
		t.Errorf("a log without a signer cannot append: %v", err)
	}
	rep, err := New(db, nil, nil).Verify(ctx, VerifyOptions{})
	if err != nil || !rep.OK() || rep.Entries != 1 {
		t.Fatalf("keyless verify of a checkpoint-free chain: %+v %v", rep, err)
	}
	if _, err := db.W.Exec("UPDATE audit_log SET detail = 'edited' WHERE seq = 1"); err != nil {
		t.Fatal(err)
	}
	if rep, err := New(db, nil, nil).Verify(ctx, VerifyOptions{}); err != nil || rep.OK() {
		t.Fatalf("keyless verify missed an edited entry: %+v %v", rep, err)
	}
	if _, err := db.W.Exec("UPDATE audit_log SET detail = '' WHERE seq = 1"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	rep, err = New(db, nil, nil).Verify(ctx, VerifyOptions{})
	if err != nil || rep.OK() || !strings.Contains(rep.String(), "no public key") {
		t.Fatalf("keyless verify passed a log with checkpoints: %+v %v", rep, err)
	}
	if _, err := New(db, nil, nil).Checkpoint(context.Background()); err == nil {
		t.Error("checkpoint without a key succeeded")
	}
}

func BenchmarkAppend(b *testing.B) {
	l, _ := newLog(b)
	ctx := actorCtx()
	e := Entry{Action: RecordUpdate, ObjectType: "mark", ObjectID: "1", OrgID: org(3),
		Changes: []FieldChange{{Field: "value", Old: "4", New: "5"}}}
	for b.Loop() {
		if err := l.Write(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
}

// The entries of one transaction are chained together at its end, in the
// order appended, and a checkpoint that falls among them is written.
func TestEntriesOfOneTransactionChainInOrder(t *testing.T) {
	l, db := newLog(t)
	l.CheckpointEvery = 4
	fill(t, l, 2)
	ctx := actorCtx()
	err := db.WithTx(ctx, func(tx *store.Tx) error {
		for _, id := range []string{"a", "b", "c", "d", "e"} {
			if err := l.Append(ctx, tx, Entry{Action: RecordUpdate, ObjectType: "mark", ObjectID: id}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.R.Query("SELECT seq, object_id FROM audit_log WHERE seq > 2 ORDER BY seq")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var seq int64
		var id string
		if err := rows.Scan(&seq, &id); err != nil {
			t.Fatal(err)
		}
		got = append(got, id)
	}
	if strings.Join(got, "") != "abcde" {
		t.Errorf("entries 3.. are %v, want a..e in order", got)
	}
	rep := verifyOK(t, l, VerifyOptions{})
	if rep.Entries != 7 || rep.Checkpoints != 1 {
		t.Errorf("verified %d entries and %d checkpoints, want 7 and 1 (at 4)", rep.Entries, rep.Checkpoints)
	}
}

// A transaction whose work fails after appending leaves no entry and does
// not move the head.
func TestRolledBackAppendLeavesNoTrace(t *testing.T) {
	l, db := newLog(t)
	fill(t, l, 1)
	ctx := actorCtx()
	boom := errors.New("boom")
	err := db.WithTx(ctx, func(tx *store.Tx) error {
		if err := l.Append(ctx, tx, Entry{Action: RecordUpdate, ObjectType: "mark", ObjectID: "x"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	fill(t, l, 1)
	if rep := verifyOK(t, l, VerifyOptions{}); rep.Entries != 2 {
		t.Errorf("verified %d entries, want 2", rep.Entries)
	}
}
