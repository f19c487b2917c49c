package registry

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"

	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Bulk paths for an import: the batch has been authorised once against the
// importer's scope and is audited as one import entry, so these write many
// rows per statement and record each change, without a policy call or an
// audit entry per row. Validation is still Validate's, row by row.

// Match is the stored record that a submitted person is taken to be.
type Match struct {
	ID         int64
	OrgID      int64
	LastName   string
	FirstName  string
	BirthDate  string
	Sex        string
	BySNILS    bool   // matched by SNILS (else by name key and birth date)
	OtherSNILS bool   // matched by name and birth date (the row has no SNILS), and the record holds one
	Ambiguous  int    // matched by name and birth date, and this many records share them
	nameKey    string // of the stored record
}

// SameName reports whether the stored record has the submitted name key and
// birth date (a SNILS match with another name is someone else's SNILS).
func (m *Match) SameName(n *NewPerson) bool {
	return m.nameKey == NameKey(n.LastName, n.FirstName) && m.BirthDate == n.BirthDate
}

// FindExisting returns, for each validated person, the stored record it
// matches, or nil: by SNILS (blind index) when the person has one, else by
// the duplicate name key and birth date, as the registry's duplicate search
// does (a person with a SNILS is matched by name only to a record without
// one: a namesake with another SNILS is someone else). Merged records are
// never matched.
func (t Trusted) FindExisting(ctx context.Context, q store.Querier, ns []*NewPerson) ([]*Match, error) {
	out := make([]*Match, len(ns))
	// A chunk looks up thousands of keys: store.Engine.InList and InPairs
	// write lookups that stay index lookups on PostgreSQL in any plan and
	// use bare "?" on SQLite ("$n" costs it the square of their number).
	eng := t.P.DB.Engine
	bySNILS := map[string][]int{}
	var idxs []string
	for i, n := range ns {
		if n == nil || n.SNILS == "" {
			continue
		}
		idx := t.P.Keys.BlindIndex("snils", n.SNILS)
		if _, ok := bySNILS[idx]; !ok {
			idxs = append(idxs, idx)
		}
		bySNILS[idx] = append(bySNILS[idx], i)
	}
	if len(idxs) > 0 {
		var args []any
		err := scanMatches(ctx, q, eng.InList("snils_idx", &args, idxs), args, func(m *Match, idx string) {
			m.BySNILS = true
			for _, i := range bySNILS[idx] {
				c := *m
				out[i] = &c
			}
		})
		if err != nil {
			return nil, err
		}
	}
	// By name and birth date: those without a SNILS match. A person with a
	// SNILS is looked for only among records without one, so common names
	// do not make every lookup read all their namesakes. The lookup is by
	// pairs: a list of names and a list of dates would find every namesake
	// born on any of the dates, which in a file of common names is most of
	// the registry, read again for every chunk.
	type key struct{ name, birth string }
	for _, withSNILS := range []bool{false, true} {
		byName := map[key][]int{}
		var keys, births []string
		for i, n := range ns {
			if n == nil || out[i] != nil || (n.SNILS != "") != withSNILS {
				continue
			}
			k := key{NameKey(n.LastName, n.FirstName), n.BirthDate}
			if _, ok := byName[k]; !ok {
				keys, births = append(keys, k.name), append(births, k.birth)
			}
			byName[k] = append(byName[k], i)
		}
		if len(keys) == 0 {
			continue
		}
		var args []any
		cond := eng.InPairs("name_key", "birth_date", &args, keys, births)
		if withSNILS {
			cond += " AND snils_idx IS NULL"
		}
		err := scanMatches(ctx, q, cond, args, func(m *Match, idx string) {
			for _, i := range byName[key{m.nameKey, m.BirthDate}] {
				if prev := out[i]; prev != nil {
					prev.Ambiguous++
					continue
				}
				c := *m
				c.Ambiguous = 1
				c.OtherSNILS = idx != ""
				out[i] = &c
			}
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func scanMatches(ctx context.Context, q store.Querier, cond string, args []any, f func(m *Match, idx string)) error {
	rows, err := q.QueryContext(ctx, `SELECT id, org_id, last_name, first_name, birth_date, sex, name_key, snils_idx FROM persons
		WHERE merged_into IS NULL AND `+cond+" ORDER BY id", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var m Match
		var idx sql.NullString
		if err := rows.Scan(&m.ID, &m.OrgID, &m.LastName, &m.FirstName, &m.BirthDate, &m.Sex, &m.nameKey, &idx); err != nil {
			return err
		}
		f(&m, idx.String)
	}
	return rows.Err()
}

// InsertNew writes validated new people (Validate first; FindExisting
// found none of them) inside tx and returns their ids in order. Ids are
// reserved first, so sealed values are bound to their rows and each person
// is one row of a multi-row INSERT; each gets its change record.
func (t Trusted) InsertNew(ctx context.Context, tx *store.Tx, ns []NewPerson) ([]int64, error) {
	ids, err := tx.ReserveIDs(ctx, "persons", len(ns))
	if err != nil {
		return nil, err
	}
	now := t.P.now()
	fields := sealedFields()
	cols := []string{"id", "org_id", "last_name", "first_name", "middle_name", "birth_date", "sex", "citizenship", "reg_address", "fact_address",
		"phone", "email", "name_key", "created_at", "updated_at"}
	for _, f := range fields {
		cols = append(cols, f.column())
		if f.unique {
			cols = append(cols, f.name+"_idx")
		}
	}
	err = store.CopyRows(ctx, tx, "persons", cols, len(ns), func(i int, a []any) error {
		n := &ns[i]
		copy(a, []any{ids[i], n.OrgID, n.LastName, n.FirstName, n.MiddleName, n.BirthDate, n.Sex, n.Citizenship,
			n.RegAddress, n.FactAddress, n.Phone, n.Email, NameKey(n.LastName, n.FirstName), now, now})
		j := 15
		for _, f := range fields {
			var enc, idx any
			if val := *n.sealed(f.name); val != "" {
				s, err := t.P.Keys.EncryptString(val, f.aad(ids[i]))
				if err != nil {
					return err
				}
				enc = s
				if f.unique {
					idx = t.P.Keys.BlindIndex(f.name, val)
				}
			}
			a[j] = enc
			j++
			if f.unique {
				a[j] = idx
				j++
			}
		}
		return nil
	})
	if store.IsUniqueViolation(err) {
		return nil, errs.E(errs.Conflict, "a person with one of these identifiers was registered meanwhile; run the import again")
	}
	if err != nil {
		return nil, err
	}
	var owners []int64
	var docs []NewDocument
	for i := range ns {
		for _, d := range ns[i].Documents {
			owners, docs = append(owners, ids[i]), append(docs, d)
		}
	}
	if err := t.P.addDocuments(ctx, tx, owners, docs); err != nil {
		return nil, err
	}
	changes := make([]store.Change, 0, len(ns))
	login := identity.From(ctx).Login
	for i := range ns {
		org := ns[i].OrgID
		changes = append(changes, store.Change{At: now, Entity: Resource, EntityID: strconv.FormatInt(ids[i], 10), Op: store.OpCreate, OrgID: &org, Actor: login})
	}
	return ids, tx.RecordBatch(ctx, changes)
}

// LinkFacts is what the rules of a guardian link need about both people.
type LinkFacts struct {
	ID        int64 // 0: not yet written
	BirthDate string
	Sex       string
}

// CheckLink applies the rules every guardian link obeys (People.Link
// applies the same): a known kind, a parent needs no proving document
// here, another representative does, the guardian is someone else, born
// before the child, and a mother is a woman, a father a man. Fields are
// named kind and guardian_id.
func CheckLink(kind string, guardian, child LinkFacts, hasProof bool) []errs.FieldError {
	var v errs.Validation
	switch {
	case !validKind(kind):
		v.Add("kind", "enum", "one of "+strings.Join(GuardianKinds(), ", "))
	case needsProof(kind) && !hasProof:
		v.Add("kind", "proof", "a representative who is not a parent is linked with the document proving the representation")
	case guardian.ID != 0 && guardian.ID == child.ID:
		v.Add("guardian_id", "distinct", "a child cannot be its own guardian")
	case guardian.BirthDate >= child.BirthDate:
		v.Add("guardian_id", "older", "the guardian must be born before the child")
	case kind == "mother" && guardian.Sex != "f", kind == "father" && guardian.Sex != "m":
		v.Add("kind", "sex", "the kind does not match the guardian's sex")
	}
	return v.Fields
}

func validKind(kind string) bool {
	for _, k := range GuardianKinds() {
		if k == kind {
			return true
		}
	}
	return false
}

// CurrentLink is a current guardian link as stored.
type CurrentLink struct {
	ChildID, GuardianID int64
	Kind                string
}

// CurrentLinks returns the current links of the given children.
func (t Trusted) CurrentLinks(ctx context.Context, q store.Querier, children []int64) ([]CurrentLink, error) {
	if len(children) == 0 {
		return nil, nil
	}
	var args store.Args
	marks := make([]string, len(children))
	for i, c := range children {
		marks[i] = args.Add(c)
	}
	rows, err := q.QueryContext(ctx, "SELECT child_id, guardian_id, kind FROM guardianships WHERE ends_on IS NULL AND child_id IN ("+strings.Join(marks, ",")+")", args.Values...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CurrentLink
	for rows.Next() {
		var l CurrentLink
		if err := rows.Scan(&l.ChildID, &l.GuardianID, &l.Kind); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// NewLink is a guardian link to write in bulk (checked with CheckLink).
type NewLink struct {
	ChildID, GuardianID, OrgID int64
	Kind, StartsOn             string
}

// LinkNew writes guardian links in multi-row INSERTs with their changes.
func (t Trusted) LinkNew(ctx context.Context, tx *store.Tx, ls []NewLink) error {
	ids, err := tx.ReserveIDs(ctx, "guardianships", len(ls))
	if err != nil {
		return err
	}
	now := t.P.now()
	login := identity.From(ctx).Login
	err = store.CopyRows(ctx, tx, "guardianships", []string{"id", "child_id", "guardian_id", "kind", "starts_on", "created_at", "created_by"}, len(ls),
		func(i int, a []any) error {
			l := ls[i]
			copy(a, []any{ids[i], l.ChildID, l.GuardianID, l.Kind, l.StartsOn, now, login})
			return nil
		})
	if store.IsUniqueViolation(err) {
		return errs.E(errs.Conflict, "a guardian link was written meanwhile; run the import again")
	}
	if err != nil {
		return err
	}
	changes := make([]store.Change, len(ls))
	for i, l := range ls {
		org := l.OrgID
		data, _ := json.Marshal(map[string]any{"child_id": l.ChildID, "guardian_id": l.GuardianID, "kind": l.Kind})
		changes[i] = store.Change{At: now, Entity: GuardianResource, EntityID: strconv.FormatInt(ids[i], 10), Op: store.OpCreate, OrgID: &org, Actor: login, Data: data}
	}
	return tx.RecordBatch(ctx, changes)
}
