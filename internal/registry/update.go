package registry

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"strconv"
	"strings"

	"shkola/internal/access"
	"shkola/internal/audit"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Patch is a change to a person: field name -> new value. Only the fields
// listed in patchCategory may change (no mass assignment); the organisation
// changes only through a movement. An empty value clears an optional field.
type Patch map[string]string

// patchCategory says which resource of the matrix guards each field.
func patchCategory(field string) string {
	switch field {
	case "last_name", "first_name", "middle_name", "birth_date", "sex", "citizenship":
		return Resource
	case "reg_address", "fact_address", "phone", "email":
		return ContactFields
	}
	for _, f := range sealedFields() {
		if f.name == field {
			return f.category
		}
	}
	return ""
}

// UnmarshalJSON refuses non-string values naming the field.
func (p *Patch) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*p = Patch{}
	var v errs.Validation
	for k, r := range raw {
		var s string
		if err := json.Unmarshal(r, &s); err != nil {
			v.Add(k, "type", "a string")
			continue
		}
		(*p)[k] = s
	}
	return v.Err()
}

// Update applies a patch to the person at the version the caller read.
// Each field's category is checked on its own: a guardian may change a
// child's contacts but not its name; a pupil may change own contacts from
// the age of 14.
func (p *People) Update(ctx context.Context, id, version int64, patch Patch) (Person, error) {
	a := identity.From(ctx)
	var v errs.Validation
	fields := make([]string, 0, len(patch))
	for f := range patch {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	if len(fields) == 0 {
		v.Add("body", "required", "name at least one field to change")
	}
	for _, f := range fields {
		if patchCategory(f) == "" {
			v.Add(f, "unknown", "this field cannot be changed here")
		}
	}
	if err := v.Err(); err != nil {
		return Person{}, err
	}
	// Decide before the write transaction: a denial is audited in a
	// transaction of its own, which must not wait for this one.
	pre, err := p.load(ctx, p.DB.Read(), id)
	if err != nil {
		return Person{}, err
	}
	t := pre.target()
	if err := p.Policy.Check(ctx, a, Resource, "read", t); err != nil {
		return Person{}, err
	}
	checked := map[string]bool{}
	for _, f := range fields {
		cat := patchCategory(f)
		if checked[cat] {
			continue
		}
		checked[cat] = true
		if err := p.Policy.Check(ctx, a, cat, "update", t); err != nil {
			return Person{}, err
		}
		if cat == ContactFields && a.PersonID == id && pre.Age(p.now()) < OwnDataAge {
			return Person{}, errs.E(errs.Forbidden, "a pupil under %d cannot change own contacts; a guardian can", OwnDataAge)
		}
	}
	err = p.DB.WithTx(ctx, func(tx *store.Tx) error {
		s, err := p.load(ctx, tx, id)
		if err != nil {
			return err
		}
		if s.Version != version {
			return errs.E(errs.Precondition, "the record changed since you read it; reload and try again")
		}
		n := NewPerson{OrgID: s.OrgID, LastName: s.LastName, FirstName: s.FirstName, MiddleName: s.MiddleName, BirthDate: s.BirthDate,
			Sex: s.Sex, Citizenship: s.Citizenship, RegAddress: *s.RegAddress, FactAddress: *s.FactAddress, Phone: *s.Phone, Email: *s.Email}
		old := map[string]string{"last_name": n.LastName, "first_name": n.FirstName, "middle_name": n.MiddleName, "birth_date": n.BirthDate,
			"sex": n.Sex, "citizenship": n.Citizenship, "reg_address": n.RegAddress, "fact_address": n.FactAddress, "phone": n.Phone, "email": n.Email}
		var cleared []string
		for _, f := range fields {
			val := patch[f]
			switch f {
			case "last_name":
				n.LastName = val
			case "first_name":
				n.FirstName = val
			case "middle_name":
				n.MiddleName = val
			case "birth_date":
				n.BirthDate = val
			case "sex":
				n.Sex = val
			case "citizenship":
				n.Citizenship = val
			case "reg_address":
				n.RegAddress = val
			case "fact_address":
				n.FactAddress = val
			case "phone":
				n.Phone = val
			case "email":
				n.Email = val
			default:
				*n.sealed(f) = val
				if val == "" {
					cleared = append(cleared, f)
				}
			}
		}
		p.validate(&n, &v)
		if err := v.Err(); err != nil {
			return err
		}
		if err := p.refuseDuplicates(ctx, tx, &n, id); err != nil {
			return err
		}
		now := p.now()
		if _, err := tx.ExecContext(ctx, `UPDATE persons SET last_name = $1, first_name = $2, middle_name = $3, birth_date = $4, sex = $5,
			citizenship = $6, reg_address = $7, fact_address = $8, phone = $9, email = $10, name_key = $11, version = version + 1, updated_at = $12
			WHERE id = $13`, n.LastName, n.FirstName, n.MiddleName, n.BirthDate, n.Sex, n.Citizenship, n.RegAddress, n.FactAddress,
			n.Phone, n.Email, NameKey(n.LastName, n.FirstName), now, id); err != nil {
			return err
		}
		if err := p.writeSealed(ctx, tx, id, &n, true); err != nil {
			return err
		}
		for _, f := range cleared {
			q := "UPDATE persons SET " + f + "_enc = NULL WHERE id = $1"
			if slices.ContainsFunc(sealedFields(), func(s sealedField) bool { return s.name == f && s.unique }) {
				q = "UPDATE persons SET " + f + "_enc = NULL, " + f + "_idx = NULL WHERE id = $1"
			}
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		var changes []audit.FieldChange
		for _, f := range fields {
			if o, clear := old[f]; clear {
				changes = append(changes, audit.FieldChange{Field: f, Old: o, New: patch[f]})
			} else {
				changes = append(changes, audit.FieldChange{Field: f, Old: "(sealed)", New: "(sealed)"}) // never in clear
			}
		}
		org := s.OrgID
		if err := tx.Record(ctx, store.Change{At: now, Entity: Resource, EntityID: strconv.FormatInt(id, 10), Op: store.OpUpdate, OrgID: &org, Actor: a.Login}); err != nil {
			return err
		}
		return p.Audit.Append(ctx, tx, audit.Entry{Action: audit.RecordUpdate, Outcome: audit.Success, ObjectType: Resource,
			ObjectID: strconv.FormatInt(id, 10), OrgID: &org, PersonID: id, Changes: changes, Detail: strings.Join(fields, ",")})
	})
	if err != nil {
		return Person{}, err
	}
	return p.Get(ctx, id)
}

// AddDocument adds an identity or representation document to a person.
func (p *People) AddDocument(ctx context.Context, personID int64, d NewDocument) (Document, error) {
	a := identity.From(ctx)
	var v errs.Validation
	d.validate(&v, "", p.now())
	if err := v.Err(); err != nil {
		return Document{}, err
	}
	pre, err := p.load(ctx, p.DB.Read(), personID)
	if err != nil {
		return Document{}, err
	}
	if err := p.checkAll(ctx, a, Resource, "read", pre.target()); err != nil {
		return Document{}, err
	}
	if err := p.checkAll(ctx, a, IdentityFields, "update", pre.target()); err != nil {
		return Document{}, err
	}
	var id int64
	err = p.DB.WithTx(ctx, func(tx *store.Tx) error {
		s, err := p.load(ctx, tx, personID)
		if err != nil {
			return err
		}
		if id, err = p.addDocument(ctx, tx, personID, d); err != nil {
			return err
		}
		org := s.OrgID
		if _, err := tx.ExecContext(ctx, "UPDATE persons SET version = version + 1 WHERE id = $1", personID); err != nil {
			return err
		}
		if err := tx.Record(ctx, store.Change{At: p.now(), Entity: Resource, EntityID: strconv.FormatInt(personID, 10), Op: store.OpUpdate, OrgID: &org, Actor: a.Login}); err != nil {
			return err
		}
		return p.Audit.Append(ctx, tx, audit.Entry{Action: audit.RecordUpdate, Outcome: audit.Success, ObjectType: Resource,
			ObjectID: strconv.FormatInt(personID, 10), OrgID: &org, PersonID: personID,
			Changes: []audit.FieldChange{{Field: "documents", New: d.Kind + " (sealed)"}}})
	})
	if err != nil {
		return Document{}, err
	}
	return Document{ID: id, Kind: d.Kind, Series: d.Series, Number: d.Number, IssuedOn: d.IssuedOn, Issuer: d.Issuer, IssuePlace: d.IssuePlace}, nil
}

// checkAll checks every target (a merge touches two records).
func (p *People) checkAll(ctx context.Context, a *identity.Actor, resource, action string, ts ...access.Target) error {
	for _, t := range ts {
		if err := p.Policy.Check(ctx, a, resource, action, t); err != nil {
			return err
		}
	}
	return nil
}
