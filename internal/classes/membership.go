package classes

import (
	"context"
	"time"

	"shkola/internal/errs"
	"shkola/internal/store"
)

// Join adds a person to a group from a date, inside the caller's
// transaction (the contingent's movements call it for classes). Joining a
// group one is already in is a conflict, not a second row.
func Join(ctx context.Context, tx *store.Tx, groupID, personID int64, from string, now time.Time) error {
	var one int
	err := tx.QueryRowContext(ctx, "SELECT 1 FROM group_members WHERE group_id = $1 AND person_id = $2 AND ends_on IS NULL", groupID, personID).Scan(&one)
	if err == nil {
		return errs.Field(errs.Conflict, "class_id", "member", "the pupil is already in this group")
	}
	if !store.IsNoRows(err) {
		return err
	}
	_, err = tx.ExecContext(ctx, "INSERT INTO group_members (group_id, person_id, starts_on, created_at) VALUES ($1, $2, $3, $4)", groupID, personID, from, now)
	return err
}

// Leave ends a person's membership of a group on a date (the last day is
// the day before). Leaving a group one is not in does nothing.
func Leave(ctx context.Context, tx *store.Tx, groupID, personID int64, on string) error {
	_, err := tx.ExecContext(ctx, "UPDATE group_members SET ends_on = $1 WHERE group_id = $2 AND person_id = $3 AND ends_on IS NULL", on, groupID, personID)
	return err
}

// LeaveAll ends every current membership of a person in the groups of an
// organisation (a departure takes the pupil out of its sub-groups and clubs too).
func LeaveAll(ctx context.Context, tx *store.Tx, orgID, personID int64, on string) error {
	_, err := tx.ExecContext(ctx, `UPDATE group_members SET ends_on = $1
		WHERE person_id = $2 AND ends_on IS NULL AND group_id IN (SELECT id FROM groups WHERE org_id = $3)`, on, personID, orgID)
	return err
}

// CurrentSize counts the current members of a group (for capacity checks).
func CurrentSize(ctx context.Context, q store.Querier, groupID int64) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM group_members WHERE group_id = $1 AND ends_on IS NULL", groupID).Scan(&n)
	return n, err
}
