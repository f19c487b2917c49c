package calendar

import (
	"context"
	"errors"

	"shkola/internal/access"
	"shkola/internal/audit"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Resource is the name of calendars in the access matrix: read (years,
// periods, holidays), update (any change to them) and rollover (the year
// rollover, which the classes package performs).
const Resource = "calendar"

// Guard is the calendar service as the outside world gets it: every call is
// decided by the access policy for the actor in the context, and every
// change is audited in the transaction that makes it.
type Guard struct {
	S      *Service
	Policy *access.Policy
	Audit  *audit.Log
}

func orgTarget(orgID int64) access.Target { return access.Target{OrgIDs: []int64{orgID}} }

// Append writes an audit entry, failing closed without an audit log.
func (g *Guard) Append(ctx context.Context, tx *store.Tx, e audit.Entry) error {
	if g.Audit == nil {
		return errs.Wrap(errs.Internal, errors.New("calendar change without an audit log"), "internal error")
	}
	return g.Audit.Append(ctx, tx, e)
}

func (g *Guard) check(ctx context.Context, action string, orgID int64) error {
	return g.Policy.Check(ctx, identity.From(ctx), Resource, action, orgTarget(orgID))
}

// hidden answers a lookup of a missing object: a visitor who is not logged
// in learns nothing, not even that the id is free.
func hidden(ctx context.Context, err error) error {
	if errs.CodeOf(err) == errs.NotFound && !identity.From(ctx).Authenticated() {
		return errs.E(errs.Unauthorized, "log in first")
	}
	return err
}

// CanChange reports whether the actor may change the calendar of orgID,
// for the UI to show or hide its forms (the actions check again).
func (g *Guard) CanChange(ctx context.Context, orgID int64) bool {
	ok, err := g.Policy.Allowed(ctx, identity.From(ctx), Resource, "update", orgTarget(orgID))
	return err == nil && ok
}

// Years lists an organisation's years.
func (g *Guard) Years(ctx context.Context, orgID int64) ([]Year, error) {
	if err := g.check(ctx, "read", orgID); err != nil {
		return nil, err
	}
	return g.S.Years(ctx, orgID)
}

// Year returns one year the actor may read.
func (g *Guard) Year(ctx context.Context, id int64) (Year, error) {
	y, err := g.S.Year(ctx, id)
	if err != nil {
		return y, hidden(ctx, err)
	}
	return y, g.check(ctx, "read", y.OrgID)
}

// CreateYear adds a year to an organisation.
func (g *Guard) CreateYear(ctx context.Context, orgID int64, n NewYear) (Year, error) {
	if err := g.check(ctx, "update", orgID); err != nil {
		return Year{}, err
	}
	var out Year
	err := g.S.DB.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		out, err = g.S.CreateYearTx(ctx, tx, orgID, n, g.Append)
		return err
	})
	return out, err
}

// UpdateYear changes a year at the version read.
func (g *Guard) UpdateYear(ctx context.Context, id, expected int64, p YearPatch) (Year, error) {
	y, err := g.Year(ctx, id)
	if err != nil {
		return y, err
	}
	if err := g.Policy.CheckChange(ctx, identity.From(ctx), Resource, "update", orgTarget(y.OrgID), orgTarget(y.OrgID)); err != nil {
		return y, err
	}
	var out Year
	err = g.S.DB.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		out, err = g.S.UpdateYearTx(ctx, tx, id, expected, p, g.Append)
		return err
	})
	return out, err
}

// Periods lists a year's study periods.
func (g *Guard) Periods(ctx context.Context, yearID int64) ([]Period, error) {
	if _, err := g.Year(ctx, yearID); err != nil {
		return nil, err
	}
	return g.S.Periods(ctx, yearID)
}

// AddPeriod appends a study period to a year.
func (g *Guard) AddPeriod(ctx context.Context, yearID int64, n NewPeriod) (Period, error) {
	y, err := g.Year(ctx, yearID)
	if err != nil {
		return Period{}, err
	}
	if err := g.check(ctx, "update", y.OrgID); err != nil {
		return Period{}, err
	}
	return g.S.AddPeriod(ctx, yearID, n, g.Append)
}

// Period returns one study period the actor may read.
func (g *Guard) Period(ctx context.Context, id int64) (Period, error) {
	y, err := g.S.PeriodYear(ctx, id)
	if err != nil {
		return Period{}, hidden(ctx, err)
	}
	if err := g.check(ctx, "read", y.OrgID); err != nil {
		return Period{}, err
	}
	return LoadPeriod(ctx, g.S.DB.Read(), id, "")
}

// UpdatePeriod changes a study period at the version read.
func (g *Guard) UpdatePeriod(ctx context.Context, id, expected int64, p PeriodPatch) (Period, error) {
	y, err := g.S.PeriodYear(ctx, id)
	if err != nil {
		return Period{}, hidden(ctx, err)
	}
	if err := g.check(ctx, "update", y.OrgID); err != nil {
		return Period{}, err
	}
	return g.S.UpdatePeriod(ctx, id, expected, p, g.Append)
}

// Holidays lists a year's holidays.
func (g *Guard) Holidays(ctx context.Context, yearID int64) ([]Holiday, error) {
	if _, err := g.Year(ctx, yearID); err != nil {
		return nil, err
	}
	return g.S.Holidays(ctx, yearID)
}

// AddHoliday adds a holiday to a year.
func (g *Guard) AddHoliday(ctx context.Context, yearID int64, n NewHoliday) (Holiday, error) {
	y, err := g.Year(ctx, yearID)
	if err != nil {
		return Holiday{}, err
	}
	if err := g.check(ctx, "update", y.OrgID); err != nil {
		return Holiday{}, err
	}
	return g.S.AddHoliday(ctx, yearID, n, g.Append)
}

// DeleteHoliday removes a holiday.
func (g *Guard) DeleteHoliday(ctx context.Context, id int64) error {
	y, err := g.S.HolidayYear(ctx, id)
	if err != nil {
		return hidden(ctx, err)
	}
	if err := g.check(ctx, "update", y.OrgID); err != nil {
		return err
	}
	return g.S.DeleteHoliday(ctx, id, g.Append)
}
