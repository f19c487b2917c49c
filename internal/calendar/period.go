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

func (p Period) audit() map[string]string {
	return map[string]string{"name": p.Name, "starts_on": p.StartsOn, "ends_on": p.EndsOn}
}

// checkPeriodFields checks a period on its own and within its year.
func checkPeriodFields(y Year, name, from, to string, v *errs.Validation) {
	switch {
	case name == "":
		v.Add("name", "required", "the period needs a name")
	case utf8.RuneCountInString(name) > 50:
		v.Add("name", "length", "at most 50 characters")
	}
	okFrom := checkDate(v, "starts_on", from)
	okTo := checkDate(v, "ends_on", to)
	if !okFrom || !okTo {
		return
	}
	switch {
	case to < from:
		v.Add("ends_on", "order", "a period cannot end before it starts")
	case from < y.StartsOn:
		v.Add("starts_on", "inside_year", fmt.Sprintf("must be within the year (%s – %s)", y.StartsOn, y.EndsOn))
	case to > y.EndsOn:
		v.Add("ends_on", "inside_year", fmt.Sprintf("must be within the year (%s – %s)", y.StartsOn, y.EndsOn))
	}
}

// checkNeighbours checks that period i of ps (in seq order) follows the
// one before and precedes the one after without overlapping either.
func checkNeighbours(ps []Period, i int, v *errs.Validation) {
	p := ps[i]
	if i > 0 {
		prev := ps[i-1]
		switch {
		case p.EndsOn < prev.StartsOn:
			v.Add("starts_on", "order", fmt.Sprintf("periods follow each other: this one must come after %s", prev.Name))
		case p.StartsOn <= prev.EndsOn:
			v.Add("starts_on", "overlap", fmt.Sprintf("overlaps %s (%s – %s)", prev.Name, prev.StartsOn, prev.EndsOn))
		}
	}
	if i+1 < len(ps) && !v.Has("starts_on") {
		next := ps[i+1]
		switch {
		case p.StartsOn > next.EndsOn:
			v.Add("ends_on", "order", fmt.Sprintf("periods follow each other: this one must come before %s", next.Name))
		case p.EndsOn >= next.StartsOn:
			v.Add("ends_on", "overlap", fmt.Sprintf("overlaps %s (%s – %s)", next.Name, next.StartsOn, next.EndsOn))
		}
	}
}

func insertPeriod(ctx context.Context, tx *store.Tx, now time.Time, y Year, seq int, n NewPeriod, af AuditFunc) (Period, error) {
	p := Period{YearID: y.ID, Seq: seq, Name: n.Name, StartsOn: n.StartsOn, EndsOn: n.EndsOn, Version: 1}
	if err := tx.QueryRowContext(ctx, `INSERT INTO study_periods (year_id, seq, name, starts_on, ends_on, version) VALUES ($1, $2, $3, $4, $5, 1) RETURNING id`,
		y.ID, seq, p.Name, p.StartsOn, p.EndsOn).Scan(&p.ID); err != nil {
		return p, err
	}
	if err := record(ctx, tx, now, PeriodEntity, p.ID, y.OrgID, store.OpCreate, map[string]any{"year_id": y.ID, "seq": seq, "version": 1}); err != nil {
		return p, err
	}
	return p, af.write(ctx, tx, entry(audit.RecordCreate, PeriodEntity, p.ID, y.OrgID, diff(nil, p.audit())))
}

// openYear loads and locks a year that may still change.
func openYear(ctx context.Context, tx *store.Tx, id int64) (Year, error) {
	y, err := LoadYear(ctx, tx, id, tx.Engine.ForUpdate())
	if err != nil {
		return y, err
	}
	if y.Status == Closed {
		return y, errs.Field(errs.Conflict, "year_id", "closed", "the year "+y.Name+" is closed; reopen it to change its calendar")
	}
	return y, nil
}

// AddPeriod appends a study period after the last one of the year.
func (s *Service) AddPeriod(ctx context.Context, yearID int64, n NewPeriod, af AuditFunc) (Period, error) {
	var out Period
	err := s.DB.WithTx(ctx, func(tx *store.Tx) error {
		y, err := openYear(ctx, tx, yearID)
		if err != nil {
			return err
		}
		n.Name = strings.TrimSpace(n.Name)
		var v errs.Validation
		checkPeriodFields(y, n.Name, n.StartsOn, n.EndsOn, &v)
		if err := v.Err(); err != nil {
			return err
		}
		ps, err := Periods(ctx, tx, y.ID)
		if err != nil {
			return err
		}
		seq := 1
		if len(ps) > 0 {
			seq = ps[len(ps)-1].Seq + 1
		}
		ps = append(ps, Period{Seq: seq, Name: n.Name, StartsOn: n.StartsOn, EndsOn: n.EndsOn})
		checkNeighbours(ps, len(ps)-1, &v)
		if err := v.Err(); err != nil {
			return err
		}
		out, err = insertPeriod(ctx, tx, s.now(), y, seq, n, af)
		return err
	})
	return out, err
}

// UpdatePeriod changes a period's name or dates at the version read. The
// dates of a closed period stay as they were: the journal locked them.
func (s *Service) UpdatePeriod(ctx context.Context, id, expected int64, p PeriodPatch, af AuditFunc) (Period, error) {
	var out Period
	err := s.DB.WithTx(ctx, func(tx *store.Tx) error {
		cur, err := LoadPeriod(ctx, tx, id, "")
		if err != nil {
			return err
		}
		y, err := openYear(ctx, tx, cur.YearID)
		if err != nil {
			return err
		}
		if cur, err = LoadPeriod(ctx, tx, id, tx.Engine.ForUpdate()); err != nil {
			return err
		}
		if cur.Version != expected {
			return stale("study period")
		}
		next := cur
		var v errs.Validation
		if p.Name != nil {
			next.Name = strings.TrimSpace(*p.Name)
		}
		for _, c := range []struct {
			field    string
			dst, src *string
		}{{"starts_on", &next.StartsOn, p.StartsOn}, {"ends_on", &next.EndsOn, p.EndsOn}} {
			if c.src == nil || *c.src == *c.dst {
				continue
			}
			if cur.ClosedAt != nil {
				v.Add(c.field, "closed", "the period is closed; its dates cannot change until it is reopened")
				continue
			}
			*c.dst = *c.src
		}
		checkPeriodFields(y, next.Name, next.StartsOn, next.EndsOn, &v)
		if err := v.Err(); err != nil {
			return err
		}
		ps, err := Periods(ctx, tx, y.ID)
		if err != nil {
			return err
		}
		for i := range ps {
			if ps[i].ID == id {
				ps[i] = next
				checkNeighbours(ps, i, &v)
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		changes := diff(cur.audit(), next.audit())
		if len(changes) == 0 {
			out = cur
			return nil
		}
		next.Version = cur.Version + 1
		res, err := tx.ExecContext(ctx, `UPDATE study_periods SET name = $1, starts_on = $2, ends_on = $3, version = $4 WHERE id = $5 AND version = $6`,
			next.Name, next.StartsOn, next.EndsOn, next.Version, id, cur.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return stale("study period")
		}
		if err := record(ctx, tx, s.now(), PeriodEntity, id, y.OrgID, store.OpUpdate, map[string]any{"year_id": y.ID, "version": next.Version}); err != nil {
			return err
		}
		out = next
		return af.write(ctx, tx, entry(audit.RecordUpdate, PeriodEntity, id, y.OrgID, changes))
	})
	return out, err
}
