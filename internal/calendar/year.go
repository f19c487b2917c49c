package calendar

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"shkola/internal/audit"
	"shkola/internal/errs"
	"shkola/internal/store"
)

// yearFields is the editable content of a year, validated together.
type yearFields struct {
	Name, StartsOn, EndsOn, PeriodKind, Status string
}

func (y Year) fields() yearFields {
	return yearFields{Name: y.Name, StartsOn: y.StartsOn, EndsOn: y.EndsOn, PeriodKind: y.PeriodKind, Status: y.Status}
}

func (f yearFields) audit() map[string]string {
	return map[string]string{"name": f.Name, "starts_on": f.StartsOn, "ends_on": f.EndsOn, "period_kind": f.PeriodKind, "status": f.Status}
}

// normalise checks the fields on their own; an empty name is derived from
// the dates.
func (f *yearFields) normalise(v *errs.Validation) {
	f.Name = strings.TrimSpace(f.Name)
	okStart := checkDate(v, "starts_on", f.StartsOn)
	okEnd := checkDate(v, "ends_on", f.EndsOn)
	if okStart && okEnd {
		s, _ := ParseDate(f.StartsOn)
		e, _ := ParseDate(f.EndsOn)
		switch {
		case !e.After(s):
			v.Add("ends_on", "order", "the year must end after it starts")
		case e.Sub(s).Hours()/24 > 366:
			v.Add("ends_on", "range", "an academic year lasts at most a year")
		}
		if f.Name == "" {
			f.Name = DefaultName(f.StartsOn, f.EndsOn)
		}
	}
	if utf8.RuneCountInString(f.Name) > 50 {
		v.Add("name", "length", "at most 50 characters")
	}
	if !oneOf(f.PeriodKind, PeriodKinds()) {
		v.Add("period_kind", "enum", "period_kind must be quarter, trimester or semester")
	}
	if !oneOf(f.Status, Statuses()) {
		v.Add("status", "enum", "status must be planned, current or closed")
	}
}

// orgCountry checks that an organisation keeps a calendar (an educational
// organisation that is not liquidated) and returns its country.
func orgCountry(ctx context.Context, q store.Querier, orgID int64, v *errs.Validation) (string, error) {
	var kind, country, status string
	err := q.QueryRowContext(ctx, "SELECT kind, country, status FROM organisations WHERE id = $1", orgID).Scan(&kind, &country, &status)
	switch {
	case store.IsNoRows(err):
		return "", errs.E(errs.NotFound, "organisation %d not found", orgID)
	case err != nil:
		return "", err
	case kind == "region" || kind == "municipality":
		v.Add("org_id", "kind", "only schools, preschools, out-of-school organisations and colleges keep an academic calendar")
	case status == "liquidated":
		v.Add("org_id", "status", "the organisation is liquidated")
	}
	return country, nil
}

// checkYearAgainstOthers refuses a year that overlaps another year of the
// organisation, and a second current year.
func checkYearAgainstOthers(ctx context.Context, q store.Querier, orgID, self int64, f yearFields) error {
	var name, from, to string
	err := q.QueryRowContext(ctx, `SELECT name, starts_on, ends_on FROM academic_years
		WHERE org_id = $1 AND id <> $2 AND starts_on <= $3 AND ends_on >= $4 ORDER BY starts_on LIMIT 1`, orgID, self, f.EndsOn, f.StartsOn).Scan(&name, &from, &to)
	if err == nil {
		var v errs.Validation
		v.Add("starts_on", "overlap", fmt.Sprintf("overlaps the year %s (%s – %s)", name, from, to))
		return v.Err()
	}
	if !store.IsNoRows(err) {
		return err
	}
	if f.Status != Current {
		return nil
	}
	err = q.QueryRowContext(ctx, "SELECT name FROM academic_years WHERE org_id = $1 AND id <> $2 AND status = 'current'", orgID, self).Scan(&name)
	if err == nil {
		return errs.Field(errs.Conflict, "status", "one_current", "the year "+name+" is current; an organisation has one current year (close it or roll it over first)")
	}
	if store.IsNoRows(err) {
		return nil
	}
	return err
}

// CreateYear adds a year to an organisation with its default periods and
// holidays, in its own transaction.
func (s *Service) CreateYear(ctx context.Context, orgID int64, n NewYear) (Year, error) {
	var out Year
	err := s.DB.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		out, err = s.CreateYearTx(ctx, tx, orgID, n, nil)
		return err
	})
	return out, err
}

// CreateYearTx is CreateYear inside the caller's transaction.
func (s *Service) CreateYearTx(ctx context.Context, tx *store.Tx, orgID int64, n NewYear, af AuditFunc) (Year, error) {
	var v errs.Validation
	country, err := orgCountry(ctx, tx, orgID, &v)
	if err != nil {
		return Year{}, err
	}
	if n.Status == "" {
		n.Status = Planned
	}
	f := yearFields{Name: n.Name, StartsOn: n.StartsOn, EndsOn: n.EndsOn, PeriodKind: n.PeriodKind, Status: n.Status}
	f.normalise(&v)
	if err := v.Err(); err != nil {
		return Year{}, err
	}
	if err := checkYearAgainstOthers(ctx, tx, orgID, 0, f); err != nil {
		return Year{}, err
	}
	now := s.now()
	y := Year{OrgID: orgID, Name: f.Name, StartsOn: f.StartsOn, EndsOn: f.EndsOn, PeriodKind: f.PeriodKind, Status: f.Status,
		Version: 1, CreatedAt: now, UpdatedAt: now}
	err = tx.QueryRowContext(ctx, `INSERT INTO academic_years (org_id, name, starts_on, ends_on, period_kind, status, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7) RETURNING id`, orgID, y.Name, y.StartsOn, y.EndsOn, y.PeriodKind, y.Status, now).Scan(&y.ID)
	if store.IsUniqueViolation(err) {
		return Year{}, errs.Field(errs.Conflict, "starts_on", "unique", "another year of the organisation starts on this day")
	}
	if err != nil {
		return Year{}, err
	}
	if err := record(ctx, tx, now, YearEntity, y.ID, orgID, store.OpCreate, map[string]any{"version": 1, "status": y.Status}); err != nil {
		return Year{}, err
	}
	if err := af.write(ctx, tx, entry(audit.RecordCreate, YearEntity, y.ID, orgID, diff(nil, f.audit()))); err != nil {
		return Year{}, err
	}
	if n.NoDefaults {
		return y, nil
	}
	for i, p := range DefaultPeriods(y.PeriodKind, country, y.StartsOn, y.EndsOn) {
		if _, err := insertPeriod(ctx, tx, now, y, i+1, p, af); err != nil {
			return Year{}, err
		}
	}
	for _, h := range DefaultHolidays(country, y.StartsOn, y.EndsOn) {
		if _, err := insertHoliday(ctx, tx, now, y, h, af); err != nil {
			return Year{}, err
		}
	}
	return y, nil
}

func stale(what string) error {
	return errs.E(errs.Precondition, "the %s was changed by someone else; read it again and reapply your change", what)
}

// UpdateYearTx applies p to year id if its version is still expected (0:
// any version, for trusted callers such as the rollover). A closed year
// only changes its status (reopening); the periods and holidays must stay
// inside new dates.
func (s *Service) UpdateYearTx(ctx context.Context, tx *store.Tx, id, expected int64, p YearPatch, af AuditFunc) (Year, error) {
	cur, err := LoadYear(ctx, tx, id, tx.Engine.ForUpdate())
	if err != nil {
		return cur, err
	}
	if expected != 0 && cur.Version != expected {
		return cur, stale("academic year")
	}
	f := cur.fields()
	var v errs.Validation
	set := func(field string, dst *string, src *string) {
		if src == nil || *src == *dst {
			return
		}
		if cur.Status == Closed && field != "status" {
			v.Add(field, "closed", "the year is closed; reopen it to change it")
			return
		}
		*dst = *src
	}
	set("name", &f.Name, p.Name) // an empty name is derived again from the dates
	set("starts_on", &f.StartsOn, p.StartsOn)
	set("ends_on", &f.EndsOn, p.EndsOn)
	set("status", &f.Status, p.Status)
	f.normalise(&v)
	if err := v.Err(); err != nil {
		return cur, err
	}
	if f == cur.fields() {
		return cur, nil
	}
	if err := checkYearAgainstOthers(ctx, tx, cur.OrgID, id, f); err != nil {
		return cur, err
	}
	if f.StartsOn != cur.StartsOn || f.EndsOn != cur.EndsOn {
		if err := contentInside(ctx, tx, id, f.StartsOn, f.EndsOn); err != nil {
			return cur, err
		}
	}
	now := s.now()
	next := cur
	next.Name, next.StartsOn, next.EndsOn, next.Status = f.Name, f.StartsOn, f.EndsOn, f.Status
	next.Version, next.UpdatedAt = cur.Version+1, now
	res, err := tx.ExecContext(ctx, `UPDATE academic_years SET name = $1, starts_on = $2, ends_on = $3, status = $4, version = $5, updated_at = $6
		WHERE id = $7 AND version = $8`, next.Name, next.StartsOn, next.EndsOn, next.Status, next.Version, now, id, cur.Version)
	if store.IsUniqueViolation(err) {
		return cur, errs.Field(errs.Conflict, "status", "one_current", "an organisation has one current year")
	}
	if err != nil {
		return cur, err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return cur, stale("academic year")
	}
	if err := record(ctx, tx, now, YearEntity, id, cur.OrgID, store.OpUpdate, map[string]any{"version": next.Version, "status": next.Status}); err != nil {
		return cur, err
	}
	return next, af.write(ctx, tx, entry(audit.RecordUpdate, YearEntity, id, cur.OrgID, diff(cur.fields().audit(), f.audit())))
}

// UpdateYear is UpdateYearTx in its own transaction, without audit.
func (s *Service) UpdateYear(ctx context.Context, id, expected int64, p YearPatch) (Year, error) {
	var out Year
	err := s.DB.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		out, err = s.UpdateYearTx(ctx, tx, id, expected, p, nil)
		return err
	})
	return out, err
}

// contentInside refuses new year dates that would leave a period or a
// holiday outside the year.
func contentInside(ctx context.Context, q store.Querier, yearID int64, from, to string) error {
	var v errs.Validation
	check := func(table, rule, what string) error {
		var name, s, e string
		err := q.QueryRowContext(ctx, `SELECT name, starts_on, ends_on FROM `+table+` WHERE year_id = $1 AND (starts_on < $2 OR ends_on > $3)
			ORDER BY starts_on LIMIT 1`, yearID, from, to).Scan(&name, &s, &e)
		if store.IsNoRows(err) {
			return nil
		}
		if err != nil {
			return err
		}
		field := "starts_on"
		if e > to {
			field = "ends_on"
		}
		v.Add(field, rule, fmt.Sprintf("the %s %s (%s – %s) would fall outside the year", what, name, s, e))
		return nil
	}
	if err := check("study_periods", "periods", "study period"); err != nil {
		return err
	}
	if err := check("holidays", "holidays", "holiday"); err != nil {
		return err
	}
	return v.Err()
}
