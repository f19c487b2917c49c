package schedule

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strconv"
	"time"

	"shkola/internal/audit"
	"shkola/internal/errs"
	"shkola/internal/filestore"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Service reads and changes plans, timetables and lessons without access
// checks: the HTTP edge holds a Guard; trusted callers (the demo) use the
// Service and its transaction-level functions.
type Service struct {
	DB  *store.DB
	Now func() time.Time
	// Known answers whether a code is an active entry of a reference
	// directory (subject, lesson_kind); nil accepts any code.
	Known func(ctx context.Context, directory, code string) (bool, error)
	// Files keeps homework files; nil refuses uploads.
	Files *filestore.Store
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC().Truncate(time.Microsecond)
	}
	return s.Now().UTC().Truncate(time.Microsecond)
}

func (s *Service) today() string { return s.now().Format("2006-01-02") }

func (s *Service) known(ctx context.Context, dir, code string) (bool, error) {
	if s.Known == nil {
		return true, nil
	}
	return s.Known(ctx, dir, code)
}

// AuditFunc writes the audit entry of a change in the changing transaction;
// nil audits nothing (trusted callers such as the demo).
type AuditFunc func(ctx context.Context, tx *store.Tx, e audit.Entry) error

func (f AuditFunc) write(ctx context.Context, tx *store.Tx, e audit.Entry) error {
	if f == nil {
		return nil
	}
	return f(ctx, tx, e)
}

// Entities of the change log and the audit log. Homework is recorded as
// events.md says, for the family notifications.
const (
	PlanEntity     = "study_plan"
	BellsEntity    = "bell_schedule"
	EntryEntity    = "timetable_entry"
	LessonEntity   = "lesson"
	HomeworkEntity = "homework"
)

// Directories whose codes this domain checks.
const (
	SubjectDirectory    = "subject"
	LessonKindDirectory = "lesson_kind"
)

// record writes a change row: identifiers and codes only, no names.
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

// diff lists the fields whose values differ between old and new.
func diff(old, new map[string]string) []audit.FieldChange {
	var out []audit.FieldChange
	for _, k := range sortedKeys(new) {
		if old[k] != new[k] {
			out = append(out, audit.FieldChange{Field: k, Old: old[k], New: new[k]})
		}
	}
	return out
}

func stale(what string) error {
	return errs.E(errs.Precondition, "the %s was changed by someone else; read it again and reapply your change", what)
}

var errNoAudit = errors.New("schedule change without an audit log")

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
