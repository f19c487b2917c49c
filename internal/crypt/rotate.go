package crypt

import (
	"context"
	"fmt"
	"regexp"

	"shkola/internal/store"
)

// Column names one encrypted column for rotation and status. Domains list
// theirs; the names are fixed strings in code, never input, and are checked
// as plain identifiers before they enter SQL. The AAD of a value is
// AAD(AADPrefix, <value of Key in its row>): the same as the domain used
// when it encrypted the value.
type Column struct {
	Table     string // e.g. "person"
	Key       string // the row's unique key column, e.g. "id"
	Column    string // the encrypted column, e.g. "snils_enc"
	AADPrefix string // e.g. "person.snils"
}

func (c Column) String() string { return c.Table + "." + c.Column }

var identPattern = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

func (c Column) check() error {
	for _, s := range []string{c.Table, c.Key, c.Column} {
		if !identPattern.MatchString(s) {
			return fmt.Errorf("encrypted column %s: %q is not a plain lowercase identifier", c, s)
		}
	}
	return nil
}

// Rotate re-encrypts under the current key every value of cols that is not
// already under it, batch rows per transaction, while the server keeps
// running. It returns how many values it rewrote; progress (may be nil) gets
// the running total after each committed batch.
//
// Each update is conditional on the stored ciphertext being the one read
// (WHERE key = .. AND col = old): a value the running server wrote meanwhile
// is never overwritten. A server still running with the old key file keeps
// reading everything (old keys stay in the ring until rotation is done) but
// writes under its current key; Status shows such values, and another
// Rotate after the servers have the new key file moves them.
//
// Rows are visited once, in key order, so a run ends even while values keep
// changing. An undecryptable value stops the run with an error naming the row.
func Rotate(ctx context.Context, db *store.DB, kr *Keyring, cols []Column, batch int, progress func(done int)) (n int, err error) {
	if batch <= 0 {
		batch = 500
	}
	for _, c := range cols {
		if err := c.check(); err != nil {
			return n, err
		}
	}
	for _, c := range cols {
		if n, err = rotateColumn(ctx, db, kr, c, batch, n, progress); err != nil {
			return n, err
		}
	}
	return n, nil
}

type pending struct {
	key any
	old string
}

func rotateColumn(ctx context.Context, db *store.DB, kr *Keyring, c Column, batch, done int, progress func(int)) (int, error) {
	// Identifiers were checked by Column.check; every value is a placeholder.
	base := "SELECT " + c.Key + ", " + c.Column + " FROM " + c.Table +
		" WHERE " + c.Column + " IS NOT NULL AND " + c.Column + " <> '' AND " + c.Column + " NOT LIKE $1" // #nosec G202 -- checked identifiers
	update := "UPDATE " + c.Table + " SET " + c.Column + " = $1 WHERE " + c.Key + " = $2 AND " + c.Column + " = $3" // #nosec G202 -- checked identifiers
	notCurrent := version + "." + kr.Current() + ".%"
	var last any
	for {
		var seen int
		err := db.WithTx(ctx, func(tx *store.Tx) error {
			var a store.Args
			q := base
			a.Add(notCurrent)
			if last != nil {
				q += " AND " + c.Key + " > " + a.Add(last)
			}
			q += " ORDER BY " + c.Key + " LIMIT " + a.Add(batch)
			todo, err := readPending(ctx, tx, q, a.Values)
			if err != nil {
				return fmt.Errorf("%s: %w", c, err)
			}
			seen = len(todo)
			moved := 0
			for _, p := range todo {
				aad := AAD(c.AADPrefix, p.key)
				plain, err := kr.Decrypt(p.old, aad)
				if err != nil {
					return fmt.Errorf("%s row %s = %v: %w", c, c.Key, p.key, err)
				}
				val, err := kr.Encrypt(plain, aad)
				if err != nil {
					return err
				}
				res, err := tx.ExecContext(ctx, update, val, p.key, p.old)
				if err != nil {
					return fmt.Errorf("%s row %s = %v: %w", c, c.Key, p.key, err)
				}
				k, err := res.RowsAffected()
				if err != nil {
					return err
				}
				moved += int(k) // 0: changed meanwhile, the newer value stays
			}
			if seen > 0 {
				last = todo[seen-1].key
			}
			tx.AfterCommit(func() { done += moved })
			return nil
		})
		if err != nil {
			return done, err
		}
		if seen > 0 && progress != nil {
			progress(done)
		}
		if seen < batch {
			return done, nil
		}
	}
}

func readPending(ctx context.Context, tx *store.Tx, q string, args []any) ([]pending, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []pending
	for rows.Next() {
		var p pending
		if err := rows.Scan(&p.key, &p.old); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// ColumnStatus counts the values of one column by the key they are under.
type ColumnStatus struct {
	Column Column
	ByKey  map[string]int // key id in the ring -> values under it
	// Other counts values under no key of the ring: a key removed too early,
	// or text that is not an encrypted value at all. Both need attention.
	Other int
}

// Stale is how many values are not under the current key.
func (s ColumnStatus) Stale(current string) int {
	n := s.Other
	for id, c := range s.ByKey {
		if id != current {
			n += c
		}
	}
	return n
}

// Status counts the values of cols per key id of kr.
func Status(ctx context.Context, q store.Querier, kr *Keyring, cols []Column) ([]ColumnStatus, error) {
	var out []ColumnStatus
	for _, c := range cols {
		if err := c.check(); err != nil {
			return nil, err
		}
		base := "SELECT COUNT(*) FROM " + c.Table + " WHERE " + c.Column + " IS NOT NULL AND " + c.Column + " <> ''" // #nosec G202 -- checked identifiers
		var total int
		if err := q.QueryRowContext(ctx, base).Scan(&total); err != nil {
			return nil, fmt.Errorf("%s: %w", c, err)
		}
		st := ColumnStatus{Column: c, ByKey: map[string]int{}, Other: total}
		for _, id := range kr.IDs() {
			var n int
			if err := q.QueryRowContext(ctx, base+" AND "+c.Column+" LIKE $1", version+"."+id+".%").Scan(&n); err != nil {
				return nil, fmt.Errorf("%s: %w", c, err)
			}
			st.ByKey[id] = n
			st.Other -= n
		}
		out = append(out, st)
	}
	return out, nil
}
