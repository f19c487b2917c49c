package staff

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"shkola/internal/access"
	"shkola/internal/audit"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/registry"
	"shkola/internal/store"
)

// Guard is the staff service as the outside world gets it: every call is
// decided by the access policy for the actor in the context and every
// change is audited in the transaction that makes it.
//
// Decisions: an employment is in the scope of its organisation. A person's
// staff card (subjects, qualifications, the employments history) may be read
// by whoever may read staff at one of the person's employing organisations,
// and shows only the employments at organisations the caller may read. The
// card is changed by whoever may update staff where the person is employed
// now. Callers who may list but not read staff (teachers) get names and
// positions only.
type Guard struct {
	S      *Service
	Policy *access.Policy
	Audit  *audit.Log
}

func target(org, person int64) access.Target {
	t := access.Target{PersonID: person}
	if org != 0 {
		t.OrgIDs = []int64{org}
	}
	return t
}

// Can reports whether the actor may do action on staff of orgID (the UI
// shows forms by it; every operation still decides for itself).
func (g *Guard) Can(ctx context.Context, action string, orgID int64) bool {
	ok, err := g.Policy.Allowed(ctx, identity.From(ctx), Resource, action, target(orgID, 0))
	return err == nil && ok
}

// List returns one page of the staff of an organisation the actor may list.
func (g *Guard) List(ctx context.Context, f Filter) ([]Member, error) {
	a := identity.From(ctx)
	if err := g.Policy.Check(ctx, a, Resource, "list", target(f.OrgID, 0)); err != nil {
		return nil, err
	}
	full, err := g.Policy.Allowed(ctx, a, Resource, "read", target(f.OrgID, 0))
	if err != nil {
		return nil, err
	}
	f.full = full
	return g.S.List(ctx, f)
}

// Employment returns one employment the actor may read.
func (g *Guard) Employment(ctx context.Context, id int64) (Employment, error) {
	e, err := g.S.Employment(ctx, id)
	if err != nil {
		return Employment{}, err
	}
	if err := g.Policy.Check(ctx, identity.From(ctx), Resource, "read", target(e.OrgID, e.PersonID)); err != nil {
		return Employment{}, err
	}
	return e, nil
}

// readable returns the organisations among orgs where the actor may read
// staff. When there are none the denial is recorded and answered as Check
// answers it (not found, or log in first).
func (g *Guard) readable(ctx context.Context, personID int64, orgs []int64) (map[int64]bool, error) {
	a := identity.From(ctx)
	out := map[int64]bool{}
	for _, o := range orgs {
		ok, err := g.Policy.Allowed(ctx, a, Resource, "read", target(o, personID))
		if err != nil {
			return nil, err
		}
		if ok {
			out[o] = true
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	var first int64
	if len(orgs) > 0 {
		first = orgs[0]
	}
	if err := g.Policy.Check(ctx, a, Resource, "read", target(first, personID)); err != nil {
		return nil, err
	}
	return nil, errs.E(errs.NotFound, "not found")
}

// Employments returns the employments of a person at the organisations
// where the actor may read staff, history included.
func (g *Guard) Employments(ctx context.Context, personID int64) ([]Employment, error) {
	all, err := g.S.Employments(ctx, personID)
	if err != nil {
		return nil, err
	}
	orgs := make([]int64, 0, len(all))
	for _, e := range all {
		if !slices.Contains(orgs, e.OrgID) {
			orgs = append(orgs, e.OrgID)
		}
	}
	ok, err := g.readable(ctx, personID, orgs)
	if err != nil {
		return nil, err
	}
	out := []Employment{}
	for _, e := range all {
		if ok[e.OrgID] {
			out = append(out, e)
		}
	}
	return out, nil
}

// Card returns a person's staff card as the actor may see it.
func (g *Guard) Card(ctx context.Context, personID int64) (Card, error) {
	emp, err := g.Employments(ctx, personID)
	if err != nil {
		return Card{}, err
	}
	p, err := loadPerson(ctx, g.S.DB.Read(), personID, "")
	if err != nil {
		return Card{}, err
	}
	c := Card{PersonID: p.ID, LastName: p.LastName, FirstName: p.FirstName, MiddleName: p.MiddleName, Employments: emp}
	if c.Subjects, err = g.S.Subjects(ctx, personID); err != nil {
		return Card{}, err
	}
	if c.Subjects == nil {
		c.Subjects = []string{}
	}
	if c.Qualifications, err = g.S.Qualifications(ctx, personID); err != nil {
		return Card{}, err
	}
	return c, nil
}

// Subjects returns the subjects a person may teach, for an actor who may
// read the person's staff card.
func (g *Guard) Subjects(ctx context.Context, personID int64) ([]string, error) {
	if _, err := g.Employments(ctx, personID); err != nil {
		return nil, err
	}
	out, err := g.S.Subjects(ctx, personID)
	if out == nil {
		out = []string{}
	}
	return out, err
}

// Qualifications returns a person's qualification records, for an actor who
// may read the person's staff card.
func (g *Guard) Qualifications(ctx context.Context, personID int64) ([]Qualification, error) {
	if _, err := g.Employments(ctx, personID); err != nil {
		return nil, err
	}
	return g.S.Qualifications(ctx, personID)
}

// CanChangeCard reports whether the actor may change a person's staff card
// (the UI shows the forms by it; the changes still decide for themselves).
func (g *Guard) CanChangeCard(ctx context.Context, personID int64) bool {
	current, err := g.S.employmentOrgs(ctx, personID, true)
	if err != nil {
		return false
	}
	for _, o := range current {
		if g.Can(ctx, "update", o) {
			return true
		}
	}
	return false
}

// mayChangePerson decides a change of a person's staff card: allowed when
// the actor may update staff at an organisation that employs the person
// today, which is returned (the audit entry names it).
func (g *Guard) mayChangePerson(ctx context.Context, personID int64) (int64, error) {
	a := identity.From(ctx)
	current, err := g.S.employmentOrgs(ctx, personID, true)
	if err != nil {
		return 0, err
	}
	for _, o := range current {
		ok, err := g.Policy.Allowed(ctx, a, Resource, "update", target(o, personID))
		if err != nil {
			return 0, err
		}
		if ok {
			return o, nil
		}
	}
	// Out of reach altogether is "not found"; visible but not changeable
	// (an inspector, a former employer) is "forbidden".
	all, err := g.S.employmentOrgs(ctx, personID, false)
	if err != nil {
		return 0, err
	}
	if _, err := g.readable(ctx, personID, all); err != nil {
		return 0, err
	}
	if g.Policy.OnDeny != nil {
		g.Policy.OnDeny(ctx, Resource, "update", target(all[0], personID))
	}
	return 0, errs.E(errs.Forbidden, "you may change the staff records only of people employed now in your organisations")
}

// Hire adds an employment at an organisation within the actor's scope. The
// person must be one the actor may see in the registry: nobody attaches
// people beyond their reach to their organisation (a second school of a
// part-time teacher is added by the municipality, whose scope covers both).
func (g *Guard) Hire(ctx context.Context, n NewEmployment) (Employment, error) {
	var v errs.Validation
	if err := g.S.checkNew(ctx, &n, &v); err != nil {
		return Employment{}, err
	}
	if err := v.Err(); err != nil {
		return Employment{}, err
	}
	a := identity.From(ctx)
	if err := g.Policy.Check(ctx, a, Resource, "create", target(n.OrgID, n.PersonID)); err != nil {
		return Employment{}, err
	}
	noPerson := errs.Field(errs.Invalid, "person_id", "exists", "no such person")
	p, err := loadPerson(ctx, g.S.DB.Read(), n.PersonID, "")
	if errs.CodeOf(err) == errs.NotFound {
		return Employment{}, noPerson
	}
	if err != nil {
		return Employment{}, err
	}
	if err := g.Policy.Check(ctx, a, registry.Resource, "read", access.Target{OrgIDs: []int64{p.OrgID}, PersonID: p.ID}); err != nil {
		if c := errs.CodeOf(err); c == errs.NotFound || c == errs.Forbidden {
			return Employment{}, noPerson
		}
		return Employment{}, err
	}
	var out Employment
	err = g.S.DB.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		if out, err = g.S.hire(ctx, tx, n); err != nil {
			return err
		}
		changes := []audit.FieldChange{{Field: "person_id", New: out.PersonID}, {Field: "position", New: out.Position},
			{Field: "rate", New: string(out.Rate)}, {Field: "starts_on", New: out.StartsOn}}
		if out.EndsOn != "" {
			changes = append(changes, audit.FieldChange{Field: "ends_on", New: out.EndsOn})
		}
		if out.Basis != "" {
			changes = append(changes, audit.FieldChange{Field: "basis", New: out.Basis})
		}
		return g.audit(ctx, tx, audit.RecordCreate, entityEmployment, out.ID, out.OrgID, out.PersonID, changes)
	})
	return out, err
}

// End sets the last day of an employment within the actor's scope.
func (g *Guard) End(ctx context.Context, id, expected int64, in End) (Employment, error) {
	cur, err := g.S.Employment(ctx, id)
	if err != nil {
		return Employment{}, err
	}
	// The organisation of an employment never changes: the submitted scope
	// is the stored one, and both are checked all the same.
	t := target(cur.OrgID, cur.PersonID)
	if err := g.Policy.CheckChange(ctx, identity.From(ctx), Resource, "update", t, t); err != nil {
		return Employment{}, err
	}
	var out Employment
	err = g.S.DB.WithTx(ctx, func(tx *store.Tx) error {
		before, after, err := g.S.EndEmployment(ctx, tx, id, expected, in)
		if err != nil {
			return err
		}
		out = after
		if after.Version == before.Version {
			return nil
		}
		changes := []audit.FieldChange{{Field: "ends_on", Old: before.EndsOn, New: after.EndsOn}}
		if before.EndBasis != after.EndBasis {
			changes = append(changes, audit.FieldChange{Field: "end_basis", Old: before.EndBasis, New: after.EndBasis})
		}
		return g.audit(ctx, tx, audit.RecordUpdate, entityEmployment, id, after.OrgID, after.PersonID, changes)
	})
	return out, err
}

// SetSubjects replaces the subjects a person may teach.
func (g *Guard) SetSubjects(ctx context.Context, personID int64, codes []string) ([]string, error) {
	org, err := g.mayChangePerson(ctx, personID)
	if err != nil {
		return nil, err
	}
	var out []string
	err = g.S.DB.WithTx(ctx, func(tx *store.Tx) error {
		before, after, err := g.S.SetSubjects(ctx, tx, personID, codes)
		if err != nil {
			return err
		}
		out = after
		if slices.Equal(before, after) {
			return nil
		}
		return g.audit(ctx, tx, audit.RecordUpdate, entitySubjects, personID, org, personID,
			[]audit.FieldChange{{Field: "subjects", Old: strings.Join(before, ","), New: strings.Join(after, ",")}})
	})
	if out == nil {
		out = []string{}
	}
	return out, err
}

// AddQualification adds a qualification record to a person's staff card.
func (g *Guard) AddQualification(ctx context.Context, personID int64, n NewQualification) (Qualification, error) {
	var v errs.Validation
	g.S.checkQualification(&n, &v)
	if err := v.Err(); err != nil {
		return Qualification{}, err
	}
	org, err := g.mayChangePerson(ctx, personID)
	if err != nil {
		return Qualification{}, err
	}
	var out Qualification
	err = g.S.DB.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		if out, err = g.S.AddQualification(ctx, tx, personID, n); err != nil {
			return err
		}
		changes := []audit.FieldChange{{Field: "kind", New: out.Kind}, {Field: "title", New: out.Title}}
		for _, f := range []struct{ name, val string }{{"issuer", out.Issuer}, {"issued_on", out.IssuedOn},
			{"valid_until", out.ValidUntil}, {"document", out.Document}} {
			if f.val != "" {
				changes = append(changes, audit.FieldChange{Field: f.name, New: f.val})
			}
		}
		return g.audit(ctx, tx, audit.RecordCreate, entityQualification, out.ID, org, personID, changes)
	})
	return out, err
}

func (g *Guard) audit(ctx context.Context, tx *store.Tx, action audit.Action, objectType string, id, orgID, personID int64, changes []audit.FieldChange) error {
	if g.Audit == nil {
		return errs.Wrap(errs.Internal, fmt.Errorf("staff change without an audit log"), "internal error")
	}
	e := audit.Entry{Action: action, Outcome: audit.Success, ObjectType: objectType, ObjectID: strconv.FormatInt(id, 10),
		PersonID: personID, Changes: changes}
	if orgID != 0 {
		e.OrgID = &orgID
	}
	return g.Audit.Append(ctx, tx, e)
}
