package classes

import (
	"context"
	"errors"

	"shkola/internal/access"
	"shkola/internal/audit"
	"shkola/internal/calendar"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Resource is the name of classes and groups in the access matrix: read
// (cards, lists, members, assignments, history), create and update (the
// group, its sub-group and club memberships, its assignments).
const Resource = "class"

// RolloverAction is the calendar action that rolls a year over.
const RolloverAction = "rollover"

// Guard is the classes service as the outside world gets it: every call is
// decided by the access policy for the actor in the context, and every
// change is audited in the transaction that makes it.
type Guard struct {
	S      *Service
	Policy *access.Policy
	Audit  *audit.Log
}

// Append writes an audit entry, failing closed without an audit log.
func (g *Guard) Append(ctx context.Context, tx *store.Tx, e audit.Entry) error {
	if g.Audit == nil {
		return errs.Wrap(errs.Internal, errors.New("class change without an audit log"), "internal error")
	}
	return g.Audit.Append(ctx, tx, e)
}

func target(gr Group) access.Target {
	return access.Target{OrgIDs: []int64{gr.OrgID}, ClassID: gr.ID}
}

func hidden(ctx context.Context, err error) error {
	if errs.CodeOf(err) == errs.NotFound && !identity.From(ctx).Authenticated() {
		return errs.E(errs.Unauthorized, "log in first")
	}
	return err
}

// Get returns one group the actor may read.
func (g *Guard) Get(ctx context.Context, id int64) (Summary, error) {
	s, err := g.S.Get(ctx, id)
	if err != nil {
		return s, hidden(ctx, err)
	}
	return s, g.Policy.Check(ctx, identity.From(ctx), Resource, "read", target(s.Group))
}

// List returns the groups of an organisation the actor may read, filtered
// in SQL (a teacher sees the groups taught, a class teacher the class led).
func (g *Guard) List(ctx context.Context, f Filter) ([]Summary, error) {
	a := identity.From(ctx)
	sc := g.Policy.ListScope(a, Resource, "read")
	if sc.Empty() {
		if !a.Authenticated() {
			return nil, errs.E(errs.Unauthorized, "log in first")
		}
		return []Summary{}, nil
	}
	f.scope, f.actor = &sc, a
	return g.S.List(ctx, f)
}

// CanChange reports whether the actor may change the groups of orgID (for
// the UI to show its forms; every action checks again).
func (g *Guard) CanChange(ctx context.Context, orgID int64) bool {
	ok, err := g.Policy.Allowed(ctx, identity.From(ctx), Resource, "update", access.Target{OrgIDs: []int64{orgID}})
	return err == nil && ok
}

// CanRollover reports whether the actor may roll the years of orgID over.
func (g *Guard) CanRollover(ctx context.Context, orgID int64) bool {
	ok, err := g.Policy.Allowed(ctx, identity.From(ctx), calendar.Resource, RolloverAction, access.Target{OrgIDs: []int64{orgID}})
	return err == nil && ok
}

// Create adds a class, sub-group or club to a year of an organisation in
// the actor's scope. An unknown year is bad input (checked by the service).
func (g *Guard) Create(ctx context.Context, n NewGroup) (Group, error) {
	org, err := g.S.YearOrg(ctx, n.YearID)
	if err != nil {
		return Group{}, err
	}
	if org == 0 {
		org = n.OrgID // the service refuses the unknown year; the check still runs
	}
	if err := g.Policy.Check(ctx, identity.From(ctx), Resource, "create", access.Target{OrgIDs: []int64{org}}); err != nil {
		return Group{}, err
	}
	var out Group
	err = g.S.DB.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		out, err = g.S.CreateTx(ctx, tx, n, g.Append)
		return err
	})
	return out, err
}

// changeable loads a group and checks that the actor may change it.
func (g *Guard) changeable(ctx context.Context, id int64) (Summary, error) {
	s, err := g.S.Get(ctx, id)
	if err != nil {
		return s, hidden(ctx, err)
	}
	// Organisation and year never change, so stored and submitted agree.
	return s, g.Policy.CheckChange(ctx, identity.From(ctx), Resource, "update", target(s.Group), target(s.Group))
}

// Update changes a group at the version read.
func (g *Guard) Update(ctx context.Context, id, expected int64, p Patch) (Group, error) {
	if _, err := g.changeable(ctx, id); err != nil {
		return Group{}, err
	}
	return g.S.Update(ctx, id, expected, p, g.Append)
}

// Members lists a group's members (current, or on a day).
func (g *Guard) Members(ctx context.Context, id int64, on string) ([]Member, error) {
	if _, err := g.Get(ctx, id); err != nil {
		return nil, err
	}
	return g.S.Members(ctx, id, on)
}

// AddMember adds a person to a sub-group or club.
func (g *Guard) AddMember(ctx context.Context, id int64, n NewMember) (Member, error) {
	if _, err := g.changeable(ctx, id); err != nil {
		return Member{}, err
	}
	return g.S.AddMember(ctx, id, n, g.Append)
}

// RemoveMember ends a person's membership of a sub-group or club.
func (g *Guard) RemoveMember(ctx context.Context, id, personID int64, on string) error {
	if _, err := g.changeable(ctx, id); err != nil {
		return err
	}
	return g.S.RemoveMember(ctx, id, personID, on, g.Append)
}

// Assignments lists a group's teaching assignments.
func (g *Guard) Assignments(ctx context.Context, id int64, currentOnly bool) ([]Assignment, error) {
	if _, err := g.Get(ctx, id); err != nil {
		return nil, err
	}
	return g.S.Assignments(ctx, id, currentOnly)
}

// AddAssignment assigns a teacher to a group.
func (g *Guard) AddAssignment(ctx context.Context, id int64, n NewAssignment) (Assignment, error) {
	if _, err := g.changeable(ctx, id); err != nil {
		return Assignment{}, err
	}
	return g.S.AddAssignment(ctx, id, n, g.Append)
}

// EndAssignment ends a teaching assignment.
func (g *Guard) EndAssignment(ctx context.Context, id int64, on string) (Assignment, error) {
	a, err := LoadAssignment(ctx, g.S.DB.Read(), id)
	if err != nil {
		return a, hidden(ctx, err)
	}
	if _, err := g.changeable(ctx, a.GroupID); err != nil {
		return Assignment{}, err
	}
	return g.S.EndAssignment(ctx, id, on, g.Append)
}

// History returns the chain of a class across years. Earlier and later
// classes are shown when the actor may read them (a teacher of 6А does not
// see 5А of last year through that assignment).
func (g *Guard) History(ctx context.Context, id int64) ([]Summary, error) {
	if _, err := g.Get(ctx, id); err != nil {
		return nil, err
	}
	chain, err := g.S.History(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]Summary, 0, len(chain))
	for _, c := range chain {
		ok, err := g.Policy.Allowed(ctx, identity.From(ctx), Resource, "read", target(c.Group))
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// Rollover rolls a year of an organisation in the actor's scope over.
func (g *Guard) Rollover(ctx context.Context, yearID int64, r Rollover) (RolloverResult, error) {
	y, err := g.S.calendar().Year(ctx, yearID)
	if err != nil {
		return RolloverResult{}, hidden(ctx, err)
	}
	if err := g.Policy.Check(ctx, identity.From(ctx), calendar.Resource, RolloverAction, access.Target{OrgIDs: []int64{y.OrgID}}); err != nil {
		return RolloverResult{}, err
	}
	return g.S.RolloverYear(ctx, yearID, r, g.Append)
}
