package classes

import (
	"context"
	"errors"

	"shkola/internal/store"
)

// CurrentClasses returns the classes of an organisation's current academic
// year by name, and the year's name ("" when the organisation has no
// current year). An import names a pupil's class as people write it ("5А").
func CurrentClasses(ctx context.Context, q store.Querier, orgID int64) (map[string]Group, string, error) {
	var yearID int64
	var yearName string
	err := q.QueryRowContext(ctx, "SELECT id, name FROM academic_years WHERE org_id = $1 AND status = 'current' ORDER BY id DESC LIMIT 1", orgID).Scan(&yearID, &yearName)
	if store.IsNoRows(err) {
		return map[string]Group{}, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	rows, err := q.QueryContext(ctx, "SELECT "+groupColumns+" FROM groups WHERE org_id = $1 AND year_id = $2 AND kind = 'class'", orgID, yearID)
	if err != nil {
		return nil, "", err
	}
	out := map[string]Group{}
	for rows.Next() {
		g, err := scanGroup(rows)
		if err != nil {
			_ = rows.Close() // the error returned below is the one to report
			return nil, "", err
		}
		out[g.Name] = g
	}
	return out, yearName, errors.Join(rows.Err(), rows.Close())
}

// FindByName returns the group of a year with this name (ok false when none).
func FindByName(ctx context.Context, q store.Querier, orgID, yearID int64, name string) (Group, bool, error) {
	g, err := scanGroup(q.QueryRowContext(ctx, "SELECT "+groupColumns+" FROM groups WHERE org_id = $1 AND year_id = $2 AND name = $3", orgID, yearID, name))
	if store.IsNoRows(err) {
		return g, false, nil
	}
	return g, err == nil, err
}
