package schedule

import (
	"context"
	"fmt"
	"time"

	"shkola/internal/audit"
	"shkola/internal/calendar"
	"shkola/internal/errs"
	"shkola/internal/store"
)

// Bell variants: the usual day and a shortened one (a day before a
// holiday, a cold day), used on the dates listed as short days.
const (
	Regular = "regular"
	Short   = "short"
)

// MaxSlot is the last lesson number of a day; 0 is an early "zero" lesson.
const MaxSlot = 12

// Bell is one lesson's times in a variant of an organisation's day.
type Bell struct {
	Slot     int    `json:"slot"`
	StartsAt string `json:"starts_at"`
	EndsAt   string `json:"ends_at"`
}

// Bells is an organisation's bell schedule.
type Bells struct {
	OrgID     int64    `json:"org_id"`
	Regular   []Bell   `json:"regular"`
	Short     []Bell   `json:"short"`
	ShortDays []string `json:"short_days"`
}

// Times returns the bells of the variant that applies on date.
func (b Bells) Times(date string) map[int]Bell {
	list := b.Regular
	for _, d := range b.ShortDays {
		if d == date && len(b.Short) > 0 {
			list = b.Short
		}
	}
	out := make(map[int]Bell, len(list))
	for _, x := range list {
		out[x.Slot] = x
	}
	return out
}

// Slots lists the slot numbers of the regular day (1 to 7 without bells).
func (b Bells) Slots() []int {
	var out []int
	for _, x := range b.Regular {
		out = append(out, x.Slot)
	}
	if len(out) == 0 {
		return []int{1, 2, 3, 4, 5, 6, 7}
	}
	return out
}

// LoadBells reads an organisation's bell schedule.
func LoadBells(ctx context.Context, q store.Querier, orgID int64) (Bells, error) {
	b := Bells{OrgID: orgID, Regular: []Bell{}, Short: []Bell{}, ShortDays: []string{}}
	rows, err := q.QueryContext(ctx, "SELECT variant, slot, starts_at, ends_at FROM bells WHERE org_id = $1 ORDER BY variant, slot", orgID)
	if err != nil {
		return b, err
	}
	defer rows.Close()
	for rows.Next() {
		var v string
		var x Bell
		if err := rows.Scan(&v, &x.Slot, &x.StartsAt, &x.EndsAt); err != nil {
			return b, err
		}
		if v == Short {
			b.Short = append(b.Short, x)
		} else {
			b.Regular = append(b.Regular, x)
		}
	}
	if err := rows.Err(); err != nil {
		return b, err
	}
	days, err := q.QueryContext(ctx, "SELECT on_date FROM short_days WHERE org_id = $1 ORDER BY on_date", orgID)
	if err != nil {
		return b, err
	}
	defer days.Close()
	for days.Next() {
		var d string
		if err := days.Scan(&d); err != nil {
			return b, err
		}
		b.ShortDays = append(b.ShortDays, d)
	}
	return b, days.Err()
}

// Bells returns an organisation's bell schedule.
func (s *Service) Bells(ctx context.Context, orgID int64) (Bells, error) {
	return LoadBells(ctx, s.DB.Read(), orgID)
}

func clock(s string) (time.Time, bool) {
	t, err := time.Parse("15:04", s)
	return t, err == nil && t.Format("15:04") == s
}

// checkBells validates one variant: slots in range and unique, times
// HH:MM, each lesson ending after it starts and before the next starts.
func checkBells(list []Bell) error {
	var v errs.Validation
	seen := map[int]bool{}
	var prevEnd time.Time
	for i, b := range list {
		f := fmt.Sprintf("slots[%d]", i)
		switch {
		case b.Slot < 0 || b.Slot > MaxSlot:
			v.Add(f+".slot", "range", fmt.Sprintf("lesson numbers are 0 to %d", MaxSlot))
		case seen[b.Slot]:
			v.Add(f+".slot", "unique", "the lesson is listed twice")
		case i > 0 && b.Slot < list[i-1].Slot:
			v.Add(f+".slot", "order", "list the lessons in order")
		}
		seen[b.Slot] = true
		from, ok1 := clock(b.StartsAt)
		to, ok2 := clock(b.EndsAt)
		switch {
		case !ok1:
			v.Add(f+".starts_at", "time", "a time of day (HH:MM)")
		case !ok2:
			v.Add(f+".ends_at", "time", "a time of day (HH:MM)")
		case !to.After(from):
			v.Add(f+".ends_at", "order", "a lesson ends after it starts")
		case i > 0 && from.Before(prevEnd):
			v.Add(f+".starts_at", "overlap", "begins before the lesson before it ends")
		}
		if ok2 {
			prevEnd = to
		}
	}
	return v.Err()
}

// SetBells replaces one variant of an organisation's bell schedule.
func (s *Service) SetBells(ctx context.Context, orgID int64, variant string, list []Bell, af AuditFunc) (Bells, error) {
	if variant != Regular && variant != Short {
		return Bells{}, errs.Field(errs.Invalid, "variant", "enum", "the variant is regular or short")
	}
	if err := checkBells(list); err != nil {
		return Bells{}, err
	}
	var out Bells
	err := s.DB.WithTx(ctx, func(tx *store.Tx) error {
		if err := SetBellsTx(ctx, tx, orgID, variant, list); err != nil {
			return err
		}
		if err := record(ctx, tx, s.now(), BellsEntity, orgID, orgID, store.OpUpdate, map[string]any{"variant": variant}); err != nil {
			return err
		}
		var changes []audit.FieldChange
		for _, b := range list {
			changes = append(changes, audit.FieldChange{Field: fmt.Sprintf("%s.%d", variant, b.Slot), New: b.StartsAt + "-" + b.EndsAt})
		}
		if err := af.write(ctx, tx, entry(audit.RecordUpdate, BellsEntity, orgID, orgID, changes)); err != nil {
			return err
		}
		var err error
		out, err = LoadBells(ctx, tx, orgID)
		return err
	})
	return out, err
}

// SetBellsTx writes a checked variant inside tx (the demo uses it).
func SetBellsTx(ctx context.Context, tx *store.Tx, orgID int64, variant string, list []Bell) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM bells WHERE org_id = $1 AND variant = $2", orgID, variant); err != nil {
		return err
	}
	for _, b := range list {
		if _, err := tx.ExecContext(ctx, "INSERT INTO bells (org_id, variant, slot, starts_at, ends_at) VALUES ($1, $2, $3, $4, $5)",
			orgID, variant, b.Slot, b.StartsAt, b.EndsAt); err != nil {
			return err
		}
	}
	return nil
}

// SetShortDay marks (on true) or unmarks a date as a shortened day.
func (s *Service) SetShortDay(ctx context.Context, orgID int64, date string, on bool, af AuditFunc) error {
	if !calendar.ValidDate(date) {
		return errs.Field(errs.Invalid, "date", "date", "not a date in the calendar (YYYY-MM-DD)")
	}
	return s.DB.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		op, change := store.OpCreate, audit.FieldChange{Field: "short_day", New: date}
		if on {
			_, err = tx.ExecContext(ctx, "INSERT INTO short_days (org_id, on_date) VALUES ($1, $2) ON CONFLICT (org_id, on_date) DO NOTHING", orgID, date)
		} else {
			op, change = store.OpDelete, audit.FieldChange{Field: "short_day", Old: date}
			_, err = tx.ExecContext(ctx, "DELETE FROM short_days WHERE org_id = $1 AND on_date = $2", orgID, date)
		}
		if err != nil {
			return err
		}
		if err := record(ctx, tx, s.now(), BellsEntity, orgID, orgID, op, map[string]any{"short_day": date}); err != nil {
			return err
		}
		return af.write(ctx, tx, entry(audit.RecordUpdate, BellsEntity, orgID, orgID, []audit.FieldChange{change}))
	})
}
