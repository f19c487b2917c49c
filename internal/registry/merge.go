package registry

import (
	"context"
	"strconv"
	"strings"

	"shkola/internal/audit"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// DuplicateGroup is a set of records that share a folded name and a birth
// date: probably one person entered twice.
type DuplicateGroup struct {
	NameKey   string    `json:"name_key"`
	BirthDate string    `json:"birth_date"`
	People    []Summary `json:"people"`
}

// Duplicates lists suspected duplicates among the records the caller may
// merge (both records of a pair must be within the caller's scope).
func (p *People) Duplicates(ctx context.Context, limit int) ([]DuplicateGroup, error) {
	a := identity.From(ctx)
	scope := p.Policy.ListScope(a, Resource, "merge")
	if scope.Empty() {
		return []DuplicateGroup{}, nil
	}
	var args store.Args
	in := scope.OrgSQL("p.org_id", &args)
	query := `SELECT p.id, p.org_id, p.last_name, p.first_name, p.middle_name, p.birth_date, p.sex, p.name_key
		FROM persons p JOIN (
			SELECT name_key, birth_date FROM persons p WHERE merged_into IS NULL AND name_key <> '' AND ` + in + `
			GROUP BY name_key, birth_date HAVING COUNT(*) > 1 ORDER BY name_key, birth_date LIMIT ` + args.Add(limit) + `
		) d ON d.name_key = p.name_key AND d.birth_date = p.birth_date
		WHERE p.merged_into IS NULL AND ` + scope.OrgSQL("p.org_id", &args) + ` ORDER BY p.name_key, p.birth_date, p.id`
	rows, err := p.DB.Read().QueryContext(ctx, query, args.Values...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []DuplicateGroup{}
	for rows.Next() {
		var s Summary
		var key string
		if err := rows.Scan(&s.ID, &s.OrgID, &s.LastName, &s.FirstName, &s.MiddleName, &s.BirthDate, &s.Sex, &key); err != nil {
			return nil, err
		}
		if n := len(out); n == 0 || out[n-1].NameKey != key || out[n-1].BirthDate != s.BirthDate {
			out = append(out, DuplicateGroup{NameKey: key, BirthDate: s.BirthDate})
		}
		out[len(out)-1].People = append(out[len(out)-1].People, s)
	}
	return out, rows.Err()
}

// Merge folds record from into record into: every reference to from (in
// every domain listed in References) moves to into, empty fields of into
// are filled from from, and from stays as a record pointing to into, so
// all history is kept. One transaction; audited with both ids.
func (p *People) Merge(ctx context.Context, into, from int64) (Person, error) {
	a := identity.From(ctx)
	if into == from {
		return Person{}, errs.Field(errs.Invalid, "from", "distinct", "a record cannot be merged into itself")
	}
	// Decided before the write transaction (a denial is audited in its own).
	for _, id := range []int64{into, from} {
		s, err := p.load(ctx, p.DB.Read(), id)
		if err != nil {
			return Person{}, errs.Field(errs.NotFound, "from", "exists", "no such person")
		}
		if err := p.checkAll(ctx, a, Resource, "merge", s.target()); err != nil {
			return Person{}, err
		}
	}
	err := p.DB.WithTx(ctx, func(tx *store.Tx) error {
		keep, err := p.load(ctx, tx, into)
		if err != nil {
			return err
		}
		gone, err := p.load(ctx, tx, from)
		if err != nil {
			return err
		}
		if keep.MergedInto != nil || gone.MergedInto != nil {
			return errs.Field(errs.Conflict, "from", "merged", "one of the records has already been merged")
		}
		for _, r := range p.References {
			if r.Key != "" {
				if _, err := tx.ExecContext(ctx, "DELETE FROM "+r.Table+" WHERE "+r.Column+" = $1 AND "+r.Key+" IN (SELECT "+r.Key+" FROM "+r.Table+" WHERE "+r.Column+" = $2)", from, into); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, "UPDATE "+r.Table+" SET "+r.Column+" = $1 WHERE "+r.Column+" = $2", into, from); err != nil {
				if store.IsUniqueViolation(err) {
					return errs.Field(errs.Conflict, "from", "overlap", "both records have an active "+strings.ReplaceAll(r.Table, "_", " ")+" that cannot be combined; end one first")
				}
				return err
			}
		}
		for _, q := range []string{
			"UPDATE person_documents SET person_id = $1 WHERE person_id = $2",
			"UPDATE guardianships SET child_id = $1 WHERE child_id = $2",
			"UPDATE guardianships SET guardian_id = $1 WHERE guardian_id = $2",
		} {
			if _, err := tx.ExecContext(ctx, q, into, from); err != nil {
				if store.IsUniqueViolation(err) {
					return errs.Field(errs.Conflict, "from", "overlap", "both records have the same guardian link; end one first")
				}
				return err
			}
		}
		// Fill the survivor's empty fields; sealed values are re-sealed to
		// the survivor's row and the duplicate's unique indexes released.
		var fill NewPerson
		for _, f := range sealedFields() {
			if keep.sealed[f.name].Valid || !gone.sealed[f.name].Valid {
				continue
			}
			clear, err := p.Keys.DecryptString(gone.sealed[f.name].String, f.aad(from))
			if err != nil {
				return err
			}
			*fill.sealed(f.name) = clear
		}
		if _, err := tx.ExecContext(ctx, `UPDATE persons SET merged_into = $1, snils_idx = NULL, rnokpp_idx = NULL, unzr_idx = NULL,
			version = version + 1, updated_at = $2 WHERE id = $3`, into, p.now(), from); err != nil {
			return err
		}
		if err := p.writeSealed(ctx, tx, into, &fill, true); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE persons SET
			reg_address = CASE WHEN reg_address = '' THEN $1 ELSE reg_address END,
			fact_address = CASE WHEN fact_address = '' THEN $2 ELSE fact_address END,
			phone = CASE WHEN phone = '' THEN $3 ELSE phone END,
			email = CASE WHEN email = '' THEN $4 ELSE email END,
			version = version + 1, updated_at = $5 WHERE id = $6`,
			*gone.RegAddress, *gone.FactAddress, *gone.Phone, *gone.Email, p.now(), into); err != nil {
			return err
		}
		org := keep.OrgID
		for _, id := range []int64{into, from} {
			if err := tx.Record(ctx, store.Change{At: p.now(), Entity: Resource, EntityID: strconv.FormatInt(id, 10), Op: store.OpUpdate, OrgID: &org, Actor: a.Login}); err != nil {
				return err
			}
		}
		return p.Audit.Append(ctx, tx, audit.Entry{Action: audit.PersonMerge, Outcome: audit.Success, ObjectType: Resource,
			ObjectID: strconv.FormatInt(into, 10), OrgID: &org, PersonID: into,
			Changes: []audit.FieldChange{{Field: "merged", Old: strconv.FormatInt(from, 10), New: strconv.FormatInt(into, 10)}}})
	})
	if err != nil {
		return Person{}, err
	}
	return p.Get(ctx, into)
}
