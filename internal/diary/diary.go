// Package diary is the family's side of the journal (seed 000 cl. 5b, seed
// 004): the week of one pupil (lessons with their times, topics, teachers
// and rooms, homework with its files, the pupil's own marks with their kind
// and weight, absences and lateness), and the study period (marks per
// subject with the journal's weighted average and its trend, period, annual
// and final marks, attendance, and where the pupil stands against the
// class median). It only reads: the tables belong to schedule and journal.
//
// The week is read in one query that also answers the access question
// (the relationship flags come with the pupil's row, see access.KnownSQL),
// so a guardian's week page costs three round trips with the session and
// the notification badge.
package diary

import (
	"context"
	"strconv"
	"time"

	"shkola/internal/access"
	"shkola/internal/audit"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Resource is the diary of a pupil in the access matrix: read (the week,
// the period, the analytics and the homework files).
const Resource = "diary"

// Service reads diaries without access checks.
type Service struct {
	DB *store.DB
	// Now is the clock: the default week and the trend windows follow it.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

// Today is the diary's date.
func (s *Service) Today() string { return s.now().Format(dateLayout) }

// Guard is the diary as the outside world gets it: every read is decided by
// the access policy for the actor in the context; an inspector's reads are
// audited one by one.
type Guard struct {
	S      *Service
	Policy *access.Policy
	Audit  *audit.Log
	// Files opens a homework file by id (the file store); nil serves none.
	Files FileOpener
}

const dateLayout = "2006-01-02"

// Pupil is the person a diary belongs to, with the class of the time shown.
type Pupil struct {
	ID         int64  `json:"id"`
	OrgID      int64  `json:"org_id"`
	LastName   string `json:"last_name"`
	FirstName  string `json:"first_name"`
	MiddleName string `json:"middle_name,omitempty"`
	ClassID    int64  `json:"class_id,omitempty"`
	Class      string `json:"class,omitempty"`
}

// Child is one of the caller's children, for the switcher of a guardian.
type Child struct {
	ID        int64  `json:"id"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Class     string `json:"class,omitempty"`
}

// hidden answers a lookup of a missing pupil: a visitor who is not logged
// in learns nothing, not even that the id is free.
func hidden(ctx context.Context, err error) error {
	if errs.CodeOf(err) == errs.NotFound && !identity.From(ctx).Authenticated() {
		return errs.E(errs.Unauthorized, "log in first")
	}
	return err
}

// decide checks the read of pupil p with the relationship answers the
// reading query brought, and audits an inspector's read.
func (g *Guard) decide(ctx context.Context, p Pupil, known map[access.Relationship]bool, what string) error {
	a := identity.From(ctx)
	t := access.Target{OrgIDs: []int64{p.OrgID}, PersonID: p.ID, Known: known}
	if err := g.Policy.Check(ctx, a, Resource, "read", t); err != nil {
		return err
	}
	if !a.Has(identity.Inspector) {
		return nil
	}
	if g.Audit == nil {
		return errs.E(errs.Internal, "diary read without an audit log")
	}
	org := p.OrgID
	return g.Audit.Write(ctx, audit.Entry{Action: audit.BulkRead, Outcome: audit.Success, ObjectType: "diary",
		ObjectID: strconv.FormatInt(p.ID, 10), OrgID: &org, PersonID: p.ID, Detail: what})
}

// nameColumn is the column of a directory name in lang (ru is the default
// and the fallback), from a fixed list: never request text in SQL.
func nameColumn(lang string) string {
	switch lang {
	case "uk":
		return "COALESCE(NULLIF(name_uk, ''), name_ru)"
	case "en":
		return "COALESCE(NULLIF(name_en, ''), name_ru)"
	}
	return "name_ru"
}

// Monday returns the Monday of the week of date (YYYY-MM-DD); "" is the
// week of today.
func (s *Service) Monday(date string) (time.Time, error) {
	d := s.now()
	if date != "" {
		var err error
		if d, err = time.Parse(dateLayout, date); err != nil {
			return d, errs.Field(errs.Invalid, "week", "format", "a date as YYYY-MM-DD")
		}
	}
	d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7)), nil
}
