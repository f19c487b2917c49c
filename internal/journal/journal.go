// Package journal is the electronic class journal (seed 000 cl. 5a): marks
// on the organisation's scale with a kind and weight, attendance with
// absence reasons and lateness, the history of every cell, period, annual
// and final marks beside the weighted average, and closing a period, which
// locks its marks and attendance until a school administrator amends them
// with a reason.
//
// Writes of one lesson go in one transaction with few statements (the
// membership check, the upserts, the cell history and the change log are
// each one multi-row statement), because a teacher saves a whole column of
// 30 pupils at once and the phone that sends it may retry.
package journal

import (
	"embed"
	"time"

	"shkola/internal/access"
	"shkola/internal/audit"
	"shkola/internal/directory"
	"shkola/internal/errs"
	"shkola/internal/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations creates the tables of this domain.
func Migrations() store.MigrationSet { return store.Embedded("journal", migrationFiles) }

// Resources and actions of the access matrix.
const (
	// Resource is the journal of a class or sub-group: read (grid, lesson
	// column, cell history, period marks), write (marks and attendance of
	// a lesson taken), grade (period, annual and final marks), amend (any
	// change, also in a closed period, with a reason) and close (close and
	// reopen a study period).
	Resource = "journal"
	// ScaleResource is the mark scale of an organisation: read, update.
	ScaleResource = "mark_scale"
)

// Entities of the change log (see the change-log contract of the
// notifications) and of the audit log.
const (
	MarkEntity       = "mark"
	AttendanceEntity = "attendance"
	PeriodMarkEntity = "period_mark"
	LessonEntity     = "lesson"
	ScaleEntity      = "mark_scale"
	PeriodEntity     = "study_period"
)

// Service is the journal without access checks, for trusted callers (the
// demo, tests); the HTTP edge holds a Guard.
type Service struct {
	DB    *store.DB
	Dirs  *directory.Service
	Audit *audit.Log
	// Now is the clock: lessons after today take no marks.
	Now func() time.Time
	// dirCache keeps the scales, work kinds and absence reasons (nil: read
	// them on every request).
	dirCache *directory.Cache
}

// NewService returns a service on db with the wall clock.
func NewService(db *store.DB, dirs *directory.Service, log *audit.Log) *Service {
	s := &Service{DB: db, Dirs: dirs, Audit: log, Now: time.Now}
	if dirs != nil {
		s.dirCache = dirs.NewCache(journalDirs()...)
	}
	return s
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC().Truncate(time.Microsecond)
	}
	return s.Now().UTC().Truncate(time.Microsecond)
}

// read is the read pool (on SQLite the store keeps each connection's
// statements prepared).
func (s *Service) read() store.Querier { return s.DB.Read() }

// Today is the journal's date: lessons after it take no marks yet.
func (s *Service) Today() string { return s.now().Format("2006-01-02") }

// Guard is the journal as the outside world gets it: every call is decided
// by the access policy for the actor in the context, and every change is
// audited in the transaction that makes it.
type Guard struct {
	S      *Service
	Policy *access.Policy
}

func errNotFound(what string) error { return errs.E(errs.NotFound, "%s not found", what) }
