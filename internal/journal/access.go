package journal

import (
	"context"

	"shkola/internal/access"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// object is a journal as a decision sees it: the target for the policy,
// the group, and whether the actor's teaching assignment covers the
// target's subject (taught; nil when the load query did not answer it).
type object struct {
	t      access.Target
	group  int64
	taught *bool
}

// asked is the access questions a load query answers along with the
// object: the policy's relationship flags (access.Flags) for the actions
// the caller will decide, and the journal's own condition on "teaches",
// the subject of the assignment, when the decision may turn on it.
type asked struct {
	flags     *access.Flags
	taughtSQL string // "" when not asked
	taught    int64
}

// ask builds the questions about the group whose class, lesson and
// organisation ids c names and whose own id is in the SQL expression
// group, for the actor in ctx doing any of actions, in the subject of the
// column subjectCol or else the value subject (neither: not asked).
func (g *Guard) ask(ctx context.Context, actions []string, c access.Columns, group, subjectCol, subject string, args *store.Args) *asked {
	a := identity.From(ctx)
	q := &asked{flags: g.Policy.Flags(a, Resource, actions, c, args)}
	if (subjectCol == "" && subject == "") || a.PersonID == 0 || !q.flags.Asks(access.Teaches) {
		return q
	}
	person := args.Add(a.PersonID)
	if subjectCol == "" {
		subjectCol = args.Add(subject)
	}
	q.taughtSQL = teachesSubjectSQL(person, group, subjectCol)
	return q
}

// columns returns the answers as select-list items after the caller's.
func (q *asked) columns() string {
	s := q.flags.Select()
	if q.taughtSQL != "" {
		s += ", CASE WHEN " + q.taughtSQL + " THEN 1 ELSE 0 END AS taught"
	}
	return s
}

// dest returns the scan destinations of columns, in order.
func (q *asked) dest() []any {
	d := q.flags.Dest()
	if q.taughtSQL != "" {
		d = append(d, &q.taught)
	}
	return d
}

// apply hands the scanned answers to o.
func (q *asked) apply(o *object) {
	q.flags.Apply(&o.t)
	if q.taughtSQL != "" {
		taught := q.taught == 1
		o.taught = &taught
	}
}

// allowed reports whether the actor may do action on the journal o. The
// matrix's "teaches" holds for the whole class; here it counts only with a
// current assignment in the subject for the group, its class or one of
// its sub-groups, so a teacher of mathematics in 5А writes no history
// marks there. Other relationships (scope, class teacher, takes the
// lesson) need no subject.
func (g *Guard) allowed(ctx context.Context, action string, o object) (bool, error) {
	a := identity.From(ctx)
	rels, err := g.Policy.Holding(ctx, a, Resource, action, o.t)
	if err != nil {
		return false, err
	}
	for _, rel := range rels {
		if rel != access.Teaches {
			return true, nil
		}
		if o.taught != nil {
			return *o.taught, nil
		}
		ok, err := teachesSubject(ctx, g.S.DB.Read(), a.PersonID, o.group, o.t.Subject)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// check is allowed as an error: the denial audited, not found when the
// actor may not read this journal either, forbidden when it may.
func (g *Guard) check(ctx context.Context, action string, o object) error {
	ok, err := g.allowed(ctx, action, o)
	if err != nil || ok {
		return err
	}
	mayRead := false
	if action != "read" {
		if mayRead, err = g.allowed(ctx, "read", o); err != nil {
			return err
		}
	}
	return g.Policy.Deny(ctx, identity.From(ctx), Resource, action, o.t, mayRead)
}

// teachesSubjectSQL is the condition that the person in the placeholder
// person has a current assignment in subject for the group in group, its
// class or one of its sub-groups (implying classes.Teaches for the class).
func teachesSubjectSQL(person, group, subject string) string {
	return `EXISTS (SELECT 1 FROM assignments jsa WHERE jsa.teacher_id = ` + person + ` AND jsa.ends_on IS NULL AND jsa.subject = ` + subject + `
		AND (jsa.group_id = ` + group + ` OR jsa.group_id IN (SELECT jsg.id FROM groups jsg WHERE jsg.parent_id = ` + group + `)
			OR jsa.group_id = (SELECT jsp.parent_id FROM groups jsp WHERE jsp.id = ` + group + `)))`
}

func teachesSubject(ctx context.Context, q store.Querier, person, groupID int64, subject string) (bool, error) {
	if person == 0 || subject == "" {
		return false, nil
	}
	var args store.Args
	p, g, s := args.Add(person), args.Add(groupID), args.Add(subject)
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 WHERE `+teachesSubjectSQL(p, g, s), args.Values...).Scan(&one)
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
func (g *Guard) decideWrite(ctx context.Context, action string, o object, locked bool) (writeMode, error) {
	direct, err := g.allowed(ctx, action, o)
	if err != nil {
		return 0, err
	}
	if direct && !locked {
		return modeTeacher, nil
	}
	amend, err := g.allowed(ctx, "amend", o)
	if err != nil {
		return 0, err
	}
	switch {
	case amend:
		return modeAmend, nil
	case direct:
		return modeTeacher, nil
	}
	return 0, g.check(ctx, action, o)
}
