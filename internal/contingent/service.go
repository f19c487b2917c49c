package contingent

import (
	"context"
	"time"

	"shkola/internal/audit"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Service records movements and answers the contingent's questions without
// access checks: it is for trusted callers (the demo, imports, the classes
// rollover) and for Guard, which the HTTP edge holds.
type Service struct {
	DB    *store.DB
	Audit *audit.Log
	// Now is the clock; tests inject one to move "today".
	Now func() time.Time
	// LostAfterDays: a transfer open longer than this lists the pupil as
	// "whereabouts unknown" (0 means DefaultLostAfterDays).
	LostAfterDays int
}

const dateLayout = "2006-01-02"

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC().Truncate(time.Microsecond)
	}
	return s.Now().UTC().Truncate(time.Microsecond)
}

// today is the current date in UTC, from which days are counted.
func (s *Service) today() time.Time {
	y, m, d := s.now().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// latestDate is the last date that has already begun somewhere (UTC+14):
// a school in the far east records today's admission while it is still
// yesterday in UTC, and that is not a date in the future.
func (s *Service) latestDate() string {
	return s.now().Add(14 * time.Hour).Format(dateLayout)
}

func (s *Service) lostAfter() int {
	if s.LostAfterDays <= 0 {
		return DefaultLostAfterDays
	}
	return s.LostAfterDays
}

// daysSince counts whole days from date to today.
func (s *Service) daysSince(date string) int {
	d, err := time.Parse(dateLayout, date)
	if err != nil {
		return 0
	}
	return int(s.today().Sub(d).Hours() / 24)
}

// author is who records a movement: the actor, or "system" for trusted
// callers acting on nobody's behalf.
type author struct {
	account *int64
	login   string
}

func authorOf(ctx context.Context) author {
	a := identity.From(ctx)
	au := author{login: a.Login}
	if a.AccountID > 0 {
		id := a.AccountID
		au.account = &id
	}
	if au.login == "" {
		au.login = "system"
	}
	return au
}
