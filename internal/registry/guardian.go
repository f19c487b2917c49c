package registry

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"shkola/internal/access"
	"shkola/internal/audit"
	"shkola/internal/crypt"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// GuardianResource is the link between a child and a legal representative.
const GuardianResource = "guardianship"

// GuardianKinds are the kinds of representation (seed 000 appendix: parent
// or legal representative, spelled out).
func GuardianKinds() []string {
	return []string{"mother", "father", "adoptive_parent", "guardian", "trustee", "foster_parent", "other"}
}

// needsProof: a parent is proven by the child's birth certificate; every
// other representative by a document of their own, which is then required.
func needsProof(kind string) bool { return kind != "mother" && kind != "father" }

// NewGuardianship links a guardian to a child.
type NewGuardianship struct {
	GuardianID int64  `json:"guardian_id"`
	Kind       string `json:"kind"`
	StartsOn   string `json:"starts_on"`
	DocKind    string `json:"doc_kind"`
	DocSeries  string `json:"doc_series"`
	DocNumber  string `json:"doc_number"`
	DocDate    string `json:"doc_date"`
	DocIssuer  string `json:"doc_issuer"`
}

// Guardianship is a link as a caller sees it.
type Guardianship struct {
	ID       int64        `json:"id"`
	ChildID  int64        `json:"child_id"`
	Guardian Summary      `json:"guardian"`
	Child    Summary      `json:"child"`
	Kind     string       `json:"kind"`
	StartsOn string       `json:"starts_on"`
	EndsOn   string       `json:"ends_on,omitempty"`
	Phone    string       `json:"phone,omitempty"` // the guardian's, when contacts may be read
	Email    string       `json:"email,omitempty"`
	Document *NewDocument `json:"document,omitempty"` // when identity fields may be read
}

// Link records that a person represents a child.
func (p *People) Link(ctx context.Context, childID int64, n NewGuardianship) (Guardianship, error) {
	a := identity.From(ctx)
	var v errs.Validation
	if !slices.Contains(GuardianKinds(), n.Kind) {
		v.Add("kind", "enum", "one of mother, father, adoptive_parent, guardian, trustee, foster_parent, other")
	}
	if n.StartsOn == "" {
		n.StartsOn = p.now().Format(dateLayout)
	}
	if _, err := time.Parse(dateLayout, n.StartsOn); err != nil {
		v.Add("starts_on", "format", "a date as YYYY-MM-DD")
	}
	if n.GuardianID <= 0 {
		v.Add("guardian_id", "required", "the person who represents the child")
	}
	doc := NewDocument{Kind: n.DocKind, Series: n.DocSeries, Number: n.DocNumber, IssuedOn: n.DocDate, Issuer: n.DocIssuer}
	if n.DocKind != "" || n.DocNumber != "" || needsProof(n.Kind) {
		var dv errs.Validation
		doc.validate(&dv, "doc_", p.now())
		for _, f := range dv.Fields {
			f.Field = map[string]string{"doc_number": "doc_number", "doc_kind": "doc_kind", "doc_series": "doc_series", "doc_issued_on": "doc_date", "doc_issuer": "doc_issuer"}[f.Field]
			if f.Field != "" {
				v.Fields = append(v.Fields, f)
			}
		}
	}
	if err := v.Err(); err != nil {
		return Guardianship{}, err
	}
	pre, err := p.load(ctx, p.DB.Read(), childID)
	if err != nil {
		return Guardianship{}, err
	}
	if err := p.checkAll(ctx, a, Resource, "read", pre.target()); err != nil {
		return Guardianship{}, err
	}
	if err := p.checkAll(ctx, a, GuardianResource, "create", pre.target()); err != nil {
		return Guardianship{}, err
	}
	var id int64
	err = p.DB.WithTx(ctx, func(tx *store.Tx) error {
		child, err := p.load(ctx, tx, childID)
		if err != nil {
			return err
		}
		g, err := p.load(ctx, tx, n.GuardianID)
		if err != nil {
			return errs.Field(errs.Invalid, "guardian_id", "exists", "no such person")
		}
		// The proving document was checked above; the rules of the pair are
		// the ones an import applies too.
		if fe := CheckLink(n.Kind, LinkFacts{g.ID, g.BirthDate, g.Sex}, LinkFacts{child.ID, child.BirthDate, child.Sex}, true); len(fe) > 0 {
			return errs.Field(errs.Invalid, fe[0].Field, fe[0].Rule, fe[0].Message)
		}
		if g.MergedInto != nil || child.MergedInto != nil {
			return errs.Field(errs.Conflict, "guardian_id", "merged", "the record was merged; use the surviving one")
		}
		if n.Kind == "mother" || n.Kind == "father" {
			var other int64
			err := tx.QueryRowContext(ctx, "SELECT guardian_id FROM guardianships WHERE child_id = $1 AND kind = $2 AND ends_on IS NULL", childID, n.Kind).Scan(&other)
			if err == nil {
				return errs.Field(errs.Conflict, "kind", "one", "the child already has a current link of this kind (person "+strconv.FormatInt(other, 10)+"); end it first")
			}
			if !store.IsNoRows(err) {
				return err
			}
		}
		now := p.now()
		if err := tx.QueryRowContext(ctx, `INSERT INTO guardianships (child_id, guardian_id, kind, doc_kind, starts_on, created_at, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, childID, n.GuardianID, n.Kind, n.DocKind, n.StartsOn, now, a.Login).Scan(&id); err != nil {
			if store.IsUniqueViolation(err) {
				return errs.Field(errs.Conflict, "guardian_id", "unique", "this person already represents the child")
			}
			return err
		}
		if n.DocNumber != "" {
			b, err := json.Marshal(doc)
			if err != nil {
				return err
			}
			sealed, err := p.Keys.EncryptString(string(b), crypt.AAD("guardianship.doc", id))
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "UPDATE guardianships SET doc_enc = $1 WHERE id = $2", sealed, id); err != nil {
				return err
			}
		}
		return p.linkRecorded(ctx, tx, child, id, "link", n.Kind+" "+strconv.FormatInt(n.GuardianID, 10))
	})
	if err != nil {
		return Guardianship{}, err
	}
	return p.guardianship(ctx, id)
}

// EndLink ends a guardian link on a date; the link stays in the history.
func (p *People) EndLink(ctx context.Context, linkID int64, on string) (Guardianship, error) {
	a := identity.From(ctx)
	if _, err := time.Parse(dateLayout, on); err != nil {
		return Guardianship{}, errs.Field(errs.Invalid, "ends_on", "format", "a date as YYYY-MM-DD")
	}
	var childID int64
	var starts string
	err := p.DB.Read().QueryRowContext(ctx, "SELECT child_id, starts_on FROM guardianships WHERE id = $1 AND ends_on IS NULL", linkID).Scan(&childID, &starts)
	if store.IsNoRows(err) {
		return Guardianship{}, errs.E(errs.NotFound, "no such current link")
	}
	if err != nil {
		return Guardianship{}, err
	}
	pre, err := p.load(ctx, p.DB.Read(), childID)
	if err != nil {
		return Guardianship{}, err
	}
	if err := p.checkAll(ctx, a, GuardianResource, "create", pre.target()); err != nil {
		return Guardianship{}, err
	}
	err = p.DB.WithTx(ctx, func(tx *store.Tx) error {
		child, err := p.load(ctx, tx, childID)
		if err != nil {
			return err
		}
		if on < starts {
			return errs.Field(errs.Invalid, "ends_on", "after_start", "the link cannot end before it started ("+starts+")")
		}
		if _, err := tx.ExecContext(ctx, "UPDATE guardianships SET ends_on = $1 WHERE id = $2", on, linkID); err != nil {
			return err
		}
		return p.linkRecorded(ctx, tx, child, linkID, "end", on)
	})
	if err != nil {
		return Guardianship{}, err
	}
	return p.guardianship(ctx, linkID)
}

func (p *People) linkRecorded(ctx context.Context, tx *store.Tx, child *stored, linkID int64, what, detail string) error {
	org := child.OrgID
	if err := tx.Record(ctx, store.Change{At: p.now(), Entity: GuardianResource, EntityID: strconv.FormatInt(linkID, 10), Op: store.OpUpdate, OrgID: &org, Actor: identity.From(ctx).Login}); err != nil {
		return err
	}
	return p.Audit.Append(ctx, tx, audit.Entry{Action: audit.GuardianLink, Outcome: audit.Success, ObjectType: GuardianResource,
		ObjectID: strconv.FormatInt(linkID, 10), OrgID: &org, PersonID: child.ID, Detail: what + " " + detail})
}

func (p *People) guardianship(ctx context.Context, id int64) (Guardianship, error) {
	var childID int64
	if err := p.DB.Read().QueryRowContext(ctx, "SELECT child_id FROM guardianships WHERE id = $1", id).Scan(&childID); err != nil {
		return Guardianship{}, err
	}
	links, err := p.links(ctx, "g.child_id = $1", childID)
	if err != nil {
		return Guardianship{}, err
	}
	for _, l := range links {
		if l.ID == id {
			return l, nil
		}
	}
	return Guardianship{}, errs.E(errs.NotFound, "not found")
}

// Guardians lists a child's links, past ones included.
func (p *People) Guardians(ctx context.Context, childID int64) ([]Guardianship, error) {
	a := identity.From(ctx)
	child, err := p.load(ctx, p.DB.Read(), childID)
	if err != nil {
		return nil, err
	}
	if err := p.Policy.Check(ctx, a, GuardianResource, "read", child.target()); err != nil {
		return nil, err
	}
	return p.links(ctx, "g.child_id = $1", childID)
}

// Children lists the children a person represents now, for a guardian
// switching between children; each child is checked like any read.
func (p *People) Children(ctx context.Context, guardianID int64) ([]Guardianship, error) {
	a := identity.From(ctx)
	links, err := p.links(ctx, "g.guardian_id = $1 AND g.ends_on IS NULL", guardianID)
	if err != nil {
		return nil, err
	}
	out := []Guardianship{}
	for _, l := range links {
		ok, err := p.Policy.Allowed(ctx, a, GuardianResource, "read", access.Target{OrgIDs: []int64{l.Child.OrgID}, PersonID: l.ChildID})
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, l)
		}
	}
	return out, nil
}

// links reads links with both people; the guardian's contacts and the proof
// document are included only for roles that may see them (checked per link).
func (p *People) links(ctx context.Context, cond string, arg int64) ([]Guardianship, error) {
	a := identity.From(ctx)
	rows, err := p.DB.Read().QueryContext(ctx, `SELECT g.id, g.child_id, g.kind, g.starts_on, COALESCE(g.ends_on, ''), g.doc_enc,
		gp.id, gp.org_id, gp.last_name, gp.first_name, gp.middle_name, gp.birth_date, gp.sex, gp.phone, gp.email,
		c.id, c.org_id, c.last_name, c.first_name, c.middle_name, c.birth_date, c.sex
		FROM guardianships g JOIN persons gp ON gp.id = g.guardian_id JOIN persons c ON c.id = g.child_id
		WHERE `+cond+` ORDER BY g.ends_on IS NOT NULL, g.id`, arg)
	if err != nil {
		return nil, err
	}
	type row struct {
		Guardianship
		doc *string
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.ID, &r.ChildID, &r.Kind, &r.StartsOn, &r.EndsOn, &r.doc,
			&r.Guardian.ID, &r.Guardian.OrgID, &r.Guardian.LastName, &r.Guardian.FirstName, &r.Guardian.MiddleName, &r.Guardian.BirthDate, &r.Guardian.Sex, &r.Phone, &r.Email,
			&r.Child.ID, &r.Child.OrgID, &r.Child.LastName, &r.Child.FirstName, &r.Child.MiddleName, &r.Child.BirthDate, &r.Child.Sex); err != nil {
			_ = rows.Close() // the error returned below is the one to report
			return nil, err
		}
		all = append(all, r)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	out := make([]Guardianship, 0, len(all))
	for _, r := range all {
		t := access.Target{OrgIDs: []int64{r.Child.OrgID}, PersonID: r.ChildID}
		contact, err := p.Policy.Allowed(ctx, a, ContactFields, "read", t)
		if err != nil {
			return nil, err
		}
		if !contact {
			r.Phone, r.Email = "", ""
		}
		if r.doc != nil {
			ok, err := p.Policy.Allowed(ctx, a, IdentityFields, "read", t)
			if err != nil {
				return nil, err
			}
			if ok {
				clear, err := p.Keys.DecryptString(*r.doc, crypt.AAD("guardianship.doc", r.ID))
				if err != nil {
					return nil, err
				}
				var d NewDocument
				if err := json.Unmarshal([]byte(clear), &d); err != nil {
					return nil, err
				}
				org := r.Child.OrgID
				if err := p.Audit.Write(ctx, audit.Entry{Action: audit.ReadIdentity, Outcome: audit.Success, ObjectType: GuardianResource,
					ObjectID: strconv.FormatInt(r.ID, 10), OrgID: &org, PersonID: r.ChildID}); err != nil {
					return nil, err
				}
				r.Document = &d
			}
		}
		out = append(out, r.Guardianship)
	}
	return out, nil
}
