package classes

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"shkola/internal/audit"
	"shkola/internal/calendar"
	"shkola/internal/errs"
	"shkola/internal/store"
)

// NewGroup is what creating a class, sub-group or club takes. The
// organisation is the year's (OrgID, when sent, must agree). A class's name
// is derived from parallel and letter ("5А") unless given, its level from
// the parallel and the country; a sub-group takes parallel, letter and
// level from its class.
type NewGroup struct {
	YearID         int64  `json:"year_id"`
	OrgID          int64  `json:"org_id,omitempty"`
	Kind           string `json:"kind"`
	ParentID       *int64 `json:"parent_id"`
	Parallel       *int   `json:"parallel"`
	Letter         string `json:"letter"`
	Name           string `json:"name"`
	Level          string `json:"level"`
	ClassTeacherID *int64 `json:"class_teacher_id"`
	Capacity       *int   `json:"capacity"`
}

// MaxCapacity bounds a group's capacity.
const MaxCapacity = 45

func checkCapacity(c *int, v *errs.Validation) {
	if c != nil && (*c < 1 || *c > MaxCapacity) {
		v.Add("capacity", "range", fmt.Sprintf("capacity must be from 1 to %d", MaxCapacity))
	}
}

func checkName(name string, v *errs.Validation) {
	switch {
	case name == "":
		v.Add("name", "required", "a name is required")
	case utf8.RuneCountInString(name) > 100:
		v.Add("name", "length", "at most 100 characters")
	}
}

// yearFor loads the year a group is created in: unknown and closed years
// are bad input naming year_id.
func yearFor(ctx context.Context, q store.Querier, id int64, v *errs.Validation) (calendar.Year, bool, error) {
	if id <= 0 {
		v.Add("year_id", "required", "the academic year is required")
		return calendar.Year{}, false, nil
	}
	y, err := calendar.LoadYear(ctx, q, id, "")
	switch {
	case errs.CodeOf(err) == errs.NotFound:
		v.Add("year_id", "exists", "no such academic year")
		return y, false, nil
	case err != nil:
		return y, false, err
	case y.Status == calendar.Closed:
		v.Add("year_id", "closed", "the year "+y.Name+" is closed")
	}
	return y, true, nil
}

// Create adds a group in its own transaction, without audit (trusted callers).
func (s *Service) Create(ctx context.Context, n NewGroup) (Group, error) {
	var out Group
	err := s.DB.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		out, err = s.CreateTx(ctx, tx, n, nil)
		return err
	})
	return out, err
}

// CreateTx validates n and inserts the group inside the caller's transaction.
func (s *Service) CreateTx(ctx context.Context, tx *store.Tx, n NewGroup, af AuditFunc) (Group, error) {
	g, err := s.prepare(ctx, tx, n)
	if err != nil {
		return g, err
	}
	return s.insert(ctx, tx, g, af)
}

// YearOrg returns the organisation of a year (for access checks before a
// create); an unknown year answers 0.
func (s *Service) YearOrg(ctx context.Context, yearID int64) (int64, error) {
	y, err := calendar.LoadYear(ctx, s.DB.Read(), yearID, "")
	if errs.CodeOf(err) == errs.NotFound {
		return 0, nil
	}
	return y.OrgID, err
}

// prepare validates n into the group to insert.
func (s *Service) prepare(ctx context.Context, tx *store.Tx, n NewGroup) (Group, error) {
	var v errs.Validation
	if n.Kind == "" {
		n.Kind = Class
	}
	g := Group{Kind: n.Kind, YearID: n.YearID, Name: strings.TrimSpace(n.Name), Level: strings.TrimSpace(n.Level), Capacity: n.Capacity,
		ClassTeacherID: n.ClassTeacherID, Status: Active, Version: 1}
	if !oneOf(n.Kind, Kinds()) {
		v.Add("kind", "enum", "kind must be class, subgroup or club")
		return g, v.Err()
	}
	y, ok, err := yearFor(ctx, tx, n.YearID, &v)
	if err != nil || !ok {
		if err == nil {
			err = v.Err()
		}
		return g, err
	}
	g.OrgID = y.OrgID
	if n.OrgID != 0 && n.OrgID != y.OrgID {
		v.Add("org_id", "year", "the academic year belongs to another organisation")
	}
	country, err := orgCountry(ctx, tx, y.OrgID)
	if err != nil {
		return g, err
	}
	letter := normLetter(n.Letter, &v)
	switch n.Kind {
	case Class:
		if n.ParentID != nil {
			v.Add("parent_id", "forbidden", "a class has no parent; create a subgroup to split it")
		}
		switch {
		case n.Parallel == nil:
			v.Add("parallel", "required", "the parallel (grade 1 to 11, 0 for a preschool group) is required")
		case *n.Parallel < 0 || *n.Parallel > MaxParallel:
			v.Add("parallel", "range", fmt.Sprintf("the parallel must be from 0 to %d", MaxParallel))
		default:
			g.Parallel, g.Letter = intPtr(*n.Parallel), letter
			if g.Level == "" {
				g.Level = LevelFor(country, *n.Parallel)
			}
			if g.Name == "" && *n.Parallel > 0 {
				g.Name = ClassName(*n.Parallel, letter)
			}
			if *n.Parallel == 0 && g.Level != "preschool" {
				v.Add("level", "parallel", "parallel 0 is a preschool group (level preschool)")
			}
		}
	case Subgroup:
		if n.ParentID == nil {
			v.Add("parent_id", "required", "a subgroup belongs to a class")
			break
		}
		parent, err := Load(ctx, tx, *n.ParentID)
		switch {
		case errs.CodeOf(err) == errs.NotFound:
			v.Add("parent_id", "exists", "no such class")
		case err != nil:
			return g, err
		case parent.Kind != Class:
			v.Add("parent_id", "kind", "a subgroup splits a class, not a "+parent.Kind)
		case parent.YearID != y.ID:
			v.Add("parent_id", "year", "the class belongs to another academic year")
		case parent.Status != Active:
			v.Add("parent_id", "status", "the class is "+parent.Status)
		default:
			g.ParentID, g.Parallel, g.Letter = &parent.ID, parent.Parallel, parent.Letter
			if g.Level == "" {
				g.Level = parent.Level
			}
		}
	case Club:
		if n.ParentID != nil {
			v.Add("parent_id", "forbidden", "a club has no parent class")
		}
		if n.Parallel != nil {
			if *n.Parallel < 0 || *n.Parallel > MaxParallel {
				v.Add("parallel", "range", fmt.Sprintf("the parallel must be from 0 to %d", MaxParallel))
			} else {
				g.Parallel = intPtr(*n.Parallel)
			}
		}
		g.Letter = letter
		if g.Level == "" {
			g.Level = "additional"
		}
	}
	if n.Kind != Class && n.ClassTeacherID != nil {
		v.Add("class_teacher_id", "kind", "only a class has a class teacher; assign teachers to a "+n.Kind)
	}
	if g.Name != "" || !v.Has("parallel") { // no second error for a name that could not be derived
		checkName(g.Name, &v)
	}
	checkCapacity(g.Capacity, &v)
	if g.Level != "" && !v.Has("level") {
		if err := s.checkLevel(ctx, g.Level, country, &v); err != nil {
			return g, err
		}
	}
	if g.ClassTeacherID != nil && !v.Has("class_teacher_id") {
		if err := checkPerson(ctx, tx, "class_teacher_id", *g.ClassTeacherID, g.OrgID, &v); err != nil {
			return g, err
		}
	}
	if err := v.Err(); err != nil {
		return g, err
	}
	return g, uniqueName(ctx, tx, g, y.Name)
}

// uniqueName refuses a second group of the same name in a year.
func uniqueName(ctx context.Context, q store.Querier, g Group, yearName string) error {
	var one int
	err := q.QueryRowContext(ctx, "SELECT 1 FROM groups WHERE org_id = $1 AND year_id = $2 AND name = $3 AND id <> $4", g.OrgID, g.YearID, g.Name, g.ID).Scan(&one)
	if err == nil {
		return errs.Field(errs.Conflict, "name", "unique", fmt.Sprintf("%s already exists in %s", g.Name, yearName))
	}
	if store.IsNoRows(err) {
		return nil
	}
	return err
}

func (s *Service) insert(ctx context.Context, tx *store.Tx, g Group, af AuditFunc) (Group, error) {
	now := s.now()
	g.Version = 1
	err := tx.QueryRowContext(ctx, `INSERT INTO groups (org_id, year_id, kind, parent_id, parallel, letter, name, level, class_teacher_id, capacity,
		status, previous_id, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $13) RETURNING id`,
		g.OrgID, g.YearID, g.Kind, nullable(g.ParentID), nullable(g.Parallel), g.Letter, g.Name, g.Level, nullable(g.ClassTeacherID),
		nullable(g.Capacity), g.Status, nullable(g.PreviousID), now).Scan(&g.ID)
	if store.IsUniqueViolation(err) {
		return g, errs.Field(errs.Conflict, "name", "unique", g.Name+" already exists in this year")
	}
	if err != nil {
		return g, err
	}
	if err := record(ctx, tx, now, GroupEntity, g.ID, g.OrgID, store.OpCreate, map[string]any{"version": 1, "kind": g.Kind, "year_id": g.YearID}); err != nil {
		return g, err
	}
	return g, write(ctx, tx, af, entry(audit.RecordCreate, GroupEntity, g.ID, g.OrgID, diff(nil, g.fields())))
}
