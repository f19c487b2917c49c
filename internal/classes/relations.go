package classes

import (
	"context"

	"shkola/internal/access"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// ClassTeacherOf holds for the current pupils of the active classes the
// actor leads, for those classes and their sub-groups, and for the pupils'
// current guardians (whose contacts a class teacher keeps).
func ClassTeacherOf(ctx context.Context, q store.Querier, a *identity.Actor, _ identity.Grant, t access.Target) (bool, error) {
	if a.PersonID == 0 {
		return false, nil
	}
	switch {
	case t.ClassID != 0:
		return exists(ctx, q, `SELECT 1 FROM groups g WHERE g.class_teacher_id = $1 AND g.status = 'active'
			AND (g.id = $2 OR g.id = (SELECT parent_id FROM groups WHERE id = $2))`, a.PersonID, t.ClassID)
	case t.PersonID != 0:
		return exists(ctx, q, `SELECT 1 FROM groups g JOIN group_members m ON m.group_id = g.id AND m.ends_on IS NULL
			WHERE g.class_teacher_id = $1 AND g.status = 'active' AND (m.person_id = $2
			OR m.person_id IN (SELECT child_id FROM guardianships WHERE guardian_id = $2 AND ends_on IS NULL))`, a.PersonID, t.PersonID)
	}
	return false, nil
}

// ClassTeacherOfSQL is ClassTeacherOf for lists of people.
func ClassTeacherOfSQL(a *identity.Actor, column string, args *store.Args) string {
	p := args.Add(a.PersonID)
	pupils := `SELECT m.person_id FROM groups g JOIN group_members m ON m.group_id = g.id AND m.ends_on IS NULL
		WHERE g.class_teacher_id = ` + p + ` AND g.status = 'active'`
	return "(" + column + " IN (" + pupils + ") OR " + column + " IN (SELECT guardian_id FROM guardianships WHERE ends_on IS NULL AND child_id IN (" + pupils + ")))"
}

// ClassTeacherOfClassSQL is ClassTeacherOf for the class whose id is in
// c.Class (the class itself, or the class of a sub-group).
func ClassTeacherOfClassSQL(a *identity.Actor, c access.Columns, args *store.Args) string {
	if c.Class == "" {
		return ""
	}
	return `EXISTS (SELECT 1 FROM groups ctg WHERE ctg.class_teacher_id = ` + args.Add(a.PersonID) + ` AND ctg.status = 'active'
		AND (ctg.id = ` + c.Class + ` OR ctg.id = (SELECT ctp.parent_id FROM groups ctp WHERE ctp.id = ` + c.Class + `)))`
}

// Teaches holds when the actor has a current teaching assignment for the
// target class or sub-group, or for a group the target pupil is in.
func Teaches(ctx context.Context, q store.Querier, a *identity.Actor, _ identity.Grant, t access.Target) (bool, error) {
	if a.PersonID == 0 {
		return false, nil
	}
	switch {
	case t.ClassID != 0:
		return exists(ctx, q, `SELECT 1 FROM assignments WHERE teacher_id = $1 AND ends_on IS NULL
			AND (group_id = $2 OR group_id IN (SELECT id FROM groups WHERE parent_id = $2))`, a.PersonID, t.ClassID)
	case t.PersonID != 0:
		return exists(ctx, q, `SELECT 1 FROM assignments a JOIN group_members m ON m.group_id = a.group_id AND m.ends_on IS NULL
			WHERE a.teacher_id = $1 AND a.ends_on IS NULL AND m.person_id = $2`, a.PersonID, t.PersonID)
	}
	return false, nil
}

// TeachesSQL is Teaches for lists of people.
func TeachesSQL(a *identity.Actor, column string, args *store.Args) string {
	return "(" + column + ` IN (SELECT m.person_id FROM assignments a JOIN group_members m ON m.group_id = a.group_id AND m.ends_on IS NULL
		WHERE a.teacher_id = ` + args.Add(a.PersonID) + " AND a.ends_on IS NULL))"
}

// TeachesClassSQL is Teaches for the class whose id is in c.Class.
func TeachesClassSQL(a *identity.Actor, c access.Columns, args *store.Args) string {
	if c.Class == "" {
		return ""
	}
	return `EXISTS (SELECT 1 FROM assignments tca WHERE tca.teacher_id = ` + args.Add(a.PersonID) + ` AND tca.ends_on IS NULL
		AND (tca.group_id = ` + c.Class + ` OR tca.group_id IN (SELECT tcg.id FROM groups tcg WHERE tcg.parent_id = ` + c.Class + `)))`
}

func exists(ctx context.Context, q store.Querier, query string, args ...any) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, query, args...).Scan(&one)
	if store.IsNoRows(err) {
		return false, nil
	}
	return err == nil, err
}
