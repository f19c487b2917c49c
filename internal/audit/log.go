package audit

import (
	"context"
	"errors"
	"time"

	"shkola/internal/store"
)

// DefaultCheckpointEvery is how many entries pass between automatic signed
// checkpoints.
const DefaultCheckpointEvery = 1000

// Log appends entries to the hash chain and signs checkpoints.
type Log struct {
	db     *store.DB
	signer *Signer
	now    func() time.Time
	// CheckpointEvery: Append writes a signed checkpoint whenever the entry
	// number is a multiple of it; 0 disables automatic checkpoints.
	CheckpointEvery int64
}

// New returns the log on db. signer may be nil only for tools that verify;
// Append then writes no checkpoints and Checkpoint fails. now defaults to
// time.Now.
func New(db *store.DB, signer *Signer, now func() time.Time) *Log {
	if now == nil {
		now = time.Now
	}
	return &Log{db: db, signer: signer, now: now, CheckpointEvery: DefaultCheckpointEvery}
}

// Append writes e in tx, the same transaction as the change it records, so
// both commit or neither. Actor and origin come from identity.From(ctx). Any
// error must make the caller roll back: the change is not made unaudited.
func (l *Log) Append(ctx context.Context, tx *store.Tx, e Entry) error {
	return errors.New("audit: not implemented yet")
}

// Write records e in its own transaction: denials, reads of personal data,
// failed logins. If it fails, the caller must not serve the data.
func (l *Log) Write(ctx context.Context, e Entry) error {
	return l.db.WithTx(ctx, func(tx *store.Tx) error { return l.Append(ctx, tx, e) })
}
