package org

import (
	"context"
	"encoding/json"
	"fmt"

	"shkola/internal/errs"
	"shkola/internal/store"
)

// stale is the answer to an update based on a version that is no longer
// current: two people editing one record must not overwrite each other.
func stale() error {
	return errs.E(errs.Precondition, "the organisation was changed by someone else; read it again and reapply your change")
}

// afterChange runs inside the changing transaction once the new version is
// written (the Guard audits there).
type afterChange func(ctx context.Context, tx *store.Tx, next Organisation, changes map[string]FieldChange) error

// Update applies p to organisation id if its version is still expected. An
// update that changes nothing leaves the version as it is.
func (s *Service) Update(ctx context.Context, id, expected int64, p Patch) (Organisation, error) {
	return s.update(ctx, id, expected, p, nil)
}

func (s *Service) update(ctx context.Context, id, expected int64, p Patch, after afterChange) (Organisation, error) {
	return s.change(ctx, id, expected, after, func(o *Organisation, v *errs.Validation) {
		set := func(dst *string, src *string) {
			if src != nil {
				*dst = *src
			}
		}
		f := o.fields()
		set(&f.Name, p.Name)
		set(&f.ShortName, p.ShortName)
		set(&f.INN, p.INN)
		set(&f.OGRN, p.OGRN)
		set(&f.EDRPOU, p.EDRPOU)
		set(&f.Address, p.Address)
		f.normalise(v)
		o.Name, o.ShortName, o.INN, o.OGRN, o.EDRPOU, o.Address = f.Name, f.ShortName, f.INN, f.OGRN, f.EDRPOU, f.Address
	})
}

// ChangeStatus moves organisation id to status. An organisation is not
// liquidated while it still has organisations under it that are not.
func (s *Service) ChangeStatus(ctx context.Context, id, expected int64, status Status) (Organisation, error) {
	return s.changeStatus(ctx, id, expected, status, nil)
}

func (s *Service) changeStatus(ctx context.Context, id, expected int64, status Status, after afterChange) (Organisation, error) {
	var live int
	return s.change(ctx, id, expected, after, func(o *Organisation, v *errs.Validation) {
		switch {
		case !status.Valid():
			v.Add("status", "enum", "status must be active, suspended or liquidated")
		case status == Liquidated && live > 0:
			v.Add("status", "children", fmt.Sprintf("%d organisations under it are not liquidated", live))
		default:
			o.Status = status
		}
	}, func(ctx context.Context, tx *store.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM org_tree t JOIN organisations c ON c.id = t.descendant_id
			WHERE t.ancestor_id = $1 AND t.depth > 0 AND c.status <> 'liquidated'`, id).Scan(&live)
	})
}

// change is read-check-modify-write under the row lock: the stored version
// must be the expected one, apply edits a copy, and only real differences
// make a new version with its history entry and change record.
func (s *Service) change(ctx context.Context, id, expected int64, after afterChange, apply func(*Organisation, *errs.Validation),
	prepare ...func(context.Context, *store.Tx) error) (Organisation, error) {
	var out Organisation
	err := s.DB.WithTx(ctx, func(tx *store.Tx) error {
		cur, err := get(ctx, tx, id, tx.Engine.ForUpdate())
		if err != nil {
			return err
		}
		if cur.Version != expected {
			return stale()
		}
		for _, p := range prepare {
			if err := p(ctx, tx); err != nil {
				return err
			}
		}
		next := cur
		var v errs.Validation
		apply(&next, &v)
		if err := v.Err(); err != nil {
			return err
		}
		changes := diff(cur.fields(), next.fields())
		if cur.Status != next.Status {
			changes["status"] = FieldChange{Old: string(cur.Status), New: string(next.Status)}
		}
		if len(changes) == 0 {
			out = cur
			return nil
		}
		now := s.now()
		next.Version = cur.Version + 1
		next.UpdatedAt = now
		res, err := tx.ExecContext(ctx, `UPDATE organisations SET name = $1, name_search = $2, short_name = $3, inn = $4, ogrn = $5,
			edrpou = $6, address = $7, status = $8, version = $9, updated_at = $10 WHERE id = $11 AND version = $12`,
			next.Name, searchKey(next.Name+" "+next.ShortName), next.ShortName, nullable(next.INN), nullable(next.OGRN),
			nullable(next.EDRPOU), next.Address, string(next.Status), next.Version, now, id, cur.Version)
		if err != nil {
			return uniqueError(err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return stale()
		}
		by := s.actor(ctx)
		js, err := json.Marshal(changes)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO org_history (org_id, version, changed_at, changed_by, changes) VALUES ($1, $2, $3, $4, $5)`,
			id, next.Version, now, by, string(js)); err != nil {
			return fmt.Errorf("org history: %w", err)
		}
		out = next
		if after != nil {
			if err := after(ctx, tx, next, changes); err != nil {
				return err
			}
		}
		return record(ctx, tx, next, store.OpUpdate, now, by)
	})
	return out, err
}
