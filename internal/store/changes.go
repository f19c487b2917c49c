package store

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"io/fs"
	"time"
)

//go:embed migrations/*.sql
var platformMigrations embed.FS

// PlatformMigrations creates the tables of the store itself (the change log).
// It is always the first set.
func PlatformMigrations() MigrationSet {
	sub, err := fs.Sub(platformMigrations, "migrations")
	if err != nil {
		panic(err) // the embedded directory is part of the binary
	}
	return MigrationSet{Domain: "platform", FS: sub}
}

// Change is one recorded write. Seq is assigned in the writing transaction
// under a row lock on the counter, so seq order is commit order and a feed
// reader asking "since N" never skips a change that commits later with a
// smaller number.
type Change struct {
	Seq      int64           `json:"seq"`
	At       time.Time       `json:"at"`
	Entity   string          `json:"entity"`
	EntityID string          `json:"entity_id"`
	Op       string          `json:"op"` // create, update, delete
	OrgID    *int64          `json:"org_id,omitempty"`
	Actor    string          `json:"actor,omitempty"`
	Data     json.RawMessage `json:"data,omitempty"`
}

// Ops of a change.
const (
	OpCreate = "create"
	OpUpdate = "update"
	OpDelete = "delete"
)

// Record appends a change in the same transaction as the data it describes.
// data should carry identifiers and versions, not personal data: consumers
// fetch the record through access control. The change is numbered and
// written just before COMMIT (Tx.flush), with the others of the
// transaction in one statement.
func (tx *Tx) Record(ctx context.Context, c Change) error {
	if c.Entity == "" || c.EntityID == "" || c.Op == "" {
		return errors.New("record change: entity, id and op are required")
	}
	if c.At.IsZero() {
		c.At = time.Now()
	}
	tx.changes = append(tx.changes, c)
	return nil
}

// ChangesSince returns up to limit changes with seq > since, oldest first.
func (db *DB) ChangesSince(ctx context.Context, since int64, limit int) ([]Change, error) {
	rows, err := db.R.QueryContext(ctx, `SELECT seq, at, entity, entity_id, op, org_id, actor, data
		FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2`, since, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		var c Change
		var actor, data *string
		if err := rows.Scan(&c.Seq, &c.At, &c.Entity, &c.EntityID, &c.Op, &c.OrgID, &actor, &data); err != nil {
			return nil, err
		}
		if actor != nil {
			c.Actor = *actor
		}
		if data != nil {
			c.Data = json.RawMessage(*data)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
