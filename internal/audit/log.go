package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"shkola/internal/identity"
	"shkola/internal/store"
)

// DefaultCheckpointEvery is how many entries pass between automatic signed
// checkpoints.
const DefaultCheckpointEvery = 1000

// maxDetail bounds the free-text detail: it is a hint, not a data dump.
const maxDetail = 1000

// Log appends entries to the hash chain and signs checkpoints.
type Log struct {
	db     *store.DB
	signer *Signer
	now    func() time.Time
	// CheckpointEvery: Append also writes a signed checkpoint whenever the
	// entry number is a multiple of it; 0 turns automatic checkpoints off.
	CheckpointEvery int64
}

// New returns the log on db. signer may be nil for tools that only verify;
// then Append writes no checkpoints and Checkpoint fails. now defaults to
// time.Now.
func New(db *store.DB, signer *Signer, now func() time.Time) *Log {
	if now == nil {
		now = time.Now
	}
	return &Log{db: db, signer: signer, now: now, CheckpointEvery: DefaultCheckpointEvery}
}

// Append writes e in tx, the same transaction as the change it records, so
// both commit or neither. Actor and origin come from identity.From(ctx). Any
// error must make the caller roll back: no change is made unaudited.
//
// The entry is checked now and chained just before COMMIT, with the other
// entries of the transaction: chaining locks the head row until the
// transaction ends, serialising every audited write, so it is done last
// (store.Tx.BeforeCommit) to keep that lock short.
func (l *Log) Append(ctx context.Context, tx *store.Tx, e Entry) error {
	r, err := l.record(ctx, e)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	key := pendingKey{l}
	p, _ := tx.Value(key).(*pending)
	if p == nil {
		p = &pending{}
		tx.SetValue(key, p)
		tx.BeforeCommit(func(ctx context.Context) error { return l.chain(ctx, tx, p.records) })
	}
	p.records = append(p.records, r)
	return nil
}

// pending holds a transaction's entries until they are chained.
type pending struct{ records []Record }

type pendingKey struct{ l *Log }

// chain numbers rs after the head, links each to the one before and
// writes them: three statements however many entries.
func (l *Log) chain(ctx context.Context, tx *store.Tx, rs []Record) error {
	// Taking the numbers and the previous hash in one UPDATE locks the
	// head row, so concurrent writers queue here and the chain never forks.
	var last int64
	var prev string
	if err := tx.QueryRowContext(ctx, "UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash", len(rs)).
		Scan(&last, &prev); err != nil {
		return fmt.Errorf("audit: head: %w", err)
	}
	first := last - int64(len(rs)) + 1
	for i := range rs {
		rs[i].Seq, rs[i].PrevHash = first+int64(i), prev
		rs[i].Hash = rs[i].ComputeHash()
		prev = rs[i].Hash
	}
	fill := func(i int, args []any) error {
		copy(args, rs[i].values())
		return nil
	}
	insert := "INSERT INTO audit_log (" + columns + ") VALUES "
	if tx.Engine == store.Postgres {
		// The head's new hash goes with the entries: one statement fewer
		// while the head is locked. (SQLite has no UPDATE in a WITH.)
		err := store.InsertRowsWith(ctx, tx, "WITH h AS (UPDATE audit_head SET hash = $1 WHERE id = 1) "+insert, []any{prev}, columnCount, len(rs), fill)
		if err != nil {
			return fmt.Errorf("audit: entries %d-%d: %w", first, last, err)
		}
	} else {
		if err := store.InsertRows(ctx, tx, insert, columnCount, len(rs), fill); err != nil {
			return fmt.Errorf("audit: entries %d-%d: %w", first, last, err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE audit_head SET hash = $1 WHERE id = 1", prev); err != nil {
			return fmt.Errorf("audit: head: %w", err)
		}
	}
	if l.signer == nil || l.CheckpointEvery <= 0 {
		return nil
	}
	for _, r := range rs {
		if r.Seq%l.CheckpointEvery == 0 {
			if _, err := l.insertCheckpoint(ctx, tx, r.Seq, r.Hash); err != nil {
				return err
			}
		}
	}
	return nil
}

// Write records e in its own transaction: denials, reads of personal data,
// failed logins. If it fails, the caller must not serve the data.
func (l *Log) Write(ctx context.Context, e Entry) error {
	return l.db.WithTx(ctx, func(tx *store.Tx) error { return l.Append(ctx, tx, e) })
}

// record checks e and fills in time, actor and origin.
func (l *Log) record(ctx context.Context, e Entry) (Record, error) {
	if !e.Action.Valid() {
		return Record{}, fmt.Errorf("action %q is not in the catalogue", e.Action)
	}
	if e.Outcome == "" {
		e.Outcome = Success
	}
	if !e.Outcome.Valid() {
		return Record{}, fmt.Errorf("outcome %q is not success, failure or denied", e.Outcome)
	}
	if len(e.Detail) > maxDetail {
		return Record{}, fmt.Errorf("detail is longer than %d bytes", maxDetail)
	}
	a := identity.From(ctx)
	r := Record{
		At:         l.now().UTC().Truncate(time.Microsecond), // what both engines store
		Action:     e.Action,
		Outcome:    e.Outcome,
		AccountID:  a.AccountID,
		Login:      a.Login,
		Roles:      roles(a.Grants),
		SessionID:  a.SessionID,
		ClientID:   a.ClientID,
		Addr:       a.Addr,
		UserAgent:  a.UserAgent,
		RequestID:  a.RequestID,
		ObjectType: e.ObjectType,
		ObjectID:   e.ObjectID,
		OrgID:      e.OrgID,
		PersonID:   e.PersonID,
		Detail:     e.Detail,
	}
	if e.Login != "" {
		r.Login = e.Login
	}
	if len(e.Changes) > 0 {
		b, err := json.Marshal(e.Changes)
		if err != nil {
			return Record{}, fmt.Errorf("changes: %w", err)
		}
		r.Changes = string(b)
	}
	return r, nil
}

func roles(gs []identity.Grant) string {
	var b strings.Builder
	for i, g := range gs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(string(g.Role))
		b.WriteByte('@')
		b.WriteString(strconv.FormatInt(g.OrgID, 10))
	}
	return b.String()
}

// Checkpoint signs the current head of the chain and stores the signature.
func (l *Log) Checkpoint(ctx context.Context) (Checkpoint, error) {
	var cp Checkpoint
	err := l.db.WithTx(ctx, func(tx *store.Tx) error {
		var seq int64
		var hash string
		if err := tx.QueryRowContext(ctx, "SELECT seq, hash FROM audit_head WHERE id = 1"+tx.Engine.ForUpdate()).
			Scan(&seq, &hash); err != nil {
			return fmt.Errorf("audit: head: %w", err)
		}
		var err error
		cp, err = l.insertCheckpoint(ctx, tx, seq, hash)
		return err
	})
	return cp, err
}

func (l *Log) insertCheckpoint(ctx context.Context, tx *store.Tx, seq int64, hash string) (Checkpoint, error) {
	if l.signer == nil {
		return Checkpoint{}, errors.New("audit: checkpoint: no signing key")
	}
	cp := Checkpoint{Seq: seq, HeadHash: hash, At: l.now().UTC().Truncate(time.Microsecond), KeyID: l.signer.KeyID()}
	cp.Signature = l.signer.sign(cp.message())
	if err := tx.QueryRowContext(ctx, `INSERT INTO audit_checkpoints (seq, head_hash, at, key_id, signature)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		cp.Seq, cp.HeadHash, cp.At, cp.KeyID, cp.signatureText()).Scan(&cp.ID); err != nil {
		return Checkpoint{}, fmt.Errorf("audit: checkpoint at %d: %w", seq, err)
	}
	return cp, nil
}
