package schedule

import (
	"context"

	"shkola/internal/classes"
)

// Reads the pages need beside the guarded ones; the page's guarded read of
// the same object has already decided access.

// Group returns a group without an access check.
func (s *Service) Group(ctx context.Context, id int64) (classes.Group, error) {
	return classes.Load(ctx, s.DB.Read(), id)
}

// Assignments lists the current assignments of a group and of the class it
// splits or of its sub-groups (the teachers a template line may name).
func (s *Service) Assignments(ctx context.Context, groupID int64) ([]classes.Assignment, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT a.id, a.group_id, a.teacher_id, p.last_name, p.first_name, p.middle_name, a.subject, a.starts_on
		FROM assignments a JOIN persons p ON p.id = a.teacher_id
		WHERE a.ends_on IS NULL AND `+relatedGroups("a.group_id", "$1")+` ORDER BY a.subject, p.last_name`, groupID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []classes.Assignment{}
	for rows.Next() {
		var a classes.Assignment
		var last, first, middle string
		if err := rows.Scan(&a.ID, &a.GroupID, &a.TeacherID, &last, &first, &middle, &a.Subject, &a.StartsOn); err != nil {
			return nil, err
		}
		a.TeacherName = shortName(last, first, middle)
		out = append(out, a)
	}
	return out, rows.Err()
}

// Groups lists the active classes and sub-groups of a year by name.
func (s *Service) Groups(ctx context.Context, yearID int64) ([]classes.Summary, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT id, org_id, year_id, kind, name FROM groups WHERE year_id = $1 AND status = 'active'
		AND kind <> 'club' ORDER BY parallel, letter, name`, yearID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []classes.Summary{}
	for rows.Next() {
		var g classes.Summary
		if err := rows.Scan(&g.ID, &g.OrgID, &g.YearID, &g.Kind, &g.Name); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// StaffMember is a colleague who may replace a teacher.
type StaffMember struct {
	ID   int64
	Name string
}

// Staff lists the teachers employed at an organisation now.
func (s *Service) Staff(ctx context.Context, orgID int64) ([]StaffMember, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT DISTINCT p.id, p.last_name, p.first_name, p.middle_name FROM employments e JOIN persons p ON p.id = e.person_id
		WHERE e.org_id = $1 AND e.ends_on IS NULL ORDER BY p.last_name, p.first_name, p.id`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StaffMember
	for rows.Next() {
		var m StaffMember
		var last, first, middle string
		if err := rows.Scan(&m.ID, &last, &first, &middle); err != nil {
			return nil, err
		}
		m.Name = shortName(last, first, middle)
		out = append(out, m)
	}
	return out, rows.Err()
}
