package journal

import (
	"context"

	"shkola/internal/access"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// allowed reports whether the actor may do action on the journal of
// groupID in t.Subject. The matrix's "teaches" holds for the whole class;
// here it counts only with a current assignment in the subject for the
// group, its class or one of its sub-groups, so a teacher of mathematics
// in 5А writes no history marks there. Other relationships (scope, class
// teacher, takes the lesson) need no subject.
func (g *Guard) allowed(ctx context.Context, action string, t access.Target, groupID int64) (bool, error) {
	a := identity.From(ctx)
	rels, err := g.Policy.Holding(ctx, a, Resource, action, t)
	if err != nil {
		return false, err
	}
	for _, rel := range rels {
		if rel != access.Teaches {
			return true, nil
		}
		ok, err := teachesSubject(ctx, g.S.DB.Read(), a.PersonID, groupID, t.Subject)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// check is allowed as an error: the denial audited, not found when the
// actor may not read this journal either, forbidden when it may.
func (g *Guard) check(ctx context.Context, action string, t access.Target, groupID int64) error {
	ok, err := g.allowed(ctx, action, t, groupID)
	if err != nil || ok {
		return err
	}
	mayRead := false
	if action != "read" {
		if mayRead, err = g.allowed(ctx, "read", t, groupID); err != nil {
			return err
		}
	}
	return g.Policy.Deny(ctx, identity.From(ctx), Resource, action, t, mayRead)
}

func teachesSubject(ctx context.Context, q store.Querier, person, groupID int64, subject string) (bool, error) {
	if person == 0 || subject == "" {
		return false, nil
	}
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM assignments WHERE teacher_id = $1 AND ends_on IS NULL AND subject = $2
		AND (group_id = $3 OR group_id IN (SELECT id FROM groups WHERE parent_id = $3)
			OR group_id = (SELECT parent_id FROM groups WHERE id = $3))`, person, subject, groupID).Scan(&one)
	if store.IsNoRows(err) {
		return false, nil
	}
	return err == nil, err
}

// hidden answers a lookup of a missing object: a visitor who is not logged
// in learns nothing, not even that the id is free.
func hidden(ctx context.Context, err error) error {
	if errs.CodeOf(err) == errs.NotFound && !identity.From(ctx).Authenticated() {
		return errs.E(errs.Unauthorized, "log in first")
	}
	return err
}

// writeMode is how the actor writes to a lesson or a period mark: directly
// in an open period (the teacher who takes the lesson or teaches the
// subject, the school's administration), or amending a closed one with a
// reason (the administration).
type writeMode int

const (
	modeTeacher writeMode = iota + 1
	modeAmend
)

// decideWrite picks the actor's way of writing: direct (action) when
// allowed and the period is open; amend when allowed and the period is
// closed, or when the actor may only amend. An actor allowed neither is
// denied here; one who may write but finds the period closed gets
// modeTeacher and the cells are refused as locked.
func (g *Guard) decideWrite(ctx context.Context, action string, t access.Target, groupID int64, locked bool) (writeMode, error) {
	direct, err := g.allowed(ctx, action, t, groupID)
	if err != nil {
		return 0, err
	}
	if direct && !locked {
		return modeTeacher, nil
	}
	amend, err := g.allowed(ctx, "amend", t, groupID)
	if err != nil {
		return 0, err
	}
	switch {
	case amend:
		return modeAmend, nil
	case direct:
		return modeTeacher, nil
	}
	return 0, g.check(ctx, action, t, groupID)
}
