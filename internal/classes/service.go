package classes

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"shkola/internal/audit"
	"shkola/internal/calendar"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Service reads and changes classes and groups without access checks: the
// HTTP edge holds a Guard; trusted callers (the demo, imports, the
// contingent) use the Service and the transaction-level functions.
type Service struct {
	DB  *store.DB
	Now func() time.Time
	// Calendar creates the next year during a rollover.
	Calendar *calendar.Service
	// Known answers whether a code is an active entry of a reference
	// directory (education_level, subject); nil uses the shipped lists.
	Known KnownFunc
	// Graduate, when set, is called by the rollover for every class of the
	// last parallel, in the rollover's transaction and while the class's
	// memberships are still current, so the contingent records the
	// graduation movements of its pupils; on is the last day of the year.
	// An error undoes the whole rollover.
	Graduate func(ctx context.Context, tx *store.Tx, classID int64, on string) error
	// Promote, when set, is called for every promoted class after its
	// pupils were carried into the new class (from, to, the new year's
	// first day), so the contingent can move its enrolments along.
	Promote func(ctx context.Context, tx *store.Tx, fromID, toID int64, on string) error
}

// KnownFunc answers whether code is an active entry of a reference directory.
type KnownFunc func(ctx context.Context, directory, code string) (bool, error)

// NewService returns a service on db with the wall clock.
func NewService(db *store.DB) *Service {
	return &Service{DB: db, Now: time.Now, Calendar: calendar.NewService(db)}
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC().Truncate(time.Microsecond)
	}
	return s.Now().UTC().Truncate(time.Microsecond)
}

func (s *Service) today() string { return s.now().Format(calendar.DateLayout) }

func (s *Service) calendar() *calendar.Service {
	if s.Calendar == nil {
		return &calendar.Service{DB: s.DB, Now: s.Now}
	}
	return s.Calendar
}

// AuditFunc writes the audit entry of a change in the changing transaction;
// nil audits nothing (trusted callers).
type AuditFunc = calendar.AuditFunc

func write(ctx context.Context, tx *store.Tx, af AuditFunc, e audit.Entry) error {
	if af == nil {
		return nil
	}
	return af(ctx, tx, e)
}

// Entities of the change log and the audit log.
const (
	GroupEntity      = "class"
	MemberEntity     = "group_member"
	AssignmentEntity = "assignment"
)

// Summary is a group as lists and cards show it: with its year's name, its
// class teacher's name and its current number of members.
type Summary struct {
	Group
	YearName     string `json:"year_name"`
	ClassTeacher string `json:"class_teacher,omitempty"`
	Size         int    `json:"size"`
}

// summarySelect reads groups g with their year y and class teacher p.
const summarySelect = `SELECT g.id, g.org_id, g.year_id, g.kind, g.parent_id, g.parallel, g.letter, g.name, g.level, g.class_teacher_id,
	g.capacity, g.status, g.previous_id, g.version, y.name, p.last_name, p.first_name, p.middle_name,
	(SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id AND m.ends_on IS NULL)
	FROM groups g JOIN academic_years y ON y.id = g.year_id LEFT JOIN persons p ON p.id = g.class_teacher_id`

func scanSummary(row interface{ Scan(...any) error }) (Summary, error) {
	var s Summary
	var parent, teacher, prev, parallel, capacity sql.NullInt64
	var last, first, middle sql.NullString
	err := row.Scan(&s.ID, &s.OrgID, &s.YearID, &s.Kind, &parent, &parallel, &s.Letter, &s.Name, &s.Level, &teacher,
		&capacity, &s.Status, &prev, &s.Version, &s.YearName, &last, &first, &middle, &s.Size)
	if err != nil {
		return s, err
	}
	s.ParentID, s.ClassTeacherID, s.PreviousID = nullID(parent), nullID(teacher), nullID(prev)
	if parallel.Valid {
		n := int(parallel.Int64)
		s.Parallel = &n
	}
	if capacity.Valid {
		n := int(capacity.Int64)
		s.Capacity = &n
	}
	s.ClassTeacher = fullName(last.String, first.String, middle.String)
	return s, nil
}

func fullName(parts ...string) string {
	return strings.Join(strings.Fields(strings.Join(parts, " ")), " ")
}

// Get returns one group with its summary fields.
func (s *Service) Get(ctx context.Context, id int64) (Summary, error) {
	g, err := scanSummary(s.DB.Read().QueryRowContext(ctx, summarySelect+" WHERE g.id = $1", id))
	if store.IsNoRows(err) {
		return g, errs.E(errs.NotFound, "class or group %d not found", id)
	}
	return g, err
}

func orgCountry(ctx context.Context, q store.Querier, orgID int64) (string, error) {
	var c string
	err := q.QueryRowContext(ctx, "SELECT country FROM organisations WHERE id = $1", orgID).Scan(&c)
	return c, err
}

// record writes a change row: identifiers and versions, no personal data.
func record(ctx context.Context, tx *store.Tx, at time.Time, entity string, id, orgID int64, op string, data map[string]any) error {
	js, err := json.Marshal(data)
	if err != nil {
		return err
	}
	org := orgID
	err = tx.Record(ctx, store.Change{At: at, Entity: entity, EntityID: strconv.FormatInt(id, 10), Op: op, OrgID: &org,
		Actor: identity.From(ctx).Login, Data: js})
	return err
}

func entry(action audit.Action, entity string, id, orgID int64, changes []audit.FieldChange) audit.Entry {
	org := orgID
	return audit.Entry{Action: action, Outcome: audit.Success, ObjectType: entity, ObjectID: strconv.FormatInt(id, 10), OrgID: &org, Changes: changes}
}
