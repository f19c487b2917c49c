package registry

import (
	"context"
	"strings"
	"time"

	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/natid"
	"shkola/internal/store"
)

// Filter selects people. Zero values do not filter; results are ordered by
// id, After being the last id of the previous page.
type Filter struct {
	Q         string // name: "Иванов", "Иванов Ив", any case, ё/е and script folded
	SNILS     string // exact
	Document  string // document number, exact
	OrgID     int64  // this organisation and everything under it
	ClassID   int64  // current members of a class or group
	BirthDate string
	Merged    bool // include records merged into others
	After     int64
	Limit     int
}

// Summary is a person in a list: no contacts, identifiers or health data.
type Summary struct {
	ID         int64  `json:"id"`
	OrgID      int64  `json:"org_id"`
	LastName   string `json:"last_name"`
	FirstName  string `json:"first_name"`
	MiddleName string `json:"middle_name,omitempty"`
	BirthDate  string `json:"birth_date"`
	Sex        string `json:"sex"`
	Class      string `json:"class,omitempty"` // current class, if any
}

// List returns one page of the people the caller may read: the scope and
// the relationships are conditions of the query, never a filter afterwards.
func (p *People) List(ctx context.Context, f Filter) ([]Summary, error) {
	a := identity.From(ctx)
	var v errs.Validation
	if f.Limit < 1 || f.Limit > 500 {
		v.Add("limit", "range", "limit must be from 1 to 500")
	}
	if f.SNILS != "" {
		s, err := natid.SNILS(f.SNILS)
		if err != nil {
			v.Add("snils", "checksum", err.Error())
		}
		f.SNILS = s
	}
	if f.BirthDate != "" {
		if _, err := time.Parse(dateLayout, f.BirthDate); err != nil {
			v.Add("birth_date", "format", "a date as YYYY-MM-DD")
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	scope := p.Policy.ListScope(a, Resource, "read")
	if scope.Empty() {
		return []Summary{}, nil
	}
	var args store.Args
	where := []string{"p.id > " + args.Add(f.After), p.Policy.PersonsSQL(a, scope, "p.org_id", "p.id", &args)}
	if !f.Merged {
		where = append(where, "p.merged_into IS NULL")
	}
	if q := strings.Fields(f.Q); len(q) > 0 {
		key := nameSkeleton(q[0])
		if len(q) > 1 {
			key += " " + nameSkeleton(q[1])
		}
		where = append(where, "p.name_key LIKE "+args.Add(likeEscape(key)+"%")+` ESCAPE '\'`)
	}
	if f.SNILS != "" {
		where = append(where, "p.snils_idx = "+args.Add(p.Keys.BlindIndex("snils", f.SNILS)))
	}
	if f.Document != "" {
		where = append(where, "p.id IN (SELECT person_id FROM person_documents WHERE retired_at IS NULL AND number_idx = "+args.Add(p.documentIndex(f.Document))+")")
	}
	if f.OrgID != 0 {
		where = append(where, "EXISTS (SELECT 1 FROM org_tree t WHERE t.ancestor_id = "+args.Add(f.OrgID)+" AND t.descendant_id = p.org_id)")
	}
	if f.ClassID != 0 {
		where = append(where, "p.id IN (SELECT person_id FROM group_members WHERE ends_on IS NULL AND group_id = "+args.Add(f.ClassID)+")")
	}
	if f.BirthDate != "" {
		where = append(where, "p.birth_date = "+args.Add(f.BirthDate))
	}
	// The current class comes from the classes domain's tables: read only.
	query := `SELECT p.id, p.org_id, p.last_name, p.first_name, p.middle_name, p.birth_date, p.sex,
		COALESCE((SELECT g.name FROM group_members m JOIN groups g ON g.id = m.group_id
			WHERE m.person_id = p.id AND m.ends_on IS NULL AND g.kind = 'class' ORDER BY m.id DESC LIMIT 1), '')
		FROM persons p WHERE ` + strings.Join(where, " AND ") + " ORDER BY p.id LIMIT " + args.Add(f.Limit)
	rows, err := p.DB.Read().QueryContext(ctx, query, args.Values...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Summary{}
	for rows.Next() {
		var s Summary
		if err := rows.Scan(&s.ID, &s.OrgID, &s.LastName, &s.FirstName, &s.MiddleName, &s.BirthDate, &s.Sex, &s.Class); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
