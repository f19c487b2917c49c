package org

import (
	"context"
	"fmt"
	"strconv"

	"shkola/internal/access"
	"shkola/internal/audit"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Resource is the name of organisations in the access matrix.
const Resource = "organisation"

// Guard is the organisation service as the outside world gets it: every
// call is decided by the access policy for the actor in the context, and
// every change is audited in the transaction that makes it. The HTTP edge
// only ever holds a Guard; Service itself is for trusted internal callers
// (the demo generator, imports).
type Guard struct {
	S      *Service
	Policy *access.Policy
	Audit  *audit.Log
}

func target(id int64) access.Target { return access.Target{OrgIDs: []int64{id}} }

// Get returns one organisation the actor may read.
func (g *Guard) Get(ctx context.Context, id int64) (Organisation, error) {
	if err := g.Policy.Check(ctx, identity.From(ctx), Resource, "read", target(id)); err != nil {
		return Organisation{}, err
	}
	return g.S.Get(ctx, id)
}

// History returns the history of one organisation the actor may read.
func (g *Guard) History(ctx context.Context, id int64) ([]HistoryEntry, error) {
	if _, err := g.Get(ctx, id); err != nil {
		return nil, err
	}
	return g.S.History(ctx, id)
}

// List returns the organisations the actor may list, filtered in SQL.
func (g *Guard) List(ctx context.Context, f Filter) ([]Organisation, error) {
	sc := g.Policy.ListScope(identity.From(ctx), Resource, "list")
	if sc.Empty() {
		return nil, nil
	}
	f.scope = &sc
	return g.S.List(ctx, f)
}

// Ancestors returns the chain above id for a card the actor may read.
func (g *Guard) Ancestors(ctx context.Context, id int64) ([]Organisation, error) {
	if _, err := g.Get(ctx, id); err != nil {
		return nil, err
	}
	return g.S.Ancestors(ctx, id)
}

// Create adds an organisation under a parent within the actor's scope.
func (g *Guard) Create(ctx context.Context, n New) (Organisation, error) {
	var t access.Target
	if n.ParentID != nil {
		t = target(*n.ParentID)
	}
	if err := g.Policy.Check(ctx, identity.From(ctx), Resource, "create", t); err != nil {
		return Organisation{}, err
	}
	var out Organisation
	err := g.S.DB.WithTx(ctx, func(tx *store.Tx) error {
		b, err := g.S.NewBatch(ctx, tx)
		if err != nil {
			return err
		}
		defer b.Close()
		if out, err = b.Create(ctx, n); err != nil {
			return err
		}
		return g.audit(ctx, tx, audit.RecordCreate, out, nil)
	})
	return out, err
}

// Update changes the fields of an organisation within the actor's scope.
func (g *Guard) Update(ctx context.Context, id, expected int64, p Patch) (Organisation, error) {
	// Kind, parent and country are not in Patch, so the submitted scope is
	// the stored one; both are checked all the same.
	if err := g.Policy.CheckChange(ctx, identity.From(ctx), Resource, "update", target(id), target(id)); err != nil {
		return Organisation{}, err
	}
	return g.S.update(ctx, id, expected, p, g.auditHook(audit.RecordUpdate))
}

// ChangeStatus suspends, reactivates or liquidates an organisation.
func (g *Guard) ChangeStatus(ctx context.Context, id, expected int64, st Status) (Organisation, error) {
	if err := g.Policy.CheckChange(ctx, identity.From(ctx), Resource, "update", target(id), target(id)); err != nil {
		return Organisation{}, err
	}
	return g.S.changeStatus(ctx, id, expected, st, g.auditHook(audit.RecordUpdate))
}

func (g *Guard) auditHook(action audit.Action) afterChange {
	return func(ctx context.Context, tx *store.Tx, next Organisation, changes map[string]FieldChange) error {
		return g.audit(ctx, tx, action, next, changes)
	}
}

func (g *Guard) audit(ctx context.Context, tx *store.Tx, action audit.Action, o Organisation, changes map[string]FieldChange) error {
	if g.Audit == nil {
		return errs.Wrap(errs.Internal, fmt.Errorf("organisation change without an audit log"), "internal error")
	}
	e := audit.Entry{Action: action, Outcome: audit.Success, ObjectType: Resource, ObjectID: strconv.FormatInt(o.ID, 10), OrgID: &o.ID}
	for k, c := range changes {
		e.Changes = append(e.Changes, audit.FieldChange{Field: k, Old: c.Old, New: c.New})
	}
	return g.Audit.Append(ctx, tx, e)
}
