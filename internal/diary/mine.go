package diary

import (
	"context"
	"database/sql"

	"shkola/internal/identity"
	"shkola/internal/store"
)

// First is whose diary /diary opens for the caller: the own one for a
// pupil, else the eldest of a guardian's current children; 0 when there is
// none (the pages decide access again when it is opened).
func (g *Guard) First(ctx context.Context) (int64, error) {
	a := identity.From(ctx)
	if a.PersonID == 0 {
		return 0, nil
	}
	if a.Has(identity.Student) {
		return a.PersonID, nil
	}
	if !a.Has(identity.Guardian) {
		return 0, nil
	}
	var id sql.NullInt64
	err := g.S.DB.Read().QueryRowContext(ctx, `SELECT p.id FROM guardianships gd JOIN persons p ON p.id = gd.child_id
		WHERE gd.guardian_id = $1 AND gd.ends_on IS NULL AND p.merged_into IS NULL ORDER BY p.birth_date, p.id LIMIT 1`, a.PersonID).Scan(&id)
	if err != nil && !store.IsNoRows(err) {
		return 0, err
	}
	return id.Int64, nil
}

// LessonDate is the day of lesson if it is one of pupil's (the pupil was
// in its group that day), "" otherwise; a notification's link opens the
// week of its lesson. Access to the diary is decided when the week is read.
func (g *Guard) LessonDate(ctx context.Context, pupil, lesson int64) (string, error) {
	var d sql.NullString
	err := g.S.DB.Read().QueryRowContext(ctx, `SELECT l.on_date FROM lessons l WHERE l.id = $1 AND EXISTS (SELECT 1 FROM group_members m
		WHERE m.person_id = $2 AND m.group_id = l.group_id AND m.starts_on <= l.on_date AND (m.ends_on IS NULL OR m.ends_on > l.on_date))`,
		lesson, pupil).Scan(&d)
	if err != nil && !store.IsNoRows(err) {
		return "", err
	}
	return d.String, nil
}
