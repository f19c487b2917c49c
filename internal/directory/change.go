package directory

import (
	"context"
	"encoding/json"
	"fmt"

	"shkola/internal/audit"
	"shkola/internal/errs"
	"shkola/internal/store"
)

// afterChange runs inside the changing transaction once an entry is written
// (the Guard audits there). changes is empty never: an edit that changes
// nothing writes nothing.
type afterChange func(ctx context.Context, tx *store.Tx, op string, e Entry, changes []audit.FieldChange) error

// Create adds an entry to directory.
func (s *Service) Create(ctx context.Context, directory string, n New) (Entry, error) {
	return s.create(ctx, directory, n, nil)
}

func (s *Service) create(ctx context.Context, directory string, n New, after afterChange) (Entry, error) {
	sp, ok := specOf(directory)
	if !ok {
		return Entry{}, unknown(directory)
	}
	e := Entry{Directory: directory, Code: n.Code, Active: n.Active == nil || *n.Active}
	c := content{NameRU: n.NameRU, NameUK: n.NameUK, NameEN: n.NameEN, Attrs: n.Attrs, Sort: n.Sort, Active: e.Active}
	var v errs.Validation
	sp.checkCode(e.Code, &v, "code")
	sp.normalise(&c, &v, "")
	if err := v.Err(); err != nil {
		return Entry{}, err
	}
	e.setContent(c)
	err := s.DB.WithTx(ctx, func(tx *store.Tx) error {
		if err := s.insert(ctx, tx, &e); err != nil {
			return err
		}
		if after != nil {
			changes := append([]audit.FieldChange{{Field: "code", New: e.Code}}, diff(content{}, e.content(), true)...)
			return after(ctx, tx, store.OpCreate, e, changes)
		}
		return nil
	})
	return e, err
}

// Update applies p to an entry if its version is still expected. An update
// that changes nothing keeps the version.
func (s *Service) Update(ctx context.Context, directory, code string, expected int64, p Patch) (Entry, error) {
	return s.update(ctx, directory, code, expected, p, nil)
}

func (s *Service) update(ctx context.Context, directory, code string, expected int64, p Patch, after afterChange) (Entry, error) {
	sp, ok := specOf(directory)
	if !ok {
		return Entry{}, unknown(directory)
	}
	var out Entry
	err := s.DB.WithTx(ctx, func(tx *store.Tx) error {
		cur, err := get(ctx, tx, directory, code, tx.Engine.ForUpdate())
		if err != nil {
			return err
		}
		if cur.Version != expected {
			return errs.E(errs.Precondition, "the entry was changed by someone else; read it again and reapply your change")
		}
		c := cur.content()
		if p.NameRU != nil {
			c.NameRU = *p.NameRU
		}
		if p.NameUK != nil {
			c.NameUK = *p.NameUK
		}
		if p.NameEN != nil {
			c.NameEN = *p.NameEN
		}
		if p.Attrs != nil {
			c.Attrs = *p.Attrs
		}
		if p.Sort != nil {
			c.Sort = *p.Sort
		}
		if p.Active != nil {
			c.Active = *p.Active
		}
		var v errs.Validation
		sp.normalise(&c, &v, "")
		if err := v.Err(); err != nil {
			return err
		}
		var changes []audit.FieldChange
		out, changes, err = s.rewrite(ctx, tx, cur, c)
		if err != nil || len(changes) == 0 || after == nil {
			return err
		}
		return after(ctx, tx, store.OpUpdate, out, changes)
	})
	return out, err
}

// insert writes a new entry as version 1 with its first history row and
// the change record.
func (s *Service) insert(ctx context.Context, tx *store.Tx, e *Entry) error {
	attrs, err := encodeAttrs(e.Attrs)
	if err != nil {
		return err
	}
	e.Version, e.UpdatedAt = 1, s.now()
	err = tx.QueryRowContext(ctx, `INSERT INTO ref_entries (directory, code, name_ru, name_uk, name_en, attrs, sort, active, version, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		e.Directory, e.Code, e.NameRU, e.NameUK, e.NameEN, attrs, e.Sort, e.Active, e.Version, e.UpdatedAt).Scan(&e.id)
	if store.IsUniqueViolation(err) {
		return &errs.Error{Code: errs.Conflict, Message: fmt.Sprintf("%s already has an entry %q", e.Directory, e.Code),
			Fields: []errs.FieldError{{Field: "code", Rule: "unique", Message: "this code is already in the directory"}}, Err: err}
	}
	if err != nil {
		return err
	}
	return s.recordVersion(ctx, tx, *e, attrs, store.OpCreate)
}

// rewrite stores next as the entry's new version if it differs from cur,
// and returns what changed.
func (s *Service) rewrite(ctx context.Context, tx *store.Tx, cur Entry, next content) (Entry, []audit.FieldChange, error) {
	changes := diff(cur.content(), next, false)
	if len(changes) == 0 {
		return cur, nil, nil
	}
	attrs, err := encodeAttrs(next.Attrs)
	if err != nil {
		return cur, nil, err
	}
	e := cur
	e.setContent(next)
	e.Version, e.UpdatedAt = cur.Version+1, s.now()
	res, err := tx.ExecContext(ctx, `UPDATE ref_entries SET name_ru = $1, name_uk = $2, name_en = $3, attrs = $4, sort = $5, active = $6,
		version = $7, updated_at = $8 WHERE id = $9 AND version = $10`,
		e.NameRU, e.NameUK, e.NameEN, attrs, e.Sort, e.Active, e.Version, e.UpdatedAt, e.id, cur.Version)
	if err != nil {
		return cur, nil, err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return cur, nil, errs.E(errs.Precondition, "the entry was changed by someone else; read it again and reapply your change")
	}
	return e, changes, s.recordVersion(ctx, tx, e, attrs, store.OpUpdate)
}

// recordVersion keeps version e whole in ref_history and notes the change
// in the change log, so the feed carries directory changes too.
func (s *Service) recordVersion(ctx context.Context, tx *store.Tx, e Entry, attrs, op string) error {
	by := actor(ctx)
	if _, err := tx.ExecContext(ctx, `INSERT INTO ref_history (entry_id, version, name_ru, name_uk, name_en, attrs, sort, active, changed_at, changed_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		e.id, e.Version, e.NameRU, e.NameUK, e.NameEN, attrs, e.Sort, e.Active, e.UpdatedAt, by); err != nil {
		return fmt.Errorf("directory history: %w", err)
	}
	data, err := json.Marshal(map[string]any{"directory": e.Directory, "code": e.Code, "version": e.Version})
	if err != nil {
		return err
	}
	err = tx.Record(ctx, store.Change{At: e.UpdatedAt, Entity: "directory_entry", EntityID: e.Directory + "/" + e.Code, Op: op, Actor: by, Data: data})
	return err
}

// diff lists the fields that differ between a and b; all of b's when
// creating.
func diff(a, b content, creating bool) []audit.FieldChange {
	var out []audit.FieldChange
	add := func(field string, x, y any, same bool) {
		if same && !creating {
			return
		}
		c := audit.FieldChange{Field: field, New: y}
		if !creating {
			c.Old = x
		}
		out = append(out, c)
	}
	aa, _ := encodeAttrs(a.Attrs)
	ba, _ := encodeAttrs(b.Attrs)
	add("name_ru", a.NameRU, b.NameRU, a.NameRU == b.NameRU)
	add("name_uk", a.NameUK, b.NameUK, a.NameUK == b.NameUK)
	add("name_en", a.NameEN, b.NameEN, a.NameEN == b.NameEN)
	add("attrs", aa, ba, aa == ba)
	add("sort", a.Sort, b.Sort, a.Sort == b.Sort)
	add("active", a.Active, b.Active, a.Active == b.Active)
	return out
}
