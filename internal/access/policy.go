package access

import (
	"context"
	"fmt"
	"strings"

	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Target describes the object an action is about, as stored (and, for a
// change, a second Target as submitted: both are checked).
type Target struct {
	OrgIDs    []int64 // organisations the object belongs to; in scope means all of them are
	AccountID int64   // account the object belongs to (for Self)
	PersonID  int64   // person the object is about (for Self, GuardianOf)
	ClassID   int64
	SubjectID int64
	LessonID  int64  // a dated lesson (schedule), for TakesLesson
	Subject   string // subject code, where a rule depends on it
	// Known holds relationships the caller has already answered for this
	// target in its own query, with the SQL the owning domain registered
	// (Policy.KnownSQL); the policy takes these answers instead of asking
	// again. The diary asks them in the query that reads the week, so a
	// page stays within three round trips.
	Known map[Relationship]bool
	// InScopeOf holds, by organisation of a grant, whether the target's
	// organisations lie in its subtree, answered by the caller's query
	// (Policy.Flags), so the scope relationship asks org_tree no more.
	InScopeOf map[int64]bool
}

// RelationFunc answers whether a relationship holds for one grant of the
// actor. Domains provide these (the registry answers GuardianOf, the journal
// Teaches), so the policy imports none of them.
type RelationFunc func(ctx context.Context, q store.Querier, a *identity.Actor, g identity.Grant, t Target) (bool, error)

// PersonSQLFunc returns a condition that holds when the person whose id is
// in column is related to the actor, adding its arguments to args, so that
// lists of people filter by relationship in the database.
type PersonSQLFunc func(a *identity.Actor, column string, args *store.Args) string

// DenyFunc is told about every denial (the audit log records them).
type DenyFunc func(ctx context.Context, resource, action string, t Target)

// Policy is the one place that decides.
type Policy struct {
	Matrix    *Matrix
	DB        *store.DB
	relations map[Relationship]RelationFunc
	personSQL map[Relationship]PersonSQLFunc
	objectSQL map[Relationship]ObjectSQLFunc
	OnDeny    DenyFunc
}

// NewPolicy builds a policy with the built-in relationships (any, self,
// scope); domains add theirs with Relate.
func NewPolicy(m *Matrix, db *store.DB) *Policy {
	p := &Policy{Matrix: m, DB: db, relations: map[Relationship]RelationFunc{}, personSQL: map[Relationship]PersonSQLFunc{},
		objectSQL: map[Relationship]ObjectSQLFunc{}}
	p.relations[Anyone] = func(context.Context, store.Querier, *identity.Actor, identity.Grant, Target) (bool, error) {
		return true, nil
	}
	p.relations[Self] = selfRelation
	p.relations[InScope] = scopeRelation
	p.personSQL[Self] = func(a *identity.Actor, column string, args *store.Args) string {
		return "(" + column + " = " + args.Add(a.PersonID) + ")"
	}
	return p
}

// Relate registers the function that answers rel for one object, and the
// SQL form of it for lists of people.
func (p *Policy) Relate(rel Relationship, f RelationFunc, persons PersonSQLFunc) {
	p.relations[rel] = f
	if persons != nil {
		p.personSQL[rel] = persons
	}
}

// PersonsSQL returns the condition for a list of people: in one of the
// scope's organisation subtrees (orgColumn) OR related to the actor by one
// of the scope's relationships (personColumn). An actor with no person
// record holds no relationship.
func (p *Policy) PersonsSQL(a *identity.Actor, s Scope, orgColumn, personColumn string, args *store.Args) string {
	if s.All {
		return "(1 = 1)"
	}
	conds := []string{s.OrgSQL(orgColumn, args)}
	if a.PersonID != 0 {
		for _, rel := range s.Rels {
			if f, ok := p.personSQL[rel]; ok {
				conds = append(conds, f(a, personColumn, args))
			}
		}
	}
	return "(" + strings.Join(conds, " OR ") + ")"
}

// KnownSQL returns, for each relationship through which the actor's grants
// may do action on resource and that does not depend on the grant's
// organisation (those with an SQL form for people: self, guardian of,
// class teacher of, teaches), the condition that it holds for the person
// in personColumn, adding its arguments to args. A domain selects these as
// flags in the query that reads the object and passes the answers back in
// Target.Known, so the decision costs no query of its own. An actor with
// no person record holds none of them (and gets no conditions).
func (p *Policy) KnownSQL(a *identity.Actor, resource, action, personColumn string, args *store.Args) map[Relationship]string {
	out := map[Relationship]string{}
	if a.PersonID == 0 {
		return out
	}
	for _, g := range roles(a) {
		for _, rel := range p.Matrix.Relationships(g.Role, resource, action) {
			if f, ok := p.personSQL[rel]; ok && out[rel] == "" {
				out[rel] = f(a, personColumn, args)
			}
		}
	}
	return out
}

func selfRelation(_ context.Context, _ store.Querier, a *identity.Actor, _ identity.Grant, t Target) (bool, error) {
	if t.AccountID != 0 && t.AccountID == a.AccountID {
		return true, nil
	}
	return t.PersonID != 0 && t.PersonID == a.PersonID, nil
}

// scopeRelation: every organisation of the target lies within the grant's
// organisation subtree. A target with no organisation is in nobody's scope.
func scopeRelation(ctx context.Context, q store.Querier, _ *identity.Actor, g identity.Grant, t Target) (bool, error) {
	if len(t.OrgIDs) == 0 {
		return false, nil
	}
	if in, ok := t.InScopeOf[g.OrgID]; ok {
		return in, nil
	}
	for _, org := range t.OrgIDs {
		var one int
		err := q.QueryRowContext(ctx, "SELECT 1 FROM org_tree WHERE ancestor_id = $1 AND descendant_id = $2", g.OrgID, org).Scan(&one)
		if err != nil {
			if store.IsNoRows(err) {
				return false, nil
			}
			return false, err
		}
	}
	return true, nil
}

// roles returns the actor's grants, with the anonymous pseudo-grant for a
// visitor who is not logged in.
func roles(a *identity.Actor) []identity.Grant {
	if !a.Authenticated() {
		return []identity.Grant{{Role: Anonymous}}
	}
	return a.Grants
}

// Allowed reports whether the actor may do action on resource for t.
func (p *Policy) Allowed(ctx context.Context, a *identity.Actor, resource, action string, t Target) (bool, error) {
	for _, g := range roles(a) {
		for _, rel := range p.Matrix.Relationships(g.Role, resource, action) {
			if known, ok := t.Known[rel]; ok {
				if known {
					return true, nil
				}
				continue
			}
			f, ok := p.relations[rel]
			if !ok {
				return false, fmt.Errorf("access: no answer registered for relationship %q", rel)
			}
			ok, err := f(ctx, p.DB.Read(), a, g, t)
			if err != nil {
				return false, err
			}
			if ok {
				return true, nil
			}
		}
	}
	return false, nil
}

// Ask is one question for AllowedAll: may the actor do Action on Resource.
type Ask struct{ Resource, Action string }

// AllowedAll answers several questions about one target, as Allowed would
// each, asking about each relationship of each grant at most once: a
// person's record and its field categories all turn on the same answers
// (is the person's organisation in the grant's subtree), which Allowed
// would look up again for every category.
func (p *Policy) AllowedAll(ctx context.Context, a *identity.Actor, t Target, asks ...Ask) ([]bool, error) {
	type key struct {
		rel   Relationship
		grant int
	}
	memo := map[key]bool{}
	out := make([]bool, len(asks))
	grants := roles(a)
	for i, q := range asks {
	grants:
		for gi, g := range grants {
			for _, rel := range p.Matrix.Relationships(g.Role, q.Resource, q.Action) {
				ok, seen := memo[key{rel, gi}]
				if !seen {
					f, has := p.relations[rel]
					if !has {
						return nil, fmt.Errorf("access: no answer registered for relationship %q", rel)
					}
					var err error
					if ok, err = f(ctx, p.DB.Read(), a, g, t); err != nil {
						return nil, err
					}
					memo[key{rel, gi}] = ok
				}
				if ok {
					out[i] = true
					break grants
				}
			}
		}
	}
	return out, nil
}

// Check returns nil when allowed. Otherwise it records the denial and
// answers not found when the actor may not even read the object (so nothing
// reveals that it exists), forbidden when it may read it but not do this.
func (p *Policy) Check(ctx context.Context, a *identity.Actor, resource, action string, t Target) error {
	ok, err := p.Allowed(ctx, a, resource, action, t)
	if err != nil {
		return err
	}
	if ok {
		return nil
	}
	if p.OnDeny != nil {
		p.OnDeny(ctx, resource, action, t)
	}
	if action != "read" {
		if canRead, err := p.Allowed(ctx, a, resource, "read", t); err == nil && canRead {
			return errs.E(errs.Forbidden, "you may not %s this %s", action, resource)
		}
	}
	if !a.Authenticated() {
		return errs.E(errs.Unauthorized, "log in first")
	}
	return errs.E(errs.NotFound, "not found")
}

// CheckChange checks a change against the stored object AND the submitted
// one, so that nobody moves a record into or out of their reach.
func (p *Policy) CheckChange(ctx context.Context, a *identity.Actor, resource, action string, stored, submitted Target) error {
	if err := p.Check(ctx, a, resource, action, stored); err != nil {
		return err
	}
	ok, err := p.Allowed(ctx, a, resource, action, submitted)
	if err != nil {
		return err
	}
	if !ok {
		if p.OnDeny != nil {
			p.OnDeny(ctx, resource, action, submitted)
		}
		return &errs.Error{Code: errs.Forbidden, Message: "the change would move the record outside your scope",
			Fields: []errs.FieldError{{Field: "org_id", Rule: "scope", Message: "outside your organisations"}}}
	}
	return nil
}
