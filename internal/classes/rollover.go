package classes

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"shkola/internal/audit"
	"shkola/internal/calendar"
	"shkola/internal/errs"
	"shkola/internal/store"
)

// Rollover is what the year rollover takes. LastParallel is the parallel
// that graduates (11 by default; 9 for a basic school, 4 for a primary
// one). The next year's dates are used only when it does not exist yet;
// by default they are this year's, a year later.
type Rollover struct {
	LastParallel int    `json:"last_parallel"`
	NextStartsOn string `json:"next_starts_on"`
	NextEndsOn   string `json:"next_ends_on"`
}

// Promotion is one class carried into the next year.
type Promotion struct {
	FromID   int64  `json:"from_id"`
	FromName string `json:"from_name"`
	ToID     int64  `json:"to_id"`
	ToName   string `json:"to_name"`
	Members  int    `json:"members"`
}

// RolloverResult says what the rollover did.
type RolloverResult struct {
	From      calendar.Year `json:"from"`
	To        calendar.Year `json:"to"`
	Promoted  []Promotion   `json:"promoted"`
	Graduated []Promotion   `json:"graduated"` // FromID/FromName/Members only
	Members   int           `json:"members"`   // pupils carried into the new classes
}

// DefaultLastParallel is the parallel that graduates unless told otherwise.
const DefaultLastParallel = 11

// RolloverYear promotes the classes of the current year yearID into the next
// year (created when missing): 5А becomes 6А with the same letter, class
// teacher and pupils, the last parallel graduates, sub-groups and clubs
// close, and the old year closes while the new one becomes current. All of
// it happens in one transaction; a second run is refused.
func (s *Service) RolloverYear(ctx context.Context, yearID int64, r Rollover, af AuditFunc) (RolloverResult, error) {
	var out RolloverResult
	err := s.DB.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		out, err = s.rollover(ctx, tx, yearID, r, af)
		return err
	})
	return out, err
}

func (s *Service) rollover(ctx context.Context, tx *store.Tx, yearID int64, r Rollover, af AuditFunc) (RolloverResult, error) {
	var res RolloverResult
	y, err := calendar.LoadYear(ctx, tx, yearID, tx.Engine.ForUpdate())
	if err != nil {
		return res, err
	}
	res.From = y
	if err := s.checkRollable(ctx, tx, y); err != nil {
		return res, err
	}
	last := r.LastParallel
	if last == 0 {
		last = DefaultLastParallel
	}
	var v errs.Validation
	if last < 1 || last > MaxParallel+1 {
		v.Add("last_parallel", "range", fmt.Sprintf("the last parallel must be from 1 to %d", MaxParallel+1))
		return res, v.Err()
	}
	classes, err := s.yearGroups(ctx, tx, y.ID, Class)
	if err != nil {
		return res, err
	}
	for _, c := range classes {
		if c.Parallel != nil && *c.Parallel > last {
			v.Add("last_parallel", "classes", fmt.Sprintf("the class %s is above the last parallel %d", c.Name, last))
			return res, v.Err()
		}
	}
	next, err := s.nextYear(ctx, tx, y, r, af)
	if err != nil {
		return res, err
	}
	res.To = next
	country, err := orgCountry(ctx, tx, y.OrgID)
	if err != nil {
		return res, err
	}
	// Every promoted class needs a free name in the next year: refuse all
	// of them at once rather than half a rollover.
	var taken []string
	for _, c := range classes {
		if c.Parallel == nil || *c.Parallel >= last {
			continue
		}
		name := promotedName(c.Name, *c.Parallel, c.Letter)
		if err := uniqueName(ctx, tx, Group{OrgID: y.OrgID, YearID: next.ID, Name: name}, next.Name); err != nil {
			taken = append(taken, name)
		}
	}
	if len(taken) > 0 {
		return res, errs.Field(errs.Conflict, "name", "unique", fmt.Sprintf("%s already exist in %s: rename or remove them first", strings.Join(taken, ", "), next.Name))
	}
	oldEnd := calendar.DayAfter(y.EndsOn) // memberships cover the old year to its last day
	for _, c := range classes {
		if c.Parallel == nil { // not a graded class (written by hand): it ends with its year
			if err := s.closeGroup(ctx, tx, c, Closed, oldEnd, af); err != nil {
				return res, err
			}
			continue
		}
		if *c.Parallel < last {
			p, err := s.promote(ctx, tx, c, next, country, oldEnd, af)
			if err != nil {
				return res, err
			}
			res.Promoted = append(res.Promoted, p)
			res.Members += p.Members
			continue
		}
		n, err := CurrentSize(ctx, tx, c.ID)
		if err != nil {
			return res, err
		}
		if s.Graduate != nil {
			if err := s.Graduate(ctx, tx, c.ID, y.EndsOn); err != nil {
				return res, err
			}
		}
		if err := s.closeGroup(ctx, tx, c, Graduated, oldEnd, af); err != nil {
			return res, err
		}
		res.Graduated = append(res.Graduated, Promotion{FromID: c.ID, FromName: c.Name, Members: n})
	}
	for _, kind := range []string{Subgroup, Club} {
		rest, err := s.yearGroups(ctx, tx, y.ID, kind)
		if err != nil {
			return res, err
		}
		for _, g := range rest {
			if err := s.closeGroup(ctx, tx, g, Closed, oldEnd, af); err != nil {
				return res, err
			}
		}
	}
	// Teaching of the old year ends with it.
	if _, err := tx.ExecContext(ctx, `UPDATE assignments SET ends_on = $1 WHERE ends_on IS NULL AND group_id IN (SELECT id FROM groups WHERE year_id = $2)`,
		oldEnd, y.ID); err != nil {
		return res, err
	}
	closed, current := calendar.Closed, calendar.Current
	if res.From, err = s.calendar().UpdateYearTx(ctx, tx, y.ID, 0, calendar.YearPatch{Status: &closed}, af); err != nil {
		return res, err
	}
	if res.To, err = s.calendar().UpdateYearTx(ctx, tx, next.ID, 0, calendar.YearPatch{Status: &current}, af); err != nil {
		return res, err
	}
	if res.Promoted == nil {
		res.Promoted = []Promotion{}
	}
	if res.Graduated == nil {
		res.Graduated = []Promotion{}
	}
	return res, nil
}

// checkRollable refuses a year that is not current, naming a rollover
// already done.
func (s *Service) checkRollable(ctx context.Context, tx *store.Tx, y calendar.Year) error {
	if y.Status == calendar.Current {
		return nil
	}
	var into string
	err := tx.QueryRowContext(ctx, `SELECT ny.name FROM groups g JOIN groups pg ON pg.id = g.previous_id JOIN academic_years ny ON ny.id = g.year_id
		WHERE pg.year_id = $1 LIMIT 1`, y.ID).Scan(&into)
	if err == nil {
		return errs.Field(errs.Conflict, "year_id", "rolled_over", fmt.Sprintf("the year %s was already rolled over into %s", y.Name, into))
	}
	if !store.IsNoRows(err) {
		return err
	}
	return errs.Field(errs.Conflict, "status", "current", "only the current year is rolled over; the year "+y.Name+" is "+y.Status)
}

// nextYear returns the year after y, creating it when missing; an existing
// one must still be planned.
func (s *Service) nextYear(ctx context.Context, tx *store.Tx, y calendar.Year, r Rollover, af AuditFunc) (calendar.Year, error) {
	next, err := calendar.NextYear(ctx, tx, y, tx.Engine.ForUpdate())
	if err == nil {
		if next.Status != calendar.Planned {
			return next, errs.Field(errs.Conflict, "year_id", "next_year", "the next year "+next.Name+" is "+next.Status)
		}
		return next, nil
	}
	if errs.CodeOf(err) != errs.NotFound {
		return next, err
	}
	start, end := r.NextStartsOn, r.NextEndsOn
	if start == "" {
		t, _ := calendar.ParseDate(y.StartsOn)
		start = t.AddDate(1, 0, 0).Format(calendar.DateLayout)
	}
	if end == "" {
		t, _ := calendar.ParseDate(y.EndsOn)
		end = t.AddDate(1, 0, 0).Format(calendar.DateLayout)
	}
	next, err = s.calendar().CreateYearTx(ctx, tx, y.OrgID, calendar.NewYear{StartsOn: start, EndsOn: end, PeriodKind: y.PeriodKind}, af)
	if err != nil {
		return next, renameDates(err)
	}
	if next.StartsOn <= y.EndsOn {
		return next, errs.Field(errs.Invalid, "next_starts_on", "order", "the next year must start after "+y.EndsOn)
	}
	return next, nil
}

// renameDates names the request's fields in errors about the next year's dates.
func renameDates(err error) error {
	e, ok := err.(*errs.Error)
	if !ok {
		return err
	}
	out := *e
	out.Fields = nil
	for _, f := range e.Fields {
		switch f.Field {
		case "starts_on", "ends_on":
			f.Field = "next_" + f.Field
		}
		out.Fields = append(out.Fields, f)
	}
	return &out
}

// yearGroups lists the active groups of a kind in a year by parallel and letter.
func (s *Service) yearGroups(ctx context.Context, tx *store.Tx, yearID int64, kind string) ([]Group, error) {
	rows, err := tx.QueryContext(ctx, "SELECT "+groupColumns+` FROM groups WHERE year_id = $1 AND kind = $2 AND status = 'active'
		ORDER BY COALESCE(parallel, 0), letter, id`, yearID, kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Group
	for rows.Next() {
		g, err := scanGroup(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// promote creates the class one parallel up in the next year and carries
// the current pupils into it from the new year's first day.
func (s *Service) promote(ctx context.Context, tx *store.Tx, c Group, next calendar.Year, country, oldEnd string, af AuditFunc) (Promotion, error) {
	p := *c.Parallel
	ng := Group{OrgID: c.OrgID, YearID: next.ID, Kind: Class, Parallel: intPtr(p + 1), Letter: c.Letter, Name: promotedName(c.Name, p, c.Letter),
		Level: promotedLevel(c.Level, country, p), ClassTeacherID: c.ClassTeacherID, Capacity: c.Capacity, Status: Active, PreviousID: &c.ID}
	ng, err := s.insert(ctx, tx, ng, af)
	if err != nil {
		return Promotion{}, err
	}
	rows, err := tx.QueryContext(ctx, "SELECT person_id FROM group_members WHERE group_id = $1 AND ends_on IS NULL ORDER BY person_id", c.ID)
	if err != nil {
		return Promotion{}, err
	}
	var pupils []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			_ = rows.Close() // the error returned below is the one to report
			return Promotion{}, err
		}
		pupils = append(pupils, id)
	}
	if err := rows.Close(); err != nil {
		return Promotion{}, err
	}
	now := s.now()
	for _, pid := range pupils {
		var mid int64
		if err := tx.QueryRowContext(ctx, "INSERT INTO group_members (group_id, person_id, starts_on, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
			ng.ID, pid, next.StartsOn, now).Scan(&mid); err != nil {
			return Promotion{}, err
		}
		if err := record(ctx, tx, now, MemberEntity, mid, c.OrgID, store.OpCreate, map[string]any{"group_id": ng.ID, "person_id": pid}); err != nil {
			return Promotion{}, err
		}
	}
	if s.Promote != nil {
		if err := s.Promote(ctx, tx, c.ID, ng.ID, next.StartsOn); err != nil {
			return Promotion{}, err
		}
	}
	if err := s.closeGroup(ctx, tx, c, Closed, oldEnd, af); err != nil {
		return Promotion{}, err
	}
	return Promotion{FromID: c.ID, FromName: c.Name, ToID: ng.ID, ToName: ng.Name, Members: len(pupils)}, nil
}

// closeGroup ends a group's current memberships on end and gives it status.
func (s *Service) closeGroup(ctx context.Context, tx *store.Tx, g Group, status, end string, af AuditFunc) error {
	rows, err := tx.QueryContext(ctx, "SELECT id, person_id FROM group_members WHERE group_id = $1 AND ends_on IS NULL ORDER BY id", g.ID)
	if err != nil {
		return err
	}
	type member struct{ id, person int64 }
	var ms []member
	for rows.Next() {
		var m member
		if err := rows.Scan(&m.id, &m.person); err != nil {
			_ = rows.Close() // the error returned below is the one to report
			return err
		}
		ms = append(ms, m)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	now := s.now()
	if _, err := tx.ExecContext(ctx, "UPDATE group_members SET ends_on = $1 WHERE group_id = $2 AND ends_on IS NULL", end, g.ID); err != nil {
		return err
	}
	for _, m := range ms {
		if err := record(ctx, tx, now, MemberEntity, m.id, g.OrgID, store.OpUpdate, map[string]any{"group_id": g.ID, "person_id": m.person}); err != nil {
			return err
		}
	}
	res, err := tx.ExecContext(ctx, "UPDATE groups SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4",
		status, now, g.ID, g.Version)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return stale()
	}
	if err := record(ctx, tx, now, GroupEntity, g.ID, g.OrgID, store.OpUpdate, map[string]any{"version": g.Version + 1, "status": status}); err != nil {
		return err
	}
	changes := []audit.FieldChange{{Field: "status", Old: g.Status, New: status}}
	if len(ms) > 0 {
		changes = append(changes, audit.FieldChange{Field: "members_ended", New: strconv.Itoa(len(ms))})
	}
	return write(ctx, tx, af, entry(audit.RecordUpdate, GroupEntity, g.ID, g.OrgID, changes))
}
