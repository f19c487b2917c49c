package classes

import (
	"context"
	"fmt"
	"strings"

	"shkola/internal/access"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Filter selects the groups of one organisation. Zero values do not
// filter. Results are ordered by id; After is the last id of the previous page.
type Filter struct {
	OrgID    int64
	YearID   int64
	Kind     string
	Parallel *int
	ParentID int64
	Status   string
	After    int64
	Limit    int

	scope *access.Scope // set by Guard.List: only groups the actor may see
	actor *identity.Actor
}

// MaxLimit bounds a page.
const MaxLimit = 500

// List returns one page of groups matching f.
func (s *Service) List(ctx context.Context, f Filter) ([]Summary, error) {
	var v errs.Validation
	if f.Kind != "" && !oneOf(f.Kind, Kinds()) {
		v.Add("kind", "enum", "kind must be class, subgroup or club")
	}
	if f.Status != "" && !oneOf(f.Status, []string{Active, Graduated, Closed}) {
		v.Add("status", "enum", "status must be active, graduated or closed")
	}
	if f.Limit < 1 || f.Limit > MaxLimit {
		v.Add("limit", "range", fmt.Sprintf("limit must be from 1 to %d", MaxLimit))
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	args := &store.Args{}
	where := []string{"g.org_id = " + args.Add(f.OrgID), "g.id > " + args.Add(f.After)}
	if f.YearID > 0 {
		where = append(where, "g.year_id = "+args.Add(f.YearID))
	}
	if f.Kind != "" {
		where = append(where, "g.kind = "+args.Add(f.Kind))
	}
	if f.Parallel != nil {
		where = append(where, "g.parallel = "+args.Add(*f.Parallel))
	}
	if f.ParentID > 0 {
		where = append(where, "g.parent_id = "+args.Add(f.ParentID))
	}
	if f.Status != "" {
		where = append(where, "g.status = "+args.Add(f.Status))
	}
	if f.scope != nil && !f.scope.All {
		where = append(where, scopeSQL(f.actor, *f.scope, args))
	}
	query := summarySelect + " WHERE " + strings.Join(where, " AND ") + " ORDER BY g.id LIMIT " + args.Add(f.Limit)
	rows, err := s.DB.Read().QueryContext(ctx, query, args.Values...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Summary{}
	for rows.Next() {
		g, err := scanSummary(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// scopeSQL is the list form of the class read rule: the group's
// organisation is in one of the scope's subtrees, or the actor teaches it
// (or one of its sub-groups), or leads it (or its class). It answers the
// same as Teaches and ClassTeacherOf do for one group.
func scopeSQL(a *identity.Actor, sc access.Scope, args *store.Args) string {
	conds := []string{sc.OrgSQL("g.org_id", args)}
	if a != nil && a.PersonID != 0 {
		for _, rel := range sc.Rels {
			switch rel {
			case access.Teaches:
				conds = append(conds, `EXISTS (SELECT 1 FROM assignments x WHERE x.teacher_id = `+args.Add(a.PersonID)+` AND x.ends_on IS NULL
					AND (x.group_id = g.id OR x.group_id IN (SELECT sg.id FROM groups sg WHERE sg.parent_id = g.id)))`)
			case access.ClassTeacherOf:
				conds = append(conds, `EXISTS (SELECT 1 FROM groups ct WHERE ct.class_teacher_id = `+args.Add(a.PersonID)+` AND ct.status = 'active'
					AND (ct.id = g.id OR ct.id = g.parent_id))`)
			}
		}
	}
	return "(" + strings.Join(conds, " OR ") + ")"
}
