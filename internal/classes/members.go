package classes

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"shkola/internal/audit"
	"shkola/internal/calendar"
	"shkola/internal/errs"
	"shkola/internal/store"
)

// Member is one membership of a group. EndsOn, when set, is the first day
// the person is no longer a member (as Leave writes it).
type Member struct {
	ID         int64  `json:"id"`
	PersonID   int64  `json:"person_id"`
	LastName   string `json:"last_name"`
	FirstName  string `json:"first_name"`
	MiddleName string `json:"middle_name,omitempty"`
	StartsOn   string `json:"starts_on"`
	EndsOn     string `json:"ends_on,omitempty"`
}

// NewMember adds a person to a sub-group or club from a date (today,
// within the year, when empty).
type NewMember struct {
	PersonID int64  `json:"person_id"`
	StartsOn string `json:"starts_on"`
}

// Members lists the members of a group by name: the current ones when on
// is empty, otherwise those who were members on that day.
func (s *Service) Members(ctx context.Context, groupID int64, on string) ([]Member, error) {
	query := `SELECT m.id, m.person_id, p.last_name, p.first_name, p.middle_name, m.starts_on, m.ends_on
		FROM group_members m JOIN persons p ON p.id = m.person_id WHERE m.group_id = $1`
	args := []any{groupID}
	if on == "" {
		query += " AND m.ends_on IS NULL"
	} else {
		if !calendar.ValidDate(on) {
			return nil, errs.Field(errs.Invalid, "on", "date", "not a date in the calendar (YYYY-MM-DD)")
		}
		query += " AND m.starts_on <= $2 AND (m.ends_on IS NULL OR m.ends_on > $2)"
		args = append(args, on)
	}
	rows, err := s.DB.Read().QueryContext(ctx, query+" ORDER BY p.last_name, p.first_name, p.middle_name, m.person_id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Member{}
	for rows.Next() {
		var m Member
		var ends sql.NullString
		if err := rows.Scan(&m.ID, &m.PersonID, &m.LastName, &m.FirstName, &m.MiddleName, &m.StartsOn, &ends); err != nil {
			return nil, err
		}
		m.EndsOn = ends.String
		out = append(out, m)
	}
	return out, rows.Err()
}

// openGroup loads and locks a group whose membership may change by hand:
// an active sub-group or club of a year that is not closed. Class
// membership is the contingent's (admission, transfer, departure).
func openGroup(ctx context.Context, tx *store.Tx, id int64) (Group, calendar.Year, error) {
	g, err := scanGroup(tx.QueryRowContext(ctx, "SELECT "+groupColumns+" FROM groups WHERE id = $1"+tx.Engine.ForUpdate(), id))
	if store.IsNoRows(err) {
		return g, calendar.Year{}, errs.E(errs.NotFound, "class or group %d not found", id)
	}
	if err != nil {
		return g, calendar.Year{}, err
	}
	if g.Kind == Class {
		return g, calendar.Year{}, errs.Field(errs.Conflict, "class_id", "kind",
			"pupils join and leave a class through movements (admission, transfer, departure), not here")
	}
	if g.Status != Active {
		return g, calendar.Year{}, errs.Field(errs.Conflict, "class_id", "status", g.Name+" is "+g.Status)
	}
	y, err := calendar.LoadYear(ctx, tx, g.YearID, "")
	if err != nil {
		return g, y, err
	}
	if y.Status == calendar.Closed {
		return g, y, errs.Field(errs.Conflict, "year_id", "closed", "the year "+y.Name+" is closed")
	}
	return g, y, nil
}

// dateInYear returns d, or today clamped into the year when d is empty,
// refusing a date outside the year (naming field).
func (s *Service) dateInYear(d string, y calendar.Year, field string, v *errs.Validation) string {
	if d == "" {
		d = s.today()
		if d < y.StartsOn {
			d = y.StartsOn
		}
		if d > y.EndsOn {
			d = y.EndsOn
		}
		return d
	}
	switch {
	case !calendar.ValidDate(d):
		v.Add(field, "date", "not a date in the calendar (YYYY-MM-DD)")
	case d < y.StartsOn || d > y.EndsOn:
		v.Add(field, "inside_year", fmt.Sprintf("must be within the year %s (%s – %s)", y.Name, y.StartsOn, y.EndsOn))
	}
	return d
}

// AddMember adds a person to a sub-group (who must be a current member of
// its class) or a club (a person of the organisation or a pupil of one of
// its classes), within the group's capacity.
func (s *Service) AddMember(ctx context.Context, groupID int64, n NewMember, af AuditFunc) (Member, error) {
	var out Member
	err := s.DB.WithTx(ctx, func(tx *store.Tx) error {
		g, y, err := openGroup(ctx, tx, groupID)
		if err != nil {
			return err
		}
		var v errs.Validation
		from := s.dateInYear(n.StartsOn, y, "starts_on", &v)
		if err := s.checkMember(ctx, tx, g, n.PersonID, &v); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		if g.Capacity != nil {
			size, err := CurrentSize(ctx, tx, g.ID)
			if err != nil {
				return err
			}
			if size >= *g.Capacity {
				return errs.Field(errs.Conflict, "capacity", "exceeded", fmt.Sprintf("%s is full: %d of %d places taken", g.Name, size, *g.Capacity))
			}
		}
		if err := Join(ctx, tx, g.ID, n.PersonID, from, s.now()); err != nil {
			if errs.CodeOf(err) == errs.Conflict {
				return errs.Field(errs.Conflict, "person_id", "member", "the person is already a member of "+g.Name)
			}
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT m.id, m.person_id, p.last_name, p.first_name, p.middle_name, m.starts_on
			FROM group_members m JOIN persons p ON p.id = m.person_id WHERE m.group_id = $1 AND m.person_id = $2 AND m.ends_on IS NULL`, g.ID, n.PersonID).
			Scan(&out.ID, &out.PersonID, &out.LastName, &out.FirstName, &out.MiddleName, &out.StartsOn); err != nil {
			return err
		}
		return s.memberChanged(ctx, tx, af, g, out, store.OpCreate, audit.RecordCreate,
			[]audit.FieldChange{{Field: "person_id", New: strconv.FormatInt(n.PersonID, 10)}, {Field: "starts_on", New: from}})
	})
	return out, err
}

func (s *Service) checkMember(ctx context.Context, tx *store.Tx, g Group, personID int64, v *errs.Validation) error {
	if personID <= 0 {
		v.Add("person_id", "required", "the person to add is required")
		return nil
	}
	var org int64
	var merged sql.NullInt64
	err := tx.QueryRowContext(ctx, "SELECT org_id, merged_into FROM persons WHERE id = $1", personID).Scan(&org, &merged)
	switch {
	case store.IsNoRows(err):
		v.Add("person_id", "exists", "no such person")
		return nil
	case err != nil:
		return err
	case merged.Valid:
		v.Add("person_id", "merged", fmt.Sprintf("the record was merged into person %d", merged.Int64))
		return nil
	}
	var one int
	if g.Kind == Subgroup {
		err = tx.QueryRowContext(ctx, "SELECT 1 FROM group_members WHERE group_id = $1 AND person_id = $2 AND ends_on IS NULL", *g.ParentID, personID).Scan(&one)
		if store.IsNoRows(err) {
			parent, perr := Load(ctx, tx, *g.ParentID)
			if perr != nil {
				return perr
			}
			v.Add("person_id", "parent", "must be a current member of the class "+parent.Name)
			return nil
		}
		return err
	}
	if org == g.OrgID {
		return nil
	}
	err = tx.QueryRowContext(ctx, `SELECT 1 FROM group_members m JOIN groups c ON c.id = m.group_id
		WHERE m.person_id = $1 AND m.ends_on IS NULL AND c.kind = 'class' AND c.org_id = $2`, personID, g.OrgID).Scan(&one)
	if store.IsNoRows(err) {
		v.Add("person_id", "organisation", "must be a person of this organisation or a pupil of one of its classes")
		return nil
	}
	return err
}

func (s *Service) memberChanged(ctx context.Context, tx *store.Tx, af AuditFunc, g Group, m Member, op string, action audit.Action, changes []audit.FieldChange) error {
	if err := record(ctx, tx, s.now(), MemberEntity, m.ID, g.OrgID, op, map[string]any{"group_id": g.ID, "person_id": m.PersonID}); err != nil {
		return err
	}
	e := entry(action, MemberEntity, m.ID, g.OrgID, append([]audit.FieldChange{{Field: "group_id", New: strconv.FormatInt(g.ID, 10)}}, changes...))
	e.PersonID = m.PersonID
	return write(ctx, tx, af, e)
}

// RemoveMember ends a person's membership of a sub-group or club on a date
// (today when empty): the first day the person is no longer a member.
func (s *Service) RemoveMember(ctx context.Context, groupID, personID int64, on string, af AuditFunc) error {
	return s.DB.WithTx(ctx, func(tx *store.Tx) error {
		g, y, err := openGroup(ctx, tx, groupID)
		if err != nil {
			return err
		}
		var m Member
		err = tx.QueryRowContext(ctx, "SELECT id, person_id, starts_on FROM group_members WHERE group_id = $1 AND person_id = $2 AND ends_on IS NULL",
			g.ID, personID).Scan(&m.ID, &m.PersonID, &m.StartsOn)
		if store.IsNoRows(err) {
			return errs.Field(errs.Conflict, "person_id", "member", "the person is not a current member of "+g.Name)
		}
		if err != nil {
			return err
		}
		var v errs.Validation
		if on == "" {
			on = max(s.today(), m.StartsOn)
			on = min(on, calendar.DayAfter(y.EndsOn))
		}
		switch {
		case !calendar.ValidDate(on):
			v.Add("ends_on", "date", "not a date in the calendar (YYYY-MM-DD)")
		case on < m.StartsOn:
			v.Add("ends_on", "order", "the membership began on "+m.StartsOn)
		}
		if err := v.Err(); err != nil {
			return err
		}
		if err := Leave(ctx, tx, g.ID, personID, on); err != nil {
			return err
		}
		return s.memberChanged(ctx, tx, af, g, m, store.OpUpdate, audit.RecordUpdate, []audit.FieldChange{{Field: "ends_on", New: on}})
	})
}
