package calendar

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"shkola/internal/audit"
	"shkola/internal/errs"
	"shkola/internal/store"
)

func (h Holiday) audit() map[string]string {
	return map[string]string{"name": h.Name, "starts_on": h.StartsOn, "ends_on": h.EndsOn}
}

func insertHoliday(ctx context.Context, tx *store.Tx, now time.Time, y Year, n NewHoliday, af AuditFunc) (Holiday, error) {
	h := Holiday{YearID: y.ID, Name: n.Name, StartsOn: n.StartsOn, EndsOn: n.EndsOn}
	if err := tx.QueryRowContext(ctx, `INSERT INTO holidays (year_id, name, starts_on, ends_on) VALUES ($1, $2, $3, $4) RETURNING id`,
		y.ID, h.Name, h.StartsOn, h.EndsOn).Scan(&h.ID); err != nil {
		return h, err
	}
	if err := record(ctx, tx, now, HolidayEntity, h.ID, y.OrgID, store.OpCreate, map[string]any{"year_id": y.ID}); err != nil {
		return h, err
	}
	return h, af.write(ctx, tx, entry(audit.RecordCreate, HolidayEntity, h.ID, y.OrgID, diff(nil, h.audit())))
}

// AddHoliday adds a holiday inside a year that is not closed. Holidays may
// overlap (a public holiday within the winter holidays).
func (s *Service) AddHoliday(ctx context.Context, yearID int64, n NewHoliday, af AuditFunc) (Holiday, error) {
	var out Holiday
	err := s.DB.WithTx(ctx, func(tx *store.Tx) error {
		y, err := openYear(ctx, tx, yearID)
		if err != nil {
			return err
		}
		n.Name = strings.TrimSpace(n.Name)
		var v errs.Validation
		switch {
		case n.Name == "":
			v.Add("name", "required", "the holiday needs a name")
		case utf8.RuneCountInString(n.Name) > 100:
			v.Add("name", "length", "at most 100 characters")
		}
		okFrom, okTo := checkDate(&v, "starts_on", n.StartsOn), checkDate(&v, "ends_on", n.EndsOn)
		if okFrom && okTo {
			switch {
			case n.EndsOn < n.StartsOn:
				v.Add("ends_on", "order", "a holiday cannot end before it starts")
			case n.StartsOn < y.StartsOn:
				v.Add("starts_on", "inside_year", fmt.Sprintf("must be within the year (%s – %s)", y.StartsOn, y.EndsOn))
			case n.EndsOn > y.EndsOn:
				v.Add("ends_on", "inside_year", fmt.Sprintf("must be within the year (%s – %s)", y.StartsOn, y.EndsOn))
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		out, err = insertHoliday(ctx, tx, s.now(), y, n, af)
		return err
	})
	return out, err
}

// DeleteHoliday removes a holiday of a year that is not closed.
func (s *Service) DeleteHoliday(ctx context.Context, id int64, af AuditFunc) error {
	return s.DB.WithTx(ctx, func(tx *store.Tx) error {
		h, err := loadHoliday(ctx, tx, id)
		if err != nil {
			return err
		}
		y, err := openYear(ctx, tx, h.YearID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM holidays WHERE id = $1", id); err != nil {
			return err
		}
		if err := record(ctx, tx, s.now(), HolidayEntity, id, y.OrgID, store.OpDelete, map[string]any{"year_id": y.ID}); err != nil {
			return err
		}
		var changes []audit.FieldChange
		for _, k := range sortedKeys(h.audit()) {
			changes = append(changes, audit.FieldChange{Field: k, Old: h.audit()[k]})
		}
		return af.write(ctx, tx, entry(audit.RecordDelete, HolidayEntity, id, y.OrgID, changes))
	})
}
