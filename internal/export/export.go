// Package export decides and records downloads of lists (CSV, XLSX): an
// export is a bulk read, so each one is an audit entry written before the
// first row leaves, and each account may export only so many times an hour.
// Which rows and fields an export holds is the list's own decision: the
// edge pages through the same guarded list calls.
package export

import (
	"context"
	"strconv"
	"time"

	"shkola/internal/audit"
	"shkola/internal/errs"
	"shkola/internal/identity"
)

// Defaults.
const (
	// PerHour is how many exports an account may start in an hour.
	PerHour = 30
	// MaxRows caps one export: a list larger than this is narrowed with
	// its filters.
	MaxRows = 100000
)

// Service checks the rate and records exports.
type Service struct {
	Audit   *audit.Log
	PerHour int // 0: PerHour
	Now     func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Begin admits an export of list (a route such as "persons") for the actor:
// anonymous visitors are refused, an account over its hourly allowance is
// refused with an audit entry (crossing the threshold is an audit event),
// and an admitted export is audited before any row is sent (fail closed).
func (s *Service) Begin(ctx context.Context, list, format string, orgID int64) error {
	a := identity.From(ctx)
	if !a.Authenticated() {
		return errs.E(errs.Unauthorized, "log in first")
	}
	limit := s.PerHour
	if limit <= 0 {
		limit = PerHour
	}
	n, err := s.Audit.Recent(ctx, a.AccountID, a.ClientID, audit.Export, s.now().Add(-time.Hour))
	if err != nil {
		return err
	}
	e := audit.Entry{Action: audit.Export, Outcome: audit.Success, ObjectType: list, Detail: format}
	if orgID != 0 {
		e.OrgID = &orgID
		e.ObjectID = strconv.FormatInt(orgID, 10)
	}
	if n >= limit {
		e.Outcome = audit.Denied
		e.Detail = "rate limit: " + strconv.Itoa(limit) + " exports an hour"
		if err := s.Audit.Write(ctx, e); err != nil {
			return err
		}
		return errs.E(errs.TooMany, "at most %d exports an hour; try again later", limit)
	}
	return s.Audit.Write(ctx, e)
}
