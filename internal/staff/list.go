package staff

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"shkola/internal/errs"
	"shkola/internal/registry"
	"shkola/internal/store"
)

// Filter selects the staff of one organisation: the people with an
// employment there that is current today. Zero values do not filter. The
// list is ordered by name; After is where the previous page stopped.
type Filter struct {
	OrgID    int64
	Position string // a current post in this position
	Subject  string // may teach this subject
	Q        string // name: "Иванова", "Иванова Ан"; case, ё/е and script folded
	After    *Cursor
	Limit    int

	full bool // set by Guard for callers who may read staff records
}

// MaxLimit bounds a page.
const MaxLimit = 500

// Cursor is the last row of a page in the list's order.
type Cursor struct {
	Last   string `json:"l"`
	First  string `json:"f"`
	Middle string `json:"m"`
	ID     int64  `json:"i"`
}

// String is the opaque form clients send back.
func (c Cursor) String() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ParseCursor reads a cursor made by String.
func ParseCursor(s string) (*Cursor, error) {
	bad := errs.Field(errs.Invalid, "cursor", "format", "cursor is not one this server issued")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) > 2000 {
		return nil, bad
	}
	var c Cursor
	if json.Unmarshal(b, &c) != nil || c.ID <= 0 {
		return nil, bad
	}
	return &c, nil
}

// NextCursor is the cursor after a full page, nil after the last one.
func NextCursor(items []Member, limit int) *Cursor {
	if len(items) < limit || len(items) == 0 {
		return nil
	}
	m := items[len(items)-1]
	return &Cursor{Last: m.LastName, First: m.FirstName, Middle: m.MiddleName, ID: m.PersonID}
}

// searchKey folds a name query as the registry folds names ("last first").
func searchKey(q string) string {
	f := strings.Fields(q)
	switch len(f) {
	case 0:
		return ""
	case 1:
		return strings.TrimSpace(registry.NameKey(f[0], ""))
	}
	return registry.NameKey(f[0], f[1])
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// List returns one page of the staff of f.OrgID.
func (s *Service) List(ctx context.Context, f Filter) ([]Member, error) {
	var v errs.Validation
	f.Position, f.Subject = normCode(f.Position), normCode(f.Subject)
	if f.Position != "" && !contains(Positions(), f.Position) {
		if ok, err := s.known(ctx, PositionDirectory, f.Position); err != nil || !ok {
			v.Add("position", "enum", "not a position of the directory")
		}
	}
	if f.Subject != "" && !contains(Subjects(), f.Subject) {
		if ok, err := s.known(ctx, SubjectDirectory, f.Subject); err != nil || !ok {
			v.Add("subject", "enum", "not a subject of the directory")
		}
	}
	if f.Limit < 1 || f.Limit > MaxLimit {
		v.Add("limit", "range", fmt.Sprintf("limit must be from 1 to %d", MaxLimit))
	}
	if len([]rune(f.Q)) > 200 {
		v.Add("q", "max_length", "at most 200 characters")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	today := s.today()
	var args store.Args
	org, day := args.Add(f.OrgID), args.Add(today)
	current := "e.org_id = " + org + " AND e.starts_on <= " + day + " AND (e.ends_on IS NULL OR e.ends_on >= " + day + ")"
	posts := "SELECT 1 FROM employments e WHERE e.person_id = p.id AND " + current
	if f.Position != "" {
		posts += " AND e.position = " + args.Add(f.Position)
	}
	where := []string{"EXISTS (" + posts + ")", "p.merged_into IS NULL"}
	if f.Subject != "" {
		where = append(where, "EXISTS (SELECT 1 FROM staff_subjects ss WHERE ss.person_id = p.id AND ss.subject = "+args.Add(f.Subject)+")")
	}
	if key := searchKey(f.Q); key != "" {
		where = append(where, "p.name_key LIKE "+args.Add(likeEscape(key)+"%")+` ESCAPE '\'`)
	}
	if c := f.After; c != nil {
		where = append(where, "((p.last_name, p.first_name, p.middle_name, p.id) > ("+args.Add(c.Last)+", "+args.Add(c.First)+", "+
			args.Add(c.Middle)+", "+args.Add(c.ID)+"))")
	}
	query := `SELECT p.id, p.last_name, p.first_name, p.middle_name FROM persons p WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY p.last_name, p.first_name, p.middle_name, p.id LIMIT ` + args.Add(f.Limit)
	rows, err := s.DB.Read().QueryContext(ctx, query, args.Values...)
	if err != nil {
		return nil, err
	}
	out := []Member{}
	index := map[int64]int{}
	for rows.Next() {
		var m Member
		if err := rows.Scan(&m.PersonID, &m.LastName, &m.FirstName, &m.MiddleName); err != nil {
			_ = rows.Close() // the error returned below is the one to report
			return nil, err
		}
		index[m.PersonID] = len(out)
		out = append(out, m)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil || len(out) == 0 {
		return out, err
	}
	if err := s.fillPosts(ctx, f, today, out, index); err != nil {
		return nil, err
	}
	if f.full {
		if err := fillSubjects(ctx, s.DB.Read(), out, index); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// inList returns "IN ($a, $b…)" for the people of a page.
func inList(items []Member, args *store.Args) string {
	ph := make([]string, len(items))
	for i, m := range items {
		ph[i] = args.Add(m.PersonID)
	}
	return "IN (" + strings.Join(ph, ", ") + ")"
}

// fillPosts adds each person's current posts at the organisation.
func (s *Service) fillPosts(ctx context.Context, f Filter, today string, out []Member, index map[int64]int) error {
	var args store.Args
	org, day := args.Add(f.OrgID), args.Add(today)
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT e.person_id, e.id, e.position, e.rate, e.starts_on FROM employments e
		WHERE e.org_id = `+org+` AND e.starts_on <= `+day+` AND (e.ends_on IS NULL OR e.ends_on >= `+day+`)
		AND e.person_id `+inList(out, &args)+` ORDER BY e.person_id, e.starts_on, e.id`, args.Values...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var pid int64
		var p Post
		var rate string
		if err := rows.Scan(&pid, &p.EmploymentID, &p.Position, &rate, &p.StartsOn); err != nil {
			return err
		}
		if !f.full {
			p = Post{Position: p.Position}
		} else {
			p.Rate = Rate(rate)
		}
		m := &out[index[pid]]
		m.Posts = append(m.Posts, p)
	}
	return rows.Err()
}

func fillSubjects(ctx context.Context, q store.Querier, out []Member, index map[int64]int) error {
	var args store.Args
	rows, err := q.QueryContext(ctx, "SELECT person_id, subject FROM staff_subjects WHERE person_id "+inList(out, &args), args.Values...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var pid int64
		var c string
		if err := rows.Scan(&pid, &c); err != nil {
			return err
		}
		m := &out[index[pid]]
		m.Subjects = append(m.Subjects, c)
	}
	for i := range out {
		out[i].Subjects = sortSubjects(out[i].Subjects)
	}
	return rows.Err()
}
