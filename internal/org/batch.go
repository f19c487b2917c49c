package org

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"shkola/internal/errs"
	"shkola/internal/store"
)

// Batch creates organisations inside a caller's transaction with prepared
// statements, so the demo generator and imports insert hundreds at once;
// Create is a batch of one.
type Batch struct {
	s      *Service
	tx     *store.Tx
	now    time.Time
	by     string
	parent *sql.Stmt
	insert *sql.Stmt
	self   *sql.Stmt
	up     *sql.Stmt
	hist   *sql.Stmt
}

// NewBatch prepares the statements on tx. Close it before tx ends.
func (s *Service) NewBatch(ctx context.Context, tx *store.Tx) (*Batch, error) {
	b := &Batch{s: s, tx: tx, now: s.now(), by: s.actor(ctx)}
	var err error
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = tx.PrepareContext(ctx, q)
		return st
	}
	b.parent = prep(`SELECT kind, country, status FROM organisations WHERE id = $1`)
	b.insert = prep(`INSERT INTO organisations (parent_id, kind, name, name_search, short_name, country, inn, ogrn, edrpou, address, status, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'active', 1, $11, $11) RETURNING id`)
	b.self = prep(`INSERT INTO org_tree (ancestor_id, descendant_id, depth) VALUES ($1, $1, 0)`)
	b.up = prep(`INSERT INTO org_tree (ancestor_id, descendant_id, depth)
		SELECT ancestor_id, CAST($1 AS BIGINT), depth + 1 FROM org_tree WHERE descendant_id = $2`)
	b.hist = prep(`INSERT INTO org_history (org_id, version, changed_at, changed_by, changes) VALUES ($1, $2, $3, $4, $5)`)
	if err != nil {
		_ = b.Close() // the error returned below is the one to report
		return nil, fmt.Errorf("prepare organisation batch: %w", err)
	}
	return b, nil
}

// SetTime fixes the creation time of what follows (the demo uses a fixed
// date so that a seed always gives the same rows).
func (b *Batch) SetTime(t time.Time) { b.now = t.UTC().Truncate(time.Microsecond) }

// Close releases the prepared statements.
func (b *Batch) Close() error {
	var err error
	for _, st := range []*sql.Stmt{b.parent, b.insert, b.self, b.up, b.hist} {
		if st != nil {
			err = errors.Join(err, st.Close())
		}
	}
	return err
}

// Create validates n, inserts it with its closure rows and first history
// entry, and records the change.
func (b *Batch) Create(ctx context.Context, n New) (Organisation, error) {
	f := fields{Name: n.Name, ShortName: n.ShortName, Country: n.Country, INN: n.INN, OGRN: n.OGRN, EDRPOU: n.EDRPOU, Address: n.Address}
	var v errs.Validation
	if !n.Kind.Valid() {
		v.Add("kind", "enum", "kind must be one of region, municipality, school, preschool, out_of_school, college")
	}
	f.normalise(&v)
	if n.Kind.Valid() {
		b.checkParent(ctx, n, &v)
	}
	if err := v.Err(); err != nil {
		return Organisation{}, err
	}
	o := Organisation{ParentID: n.ParentID, Kind: n.Kind, Name: f.Name, ShortName: f.ShortName, Country: f.Country,
		INN: f.INN, OGRN: f.OGRN, EDRPOU: f.EDRPOU, Address: f.Address, Status: Active, Version: 1, CreatedAt: b.now, UpdatedAt: b.now}
	if err := b.insert.QueryRowContext(ctx, o.ParentID, o.Kind, o.Name, searchKey(o.Name+" "+o.ShortName), o.ShortName, o.Country,
		nullable(o.INN), nullable(o.OGRN), nullable(o.EDRPOU), o.Address, b.now).Scan(&o.ID); err != nil {
		return o, uniqueError(err)
	}
	if _, err := b.self.ExecContext(ctx, o.ID); err != nil {
		return o, fmt.Errorf("org tree: %w", err)
	}
	if o.ParentID != nil {
		if _, err := b.up.ExecContext(ctx, o.ID, *o.ParentID); err != nil {
			return o, fmt.Errorf("org tree: %w", err)
		}
	}
	changes := diff(fields{}, o.fields())
	changes["kind"] = FieldChange{New: string(o.Kind)}
	changes["status"] = FieldChange{New: string(o.Status)}
	if o.ParentID != nil {
		changes["parent_id"] = FieldChange{New: *o.ParentID}
	}
	if err := b.history(ctx, o, changes); err != nil {
		return o, err
	}
	return o, record(ctx, b.tx, o, store.OpCreate, b.now, b.by)
}

func (b *Batch) history(ctx context.Context, o Organisation, changes map[string]FieldChange) error {
	js, err := json.Marshal(changes)
	if err != nil {
		return err
	}
	if _, err := b.hist.ExecContext(ctx, o.ID, o.Version, b.now, b.by, string(js)); err != nil {
		return fmt.Errorf("org history: %w", err)
	}
	return nil
}

// checkParent enforces the shape of the tree: a region is a root, everything
// else sits under a live parent of an allowed kind in the same country.
func (b *Batch) checkParent(ctx context.Context, n New, v *errs.Validation) {
	allowed := parentKinds(n.Kind)
	if len(allowed) == 0 {
		if n.ParentID != nil {
			v.Add("parent_id", "forbidden", "a region has no parent")
		}
		return
	}
	if n.ParentID == nil {
		v.Add("parent_id", "required", "a "+string(n.Kind)+" must have a parent organisation")
		return
	}
	var kind Kind
	var country string
	var status Status
	err := b.parent.QueryRowContext(ctx, *n.ParentID).Scan(&kind, &country, &status)
	if errors.Is(err, sql.ErrNoRows) {
		v.Add("parent_id", "exists", "no such parent organisation")
		return
	}
	if err != nil {
		v.Add("parent_id", "exists", "the parent organisation could not be read")
		return
	}
	ok := false
	names := make([]string, len(allowed))
	for i, k := range allowed {
		ok = ok || k == kind
		names[i] = string(k)
	}
	switch {
	case !ok:
		v.Add("parent_id", "kind", "a "+string(n.Kind)+" must sit under a "+strings.Join(names, " or ")+", not a "+string(kind))
	case status == Liquidated:
		v.Add("parent_id", "status", "the parent organisation is liquidated")
	case country != n.Country && !v.Has("country"):
		v.Add("country", "parent", "must be the country of the parent organisation ("+country+")")
	}
}

func record(ctx context.Context, tx *store.Tx, o Organisation, op string, at time.Time, by string) error {
	data, err := json.Marshal(map[string]any{"version": o.Version, "kind": o.Kind})
	if err != nil {
		return err
	}
	id := o.ID
	err = tx.Record(ctx, store.Change{At: at, Entity: "organisation", EntityID: strconv.FormatInt(o.ID, 10), Op: op, OrgID: &id, Actor: by, Data: data})
	return err
}

// uniqueError turns a duplicate identifier into a conflict naming the field.
func uniqueError(err error) error {
	if !store.IsUniqueViolation(err) {
		return err
	}
	msg := err.Error()
	field := "inn"
	switch {
	case strings.Contains(msg, "edrpou"):
		field = "edrpou"
	case strings.Contains(msg, "ogrn"):
		field = "ogrn"
	}
	return &errs.Error{Code: errs.Conflict, Message: "another organisation already has this " + strings.ToUpper(field),
		Fields: []errs.FieldError{{Field: field, Rule: "unique", Message: "already used by another organisation"}}, Err: err}
}
