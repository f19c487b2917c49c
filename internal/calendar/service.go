package calendar

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"time"

	"shkola/internal/audit"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Service reads and changes calendars without access checks: the HTTP edge
// holds a Guard; trusted callers (the demo, the classes rollover) use the
// Service and its transaction-level methods directly.
type Service struct {
	DB  *store.DB
	Now func() time.Time
}

// NewService returns a service on db with the wall clock.
func NewService(db *store.DB) *Service { return &Service{DB: db, Now: time.Now} }

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC().Truncate(time.Microsecond)
	}
	return s.Now().UTC().Truncate(time.Microsecond)
}

// AuditFunc writes the audit entry of a change inside the changing
// transaction. The Guard passes one that fails closed; trusted callers that
// audit nothing (the demo) pass nil.
type AuditFunc func(ctx context.Context, tx *store.Tx, e audit.Entry) error

func (f AuditFunc) write(ctx context.Context, tx *store.Tx, e audit.Entry) error {
	if f == nil {
		return nil
	}
	return f(ctx, tx, e)
}

// Entities of the change log and the audit log.
const (
	YearEntity    = "academic_year"
	PeriodEntity  = "study_period"
	HolidayEntity = "holiday"
)

const yearColumns = `id, org_id, name, starts_on, ends_on, period_kind, status, version, created_at, updated_at`

func scanYear(row interface{ Scan(...any) error }) (Year, error) {
	var y Year
	err := row.Scan(&y.ID, &y.OrgID, &y.Name, &y.StartsOn, &y.EndsOn, &y.PeriodKind, &y.Status, &y.Version, &y.CreatedAt, &y.UpdatedAt)
	y.CreatedAt, y.UpdatedAt = y.CreatedAt.UTC(), y.UpdatedAt.UTC()
	return y, err
}

// LoadYear reads one year; suffix may lock it (tx.Engine.ForUpdate()).
func LoadYear(ctx context.Context, q store.Querier, id int64, suffix string) (Year, error) {
	y, err := scanYear(q.QueryRowContext(ctx, "SELECT "+yearColumns+" FROM academic_years WHERE id = $1"+suffix, id))
	if store.IsNoRows(err) {
		return y, errs.E(errs.NotFound, "academic year %d not found", id)
	}
	return y, err
}

// Year returns one year.
func (s *Service) Year(ctx context.Context, id int64) (Year, error) {
	return LoadYear(ctx, s.DB.Read(), id, "")
}

// Years returns the years of an organisation, the latest first.
func (s *Service) Years(ctx context.Context, orgID int64) ([]Year, error) {
	rows, err := s.DB.Read().QueryContext(ctx, "SELECT "+yearColumns+" FROM academic_years WHERE org_id = $1 ORDER BY starts_on DESC", orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Year{}
	for rows.Next() {
		y, err := scanYear(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, y)
	}
	return out, rows.Err()
}

// CurrentYear returns the current year of an organisation; not found when
// it has none.
func CurrentYear(ctx context.Context, q store.Querier, orgID int64) (Year, error) {
	y, err := scanYear(q.QueryRowContext(ctx, "SELECT "+yearColumns+" FROM academic_years WHERE org_id = $1 AND status = 'current'", orgID))
	if store.IsNoRows(err) {
		return y, errs.E(errs.NotFound, "the organisation has no current academic year")
	}
	return y, err
}

// NextYear returns the first year of the organisation that starts after y
// ends; not found when there is none.
func NextYear(ctx context.Context, q store.Querier, y Year, suffix string) (Year, error) {
	n, err := scanYear(q.QueryRowContext(ctx, "SELECT "+yearColumns+" FROM academic_years WHERE org_id = $1 AND starts_on > $2 ORDER BY starts_on LIMIT 1"+suffix,
		y.OrgID, y.EndsOn))
	if store.IsNoRows(err) {
		return n, errs.E(errs.NotFound, "no academic year after %s", y.Name)
	}
	return n, err
}

const periodColumns = `id, year_id, seq, name, starts_on, ends_on, closed_at, closed_by, version`

func scanPeriod(row interface{ Scan(...any) error }) (Period, error) {
	var p Period
	var closedAt sql.NullTime
	var closedBy sql.NullString
	if err := row.Scan(&p.ID, &p.YearID, &p.Seq, &p.Name, &p.StartsOn, &p.EndsOn, &closedAt, &closedBy, &p.Version); err != nil {
		return p, err
	}
	if closedAt.Valid {
		t := closedAt.Time.UTC()
		p.ClosedAt = &t
	}
	p.ClosedBy = closedBy.String
	return p, nil
}

// LoadPeriod reads one study period.
func LoadPeriod(ctx context.Context, q store.Querier, id int64, suffix string) (Period, error) {
	p, err := scanPeriod(q.QueryRowContext(ctx, "SELECT "+periodColumns+" FROM study_periods WHERE id = $1"+suffix, id))
	if store.IsNoRows(err) {
		return p, errs.E(errs.NotFound, "study period %d not found", id)
	}
	return p, err
}

// Periods returns the study periods of a year in order.
func Periods(ctx context.Context, q store.Querier, yearID int64) ([]Period, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+periodColumns+" FROM study_periods WHERE year_id = $1 ORDER BY seq", yearID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Period{}
	for rows.Next() {
		p, err := scanPeriod(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Periods returns the study periods of a year in order.
func (s *Service) Periods(ctx context.Context, yearID int64) ([]Period, error) {
	return Periods(ctx, s.DB.Read(), yearID)
}

// Holidays returns the holidays of a year by date.
func Holidays(ctx context.Context, q store.Querier, yearID int64) ([]Holiday, error) {
	rows, err := q.QueryContext(ctx, "SELECT id, year_id, name, starts_on, ends_on FROM holidays WHERE year_id = $1 ORDER BY starts_on, id", yearID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Holiday{}
	for rows.Next() {
		var h Holiday
		if err := rows.Scan(&h.ID, &h.YearID, &h.Name, &h.StartsOn, &h.EndsOn); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// Holidays returns the holidays of a year by date.
func (s *Service) Holidays(ctx context.Context, yearID int64) ([]Holiday, error) {
	return Holidays(ctx, s.DB.Read(), yearID)
}

func loadHoliday(ctx context.Context, q store.Querier, id int64) (Holiday, error) {
	var h Holiday
	err := q.QueryRowContext(ctx, "SELECT id, year_id, name, starts_on, ends_on FROM holidays WHERE id = $1", id).
		Scan(&h.ID, &h.YearID, &h.Name, &h.StartsOn, &h.EndsOn)
	if store.IsNoRows(err) {
		return h, errs.E(errs.NotFound, "holiday %d not found", id)
	}
	return h, err
}

// HolidayYear returns the year a holiday belongs to (for access checks).
func (s *Service) HolidayYear(ctx context.Context, id int64) (Year, error) {
	h, err := loadHoliday(ctx, s.DB.Read(), id)
	if err != nil {
		return Year{}, err
	}
	return s.Year(ctx, h.YearID)
}

// PeriodYear returns the year a period belongs to (for access checks).
func (s *Service) PeriodYear(ctx context.Context, id int64) (Year, error) {
	p, err := LoadPeriod(ctx, s.DB.Read(), id, "")
	if err != nil {
		return Year{}, err
	}
	return s.Year(ctx, p.YearID)
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

// entry builds an audit entry about one object of an organisation.
func entry(action audit.Action, entity string, id, orgID int64, changes []audit.FieldChange) audit.Entry {
	org := orgID
	return audit.Entry{Action: action, Outcome: audit.Success, ObjectType: entity, ObjectID: strconv.FormatInt(id, 10), OrgID: &org, Changes: changes}
}

// diff lists the fields whose values differ between a and b (same keys).
func diff(a, b map[string]string) []audit.FieldChange {
	var out []audit.FieldChange
	for _, k := range sortedKeys(b) {
		if a[k] != b[k] {
			c := audit.FieldChange{Field: k, New: b[k]}
			if a[k] != "" {
				c.Old = a[k]
			}
			out = append(out, c)
		}
	}
	return out
}
