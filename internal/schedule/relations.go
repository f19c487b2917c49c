package schedule

import (
	"context"

	"shkola/internal/access"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// TakesLesson holds when the actor takes the target lesson: its substitute
// when one is named, otherwise its teacher. A replaced teacher no longer
// takes the lesson.
func TakesLesson(ctx context.Context, q store.Querier, a *identity.Actor, _ identity.Grant, t access.Target) (bool, error) {
	if a.PersonID == 0 || t.LessonID == 0 {
		return false, nil
	}
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM lessons WHERE id = $1
		AND COALESCE(substitute_id, teacher_id) = $2`, t.LessonID, a.PersonID).Scan(&one)
	if store.IsNoRows(err) {
		return false, nil
	}
	return err == nil, err
}

// TakesLessonSQL is TakesLesson for the lesson whose id is in c.Lesson.
func TakesLessonSQL(a *identity.Actor, c access.Columns, args *store.Args) string {
	if c.Lesson == "" {
		return ""
	}
	return `EXISTS (SELECT 1 FROM lessons tll WHERE tll.id = ` + c.Lesson + `
		AND COALESCE(tll.substitute_id, tll.teacher_id) = ` + args.Add(a.PersonID) + `)`
}
