package registry

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"shkola/internal/access"
	"shkola/internal/audit"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// stored is a person row as read, sealed values still sealed.
type stored struct {
	Person
	sealed map[string]sql.NullString
}

func (s *stored) target() access.Target {
	return access.Target{OrgIDs: []int64{s.OrgID}, PersonID: s.ID}
}

func personColumns() string {
	cols := []string{"id", "org_id", "last_name", "first_name", "middle_name", "birth_date", "sex", "citizenship", "merged_into", "version",
		"reg_address", "fact_address", "phone", "email"}
	for _, f := range sealedFields() {
		cols = append(cols, f.column())
	}
	return strings.Join(cols, ", ")
}

func (p *People) load(ctx context.Context, q store.Querier, id int64) (*stored, error) {
	s := &stored{sealed: map[string]sql.NullString{}}
	var merged sql.NullInt64
	var reg, fact, phone, email string
	dest := []any{&s.ID, &s.OrgID, &s.LastName, &s.FirstName, &s.MiddleName, &s.BirthDate, &s.Sex, &s.Citizenship, &merged, &s.Version,
		&reg, &fact, &phone, &email}
	vals := make([]sql.NullString, len(sealedFields()))
	for i := range vals {
		dest = append(dest, &vals[i])
	}
	err := q.QueryRowContext(ctx, "SELECT "+personColumns()+" FROM persons WHERE id = $1", id).Scan(dest...)
	if store.IsNoRows(err) {
		return nil, errs.E(errs.NotFound, "not found")
	}
	if err != nil {
		return nil, err
	}
	for i, f := range sealedFields() {
		s.sealed[f.name] = vals[i]
	}
	if merged.Valid {
		m := merged.Int64
		s.MergedInto = &m
	}
	s.RegAddress, s.FactAddress, s.Phone, s.Email = &reg, &fact, &phone, &email
	return s, nil
}

// Get returns a person in the caller's scope, with contacts, identifiers and
// special-category fields only for roles that may see them; showing
// identifiers or health data is audited first, so if the audit fails nothing
// is shown.
func (p *People) Get(ctx context.Context, id int64) (Person, error) {
	a := identity.From(ctx)
	s, err := p.load(ctx, p.DB.Read(), id)
	if err != nil {
		return Person{}, err
	}
	// The record and its field categories are decided together (one
	// subtree lookup for all of them).
	may, err := p.Policy.AllowedAll(ctx, a, s.target(), access.Ask{Resource: Resource, Action: "read"}, access.Ask{Resource: ContactFields, Action: "read"},
		access.Ask{Resource: IdentityFields, Action: "read"}, access.Ask{Resource: SpecialFields, Action: "read"})
	if err != nil {
		return Person{}, err
	}
	if !may[0] {
		// Check records the denial and words it.
		if err := p.Policy.Check(ctx, a, Resource, "read", s.target()); err != nil {
			return Person{}, err
		}
	}
	return p.reveal(ctx, s, map[string]bool{ContactFields: may[1], IdentityFields: may[2], SpecialFields: may[3]})
}

// reveal turns a stored row into what the actor may see.
func (p *People) reveal(ctx context.Context, s *stored, may map[string]bool) (Person, error) {
	out := s.Person
	out.Readable = map[string]bool{Resource: true}
	contact := may[ContactFields]
	out.Readable[ContactFields] = contact
	if !contact {
		out.RegAddress, out.FactAddress, out.Phone, out.Email = nil, nil, nil, nil
	} else {
		for _, f := range []**string{&out.RegAddress, &out.FactAddress, &out.Phone, &out.Email} {
			if **f == "" {
				*f = nil
			}
		}
	}
	for _, cat := range []struct {
		resource string
		action   audit.Action
	}{{IdentityFields, audit.ReadIdentity}, {SpecialFields, audit.ReadSpecial}} {
		if !may[cat.resource] {
			continue
		}
		out.Readable[cat.resource] = true
		var docs []Document
		if cat.resource == IdentityFields {
			var err error
			if docs, err = p.documents(ctx, p.DB.Read(), s.ID); err != nil {
				return Person{}, err
			}
		}
		shown := len(docs) > 0
		for _, f := range sealedFields() {
			shown = shown || (f.category == cat.resource && s.sealed[f.name].Valid)
		}
		if !shown {
			continue
		}
		org := s.OrgID
		if err := p.Audit.Write(ctx, audit.Entry{Action: cat.action, Outcome: audit.Success, ObjectType: Resource,
			ObjectID: strconv.FormatInt(s.ID, 10), OrgID: &org, PersonID: s.ID}); err != nil {
			return Person{}, err
		}
		if cat.resource == IdentityFields {
			out.Documents = docs
		}
		for _, f := range sealedFields() {
			v := s.sealed[f.name]
			if f.category != cat.resource || !v.Valid {
				continue
			}
			clear, err := p.Keys.DecryptString(v.String, f.aad(s.ID))
			if err != nil {
				return Person{}, err
			}
			*f.get(&out) = &clear
		}
	}
	return out, nil
}

// May reports whether the caller may do action on resource for p, so that
// pages offer only the forms that would be accepted (the service still
// decides on submit).
func (p *People) May(ctx context.Context, resource, action string, person Person) bool {
	ok, err := p.Policy.Allowed(ctx, identity.From(ctx), resource, action, access.Target{OrgIDs: []int64{person.OrgID}, PersonID: person.ID})
	return err == nil && ok
}
