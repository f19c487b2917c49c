package registry

import (
	"context"
	"strconv"
	"strings"

	"shkola/internal/access"
	"shkola/internal/audit"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Create adds a person to an organisation within the caller's scope. The
// same SNILS (or RNOKPP, or UNZR) twice is refused with the first record
// named.
func (p *People) Create(ctx context.Context, n NewPerson) (Person, error) {
	a := identity.From(ctx)
	var v errs.Validation
	p.validate(&n, &v)
	if err := v.Err(); err != nil {
		return Person{}, err
	}
	// The right to create and the field categories the answer may show are
	// decided together, before the write (one subtree lookup for all): a
	// person who does not exist yet has no relationship (guardian, self,
	// class) to the caller that the created one would have.
	t := access.Target{OrgIDs: []int64{n.OrgID}}
	may, err := p.Policy.AllowedAll(ctx, a, t, access.Ask{Resource: Resource, Action: "create"}, access.Ask{Resource: ContactFields, Action: "read"},
		access.Ask{Resource: IdentityFields, Action: "read"}, access.Ask{Resource: SpecialFields, Action: "read"})
	if err != nil {
		return Person{}, err
	}
	if !may[0] {
		// Check records the denial and words it (404 or 403).
		if err := p.Policy.Check(ctx, a, Resource, "create", t); err != nil {
			return Person{}, err
		}
	}
	readable := map[string]bool{Resource: true, ContactFields: may[1], IdentityFields: may[2], SpecialFields: may[3]}
	var id int64
	err = p.DB.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		id, err = p.insert(ctx, tx, n)
		return err
	})
	if err != nil {
		return Person{}, err
	}
	return p.echo(ctx, id, n, readable)
}

// echo answers a create with what was written, the fields limited to the
// categories the caller may read. Showing a caller the identifiers it has
// just sent is not a read of stored data, so it is not audited, and it
// saves reading the row back.
func (p *People) echo(ctx context.Context, id int64, n NewPerson, readable map[string]bool) (Person, error) {
	out := Person{ID: id, OrgID: n.OrgID, LastName: n.LastName, FirstName: n.FirstName, MiddleName: n.MiddleName, BirthDate: n.BirthDate,
		Sex: n.Sex, Citizenship: n.Citizenship, Version: 1, Readable: readable}
	set := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	if out.Readable[ContactFields] {
		out.RegAddress, out.FactAddress, out.Phone, out.Email = set(n.RegAddress), set(n.FactAddress), set(n.Phone), set(n.Email)
	}
	for _, f := range sealedFields() {
		if out.Readable[f.category] {
			*f.get(&out) = set(*n.sealed(f.name))
		}
	}
	if out.Readable[IdentityFields] && len(n.Documents) > 0 {
		// Document ids are needed to refer to them; one read gets them all.
		docs, err := p.documents(ctx, p.DB.Read(), id)
		if err != nil {
			return Person{}, err
		}
		out.Documents = docs
	}
	return out, nil
}

// insert writes a validated person with its documents, its change row and
// its audit entry inside tx. Authorisation is the caller's: Create checks
// it, trusted bulk paths (the demo, an import) have checked it once.
func (p *People) insert(ctx context.Context, tx *store.Tx, n NewPerson) (int64, error) {
	if err := p.refuseDuplicates(ctx, tx, &n, 0); err != nil {
		return 0, err
	}
	now := p.now()
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO persons (org_id, last_name, first_name, middle_name, birth_date, sex, citizenship,
		reg_address, fact_address, phone, email, name_key, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id`,
		n.OrgID, n.LastName, n.FirstName, n.MiddleName, n.BirthDate, n.Sex, n.Citizenship,
		n.RegAddress, n.FactAddress, n.Phone, n.Email, NameKey(n.LastName, n.FirstName), now).Scan(&id); err != nil {
		return 0, err
	}
	if err := p.writeSealed(ctx, tx, id, &n, true); err != nil {
		return 0, err
	}
	for _, d := range n.Documents {
		if _, err := p.addDocument(ctx, tx, id, d); err != nil {
			return 0, err
		}
	}
	a := identity.From(ctx)
	org := n.OrgID
	if err := tx.Record(ctx, store.Change{At: now, Entity: Resource, EntityID: strconv.FormatInt(id, 10), Op: store.OpCreate, OrgID: &org, Actor: a.Login}); err != nil {
		return 0, err
	}
	changes := []audit.FieldChange{{Field: "last_name", New: n.LastName}, {Field: "first_name", New: n.FirstName}, {Field: "birth_date", New: n.BirthDate}}
	for _, f := range sealedFields() {
		if *n.sealed(f.name) != "" {
			changes = append(changes, audit.FieldChange{Field: f.name, New: "(set)"}) // never in clear
		}
	}
	if len(n.Documents) > 0 {
		changes = append(changes, audit.FieldChange{Field: "documents", New: strconv.Itoa(len(n.Documents))})
	}
	return id, p.Audit.Append(ctx, tx, audit.Entry{Action: audit.RecordCreate, Outcome: audit.Success, ObjectType: Resource,
		ObjectID: strconv.FormatInt(id, 10), OrgID: &org, PersonID: id, Changes: changes})
}

// refuseDuplicates refuses an identifier already held by another record,
// naming that record.
func (p *People) refuseDuplicates(ctx context.Context, tx *store.Tx, n *NewPerson, self int64) error {
	for _, f := range sealedFields() {
		val := *n.sealed(f.name)
		if !f.unique || val == "" {
			continue
		}
		var first int64
		err := tx.QueryRowContext(ctx, "SELECT id FROM persons WHERE "+f.name+"_idx = $1 AND id <> $2", p.Keys.BlindIndex(f.name, val), self).Scan(&first)
		if err == nil {
			return errs.Field(errs.Conflict, f.name, "unique", "a person with this "+f.name+" is already registered as /api/v1/persons/"+strconv.FormatInt(first, 10))
		}
		if !store.IsNoRows(err) {
			return err
		}
	}
	return nil
}

// writeSealed seals the sealed fields of n to row id in one statement. With
// onlySet, empty values leave the stored ones alone (an update); otherwise
// they clear them. Values are bound to the row id, so they are written once
// it exists.
func (p *People) writeSealed(ctx context.Context, tx *store.Tx, id int64, n *NewPerson, onlySet bool) error {
	var sets []string
	var args store.Args
	for _, f := range sealedFields() {
		val := *n.sealed(f.name)
		if onlySet && val == "" {
			continue
		}
		var enc, idx any
		if val != "" {
			s, err := p.Keys.EncryptString(val, f.aad(id))
			if err != nil {
				return err
			}
			enc = s
			if f.unique {
				idx = p.Keys.BlindIndex(f.name, val)
			}
		}
		sets = append(sets, f.column()+" = "+args.Add(enc))
		if f.unique {
			sets = append(sets, f.name+"_idx = "+args.Add(idx))
		}
	}
	if len(sets) == 0 {
		return nil
	}
	query := "UPDATE persons SET " + strings.Join(sets, ", ") + " WHERE id = " + args.Add(id)
	if _, err := tx.ExecContext(ctx, query, args.Values...); err != nil {
		if store.IsUniqueViolation(err) {
			return errs.E(errs.Conflict, "a person with one of these identifiers is already registered")
		}
		return err
	}
	return nil
}
