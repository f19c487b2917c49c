package registry

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"shkola/internal/access"
	"shkola/internal/audit"
	"shkola/internal/crypt"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/natid"
	"shkola/internal/store"
)

// Resources in the access matrix. Field categories are resources of their
// own: a role that may read a person may still not see its identifiers or
// its health data, and then the fields are absent, not masked.
const (
	Resource         = "person"
	IdentityFields   = "person.identity" // SNILS, documents
	SpecialFields    = "person.special"  // health and disability
	snilsIndexKind   = "snils"
	maxNameRunes     = 100
	dateLayout       = "2006-01-02"
	oldestBirthYears = 120
)

// Person is a person as a caller sees it. Omitted fields are those the
// caller may not see (or that are empty).
type Person struct {
	ID          int64   `json:"id"`
	OrgID       int64   `json:"org_id"`
	LastName    string  `json:"last_name"`
	FirstName   string  `json:"first_name"`
	MiddleName  string  `json:"middle_name,omitempty"`
	BirthDate   string  `json:"birth_date"`
	Sex         string  `json:"sex"`
	Citizenship string  `json:"citizenship"`
	SNILS       *string `json:"snils,omitempty"`
	HealthGroup *string `json:"health_group,omitempty"`
	Disability  *string `json:"disability,omitempty"`
	Version     int64   `json:"version"`
}

// NewPerson is what creating a person takes.
type NewPerson struct {
	OrgID       int64  `json:"org_id"`
	LastName    string `json:"last_name"`
	FirstName   string `json:"first_name"`
	MiddleName  string `json:"middle_name"`
	BirthDate   string `json:"birth_date"`
	Sex         string `json:"sex"`
	Citizenship string `json:"citizenship"`
	SNILS       string `json:"snils"`
	HealthGroup string `json:"health_group"`
	Disability  string `json:"disability"`
}

// People is the person registry behind access control and audit.
type People struct {
	DB     *store.DB
	Keys   *crypt.Keyring
	Policy *access.Policy
	Audit  *audit.Log
	Now    func() time.Time
}

func (p *People) validate(n *NewPerson, v *errs.Validation) {
	name := func(field string, s *string, required bool) {
		*s = strings.TrimSpace(*s)
		switch {
		case *s == "" && required:
			v.Add(field, "required", "required")
		case utf8.RuneCountInString(*s) > maxNameRunes:
			v.Add(field, "max_length", "at most 100 characters")
		}
	}
	name("last_name", &n.LastName, true)
	name("first_name", &n.FirstName, true)
	name("middle_name", &n.MiddleName, false)
	if n.OrgID <= 0 {
		v.Add("org_id", "required", "the organisation the record belongs to")
	}
	born, err := time.Parse(dateLayout, n.BirthDate)
	now := p.Now().UTC()
	switch {
	case err != nil:
		v.Add("birth_date", "format", "a date as YYYY-MM-DD")
	case born.After(now):
		v.Add("birth_date", "future", "the birth date is in the future")
	case born.Before(now.AddDate(-oldestBirthYears, 0, 0)):
		v.Add("birth_date", "range", "the birth date is more than 120 years ago")
	}
	if n.Sex != "m" && n.Sex != "f" {
		v.Add("sex", "enum", "m or f")
	}
	if n.Citizenship == "" {
		n.Citizenship = "RU"
	}
	if len(n.Citizenship) != 2 || strings.ToUpper(n.Citizenship) != n.Citizenship {
		v.Add("citizenship", "format", "an ISO 3166 alpha-2 code such as RU")
	}
	if n.SNILS != "" {
		s, err := natid.SNILS(n.SNILS)
		if err != nil {
			v.Add("snils", "checksum", err.Error())
		}
		n.SNILS = s
	}
	for field, s := range map[string]*string{"health_group": &n.HealthGroup, "disability": &n.Disability} {
		if utf8.RuneCountInString(*s) > 200 {
			v.Add(field, "max_length", "at most 200 characters")
		}
	}
}

// Create adds a person to an organisation within the caller's scope. The
// same SNILS twice is refused with the first record named.
func (p *People) Create(ctx context.Context, n NewPerson) (Person, error) {
	a := identity.From(ctx)
	var v errs.Validation
	p.validate(&n, &v)
	if err := v.Err(); err != nil {
		return Person{}, err
	}
	if err := p.Policy.Check(ctx, a, Resource, "create", access.Target{OrgIDs: []int64{n.OrgID}}); err != nil {
		return Person{}, err
	}
	var id int64
	err := p.DB.WithTx(ctx, func(tx *store.Tx) error {
		now := p.Now().UTC().Truncate(time.Microsecond)
		var idx any
		if n.SNILS != "" {
			idx = p.Keys.BlindIndex(snilsIndexKind, n.SNILS)
			var first int64
			err := tx.QueryRowContext(ctx, "SELECT id FROM persons WHERE snils_idx = $1", idx).Scan(&first)
			if err == nil {
				return &errs.Error{Code: errs.Conflict, Message: "a person with this SNILS is already registered",
					Fields: []errs.FieldError{{Field: "snils", Rule: "unique", Message: "already registered as /api/v1/persons/" + strconv.FormatInt(first, 10)}}}
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO persons (org_id, last_name, first_name, middle_name, birth_date, sex, citizenship, snils_idx, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`,
			n.OrgID, n.LastName, n.FirstName, n.MiddleName, n.BirthDate, n.Sex, n.Citizenship, idx, now).Scan(&id); err != nil {
			return err
		}
		// Sealed values are bound to the row id, so they are written once it exists.
		seal := func(prefix, v string) (any, error) {
			if v == "" {
				return nil, nil
			}
			return p.Keys.EncryptString(v, crypt.AAD(prefix, id))
		}
		snils, err := seal("person.snils", n.SNILS)
		if err != nil {
			return err
		}
		health, err := seal("person.health_group", n.HealthGroup)
		if err != nil {
			return err
		}
		dis, err := seal("person.disability", n.Disability)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE persons SET snils_enc = $1, health_group_enc = $2, disability_enc = $3 WHERE id = $4", snils, health, dis, id); err != nil {
			return err
		}
		org := n.OrgID
		if _, err := tx.Record(ctx, store.Change{At: now, Entity: Resource, EntityID: strconv.FormatInt(id, 10), Op: store.OpCreate, OrgID: &org, Actor: a.Login}); err != nil {
			return err
		}
		changes := []audit.FieldChange{{Field: "last_name", New: n.LastName}, {Field: "first_name", New: n.FirstName}, {Field: "birth_date", New: n.BirthDate}}
		for f, set := range map[string]bool{"snils": n.SNILS != "", "health_group": n.HealthGroup != "", "disability": n.Disability != ""} {
			if set {
				changes = append(changes, audit.FieldChange{Field: f, New: "(set)"}) // never in clear
			}
		}
		return p.Audit.Append(ctx, tx, audit.Entry{Action: audit.RecordCreate, Outcome: audit.Success, ObjectType: Resource,
			ObjectID: strconv.FormatInt(id, 10), OrgID: &org, PersonID: id, Changes: changes})
	})
	if err != nil {
		if store.IsUniqueViolation(err) {
			return Person{}, &errs.Error{Code: errs.Conflict, Message: "a person with this SNILS is already registered",
				Fields: []errs.FieldError{{Field: "snils", Rule: "unique", Message: "already registered"}}}
		}
		return Person{}, err
	}
	return p.Get(ctx, id)
}

// Get returns a person in the caller's scope, with the identifier and
// special-category fields only for roles that may see them; showing them is
// audited first, so if the audit fails nothing is shown.
func (p *People) Get(ctx context.Context, id int64) (Person, error) {
	a := identity.From(ctx)
	var out Person
	var snils, health, dis sql.NullString
	err := p.DB.Read().QueryRowContext(ctx, `SELECT id, org_id, last_name, first_name, middle_name, birth_date, sex, citizenship,
		snils_enc, health_group_enc, disability_enc, version FROM persons WHERE id = $1`, id).
		Scan(&out.ID, &out.OrgID, &out.LastName, &out.FirstName, &out.MiddleName, &out.BirthDate, &out.Sex, &out.Citizenship, &snils, &health, &dis, &out.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return Person{}, errs.E(errs.NotFound, "not found")
	}
	if err != nil {
		return Person{}, err
	}
	t := access.Target{OrgIDs: []int64{out.OrgID}, PersonID: out.ID}
	if err := p.Policy.Check(ctx, a, Resource, "read", t); err != nil {
		return Person{}, err
	}
	reveal := func(resource string, action audit.Action, fields map[string]sealed) error {
		ok, err := p.Policy.Allowed(ctx, a, resource, "read", t)
		if err != nil || !ok {
			return err
		}
		shown := false
		for _, f := range fields {
			if f.v.Valid {
				shown = true
			}
		}
		if !shown {
			return nil
		}
		org := out.OrgID
		if err := p.Audit.Write(ctx, audit.Entry{Action: action, Outcome: audit.Success, ObjectType: Resource,
			ObjectID: strconv.FormatInt(out.ID, 10), OrgID: &org, PersonID: out.ID}); err != nil {
			return err
		}
		for _, f := range fields {
			if !f.v.Valid {
				continue
			}
			clear, err := p.Keys.DecryptString(f.v.String, crypt.AAD(f.prefix, out.ID))
			if err != nil {
				return err
			}
			*f.dst = &clear
		}
		return nil
	}
	if err := reveal(IdentityFields, audit.ReadIdentity, map[string]sealed{"snils": {snils, "person.snils", &out.SNILS}}); err != nil {
		return Person{}, err
	}
	if err := reveal(SpecialFields, audit.ReadSpecial, map[string]sealed{
		"health_group": {health, "person.health_group", &out.HealthGroup},
		"disability":   {dis, "person.disability", &out.Disability}}); err != nil {
		return Person{}, err
	}
	return out, nil
}

type sealed struct {
	v      sql.NullString
	prefix string
	dst    **string
}
