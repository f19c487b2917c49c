package org

import (
	"context"
	"fmt"
	"strings"

	"shkola/internal/access"
	"shkola/internal/errs"
	"shkola/internal/store"
)

// Filter selects organisations. Zero values do not filter. Results are
// ordered by id; After is the last id of the previous page.
type Filter struct {
	Kind   Kind
	Status Status
	Parent int64  // direct children of this organisation
	Within int64  // this organisation and everything under it
	Q      string // part of the full or short name, any case, ё = е
	After  int64
	Limit  int

	scope *access.Scope // set by Guard.List: only rows the actor may see
}

// MaxLimit bounds a page.
const MaxLimit = 500

// List returns one page of organisations matching f.
func (s *Service) List(ctx context.Context, f Filter) ([]Organisation, error) {
	var v errs.Validation
	if f.Kind != "" && !f.Kind.Valid() {
		v.Add("kind", "enum", "unknown kind")
	}
	if f.Status != "" && !f.Status.Valid() {
		v.Add("status", "enum", "unknown status")
	}
	if f.Limit < 1 || f.Limit > MaxLimit {
		v.Add("limit", "range", fmt.Sprintf("limit must be from 1 to %d", MaxLimit))
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	args := []any{f.After}
	where := []string{"o.id > $1"}
	add := func(cond string, arg any) {
		args = append(args, arg)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Kind != "" {
		add("o.kind = $%d", string(f.Kind))
	}
	if f.Status != "" {
		add("o.status = $%d", string(f.Status))
	}
	if f.Parent > 0 {
		add("o.parent_id = $%d", f.Parent)
	}
	if f.Within > 0 {
		add("EXISTS (SELECT 1 FROM org_tree t WHERE t.ancestor_id = $%d AND t.descendant_id = o.id)", f.Within)
	}
	if f.scope != nil && !f.scope.All {
		// Scope conditions take their own placeholders after the ones so far.
		a := store.Args{Values: args}
		where = append(where, f.scope.OrgSQL("o.id", &a))
		args = a.Values
	}
	if q := searchKey(f.Q); q != "" {
		add(`o.name_search LIKE $%d ESCAPE '\'`, "%"+likeEscape(q)+"%")
	}
	args = append(args, f.Limit)
	query := fmt.Sprintf(`SELECT %s FROM organisations o WHERE %s ORDER BY o.id LIMIT $%d`, columns, strings.Join(where, " AND "), len(args))
	rows, err := s.DB.Read().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Organisation{}
	for rows.Next() {
		o, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// likeEscape makes % and _ in a search literal.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Ancestors returns the chain from the root down to id's parent, for
// breadcrumbs.
func (s *Service) Ancestors(ctx context.Context, id int64) ([]Organisation, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+columns+` FROM organisations o
		JOIN org_tree t ON t.ancestor_id = o.id WHERE t.descendant_id = $1 AND t.depth > 0 ORDER BY t.depth DESC`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Organisation
	for rows.Next() {
		o, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
