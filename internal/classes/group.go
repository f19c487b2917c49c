package classes

import (
	"context"
	"database/sql"

	"shkola/internal/errs"
	"shkola/internal/store"
)

// Kinds of group.
const (
	Class    = "class"
	Subgroup = "subgroup"
	Club     = "club"
)

// Group is a class, a sub-group of a class, or an interest group.
type Group struct {
	ID             int64  `json:"id"`
	OrgID          int64  `json:"org_id"`
	YearID         int64  `json:"year_id"`
	Kind           string `json:"kind"`
	ParentID       *int64 `json:"parent_id,omitempty"`
	Parallel       *int   `json:"parallel,omitempty"`
	Letter         string `json:"letter,omitempty"`
	Name           string `json:"name"`
	Level          string `json:"level,omitempty"`
	ClassTeacherID *int64 `json:"class_teacher_id,omitempty"`
	Capacity       *int   `json:"capacity,omitempty"`
	Status         string `json:"status"`
	PreviousID     *int64 `json:"previous_id,omitempty"`
	Version        int64  `json:"version"`
}

const groupColumns = `id, org_id, year_id, kind, parent_id, parallel, letter, name, level, class_teacher_id, capacity, status, previous_id, version`

func scanGroup(row interface{ Scan(...any) error }) (Group, error) {
	var g Group
	var parent, teacher, prev sql.NullInt64
	var parallel, capacity sql.NullInt64
	err := row.Scan(&g.ID, &g.OrgID, &g.YearID, &g.Kind, &parent, &parallel, &g.Letter, &g.Name, &g.Level, &teacher, &capacity, &g.Status, &prev, &g.Version)
	if err != nil {
		return Group{}, err
	}
	g.ParentID = nullID(parent)
	g.ClassTeacherID = nullID(teacher)
	g.PreviousID = nullID(prev)
	if parallel.Valid {
		n := int(parallel.Int64)
		g.Parallel = &n
	}
	if capacity.Valid {
		n := int(capacity.Int64)
		g.Capacity = &n
	}
	return g, nil
}

func nullID(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}

// Load reads one group without access checks, for services that have
// already decided (the contingent checks the pupil, then loads the class).
func Load(ctx context.Context, q store.Querier, id int64) (Group, error) {
	g, err := scanGroup(q.QueryRowContext(ctx, "SELECT "+groupColumns+" FROM groups WHERE id = $1", id))
	if store.IsNoRows(err) {
		return Group{}, errs.E(errs.NotFound, "no such class or group")
	}
	return g, err
}
