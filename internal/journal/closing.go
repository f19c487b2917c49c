package journal

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"shkola/internal/access"
	"shkola/internal/audit"
	"shkola/internal/calendar"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// ClosePeriod closes a study period: its marks and attendance are locked
// for teachers; a school administrator may still amend them with a reason.
// Closing a closed period changes nothing.
func (g *Guard) ClosePeriod(ctx context.Context, id int64, reason string) (calendar.Period, error) {
	return g.setClosed(ctx, id, true, reason)
}

// ReopenPeriod opens a closed period again; the reason is required.
func (g *Guard) ReopenPeriod(ctx context.Context, id int64, reason string) (calendar.Period, error) {
	return g.setClosed(ctx, id, false, reason)
}

func (g *Guard) setClosed(ctx context.Context, id int64, closed bool, reason string) (calendar.Period, error) {
	q := g.S.DB.Read()
	p, err := calendar.LoadPeriod(ctx, q, id, "")
	if err != nil {
		return p, hidden(ctx, err)
	}
	y, err := calendar.LoadYear(ctx, q, p.YearID, "")
	if err != nil {
		return p, err
	}
	if err := g.Policy.Check(ctx, identity.From(ctx), Resource, "close", access.Target{OrgIDs: []int64{y.OrgID}}); err != nil {
		return p, err
	}
	reason = strings.TrimSpace(reason)
	switch {
	case !closed && reason == "":
		return p, errs.Field(errs.Invalid, "reason", "required", "reopening a closed period needs a reason")
	case utf8.RuneCountInString(reason) > MaxReason:
		return p, errs.Field(errs.Invalid, "reason", "length", fmt.Sprintf("at most %d characters", MaxReason))
	}
	var out calendar.Period
	err = g.S.DB.WithTx(ctx, func(tx *store.Tx) error {
		cur, err := calendar.LoadPeriod(ctx, tx, id, tx.Engine.ForUpdate())
		if err != nil {
			return err
		}
		out = cur
		if (cur.ClosedAt != nil) == closed {
			return nil
		}
		a := identity.From(ctx)
		now := g.S.now()
		action, by := audit.PeriodReopen, any(nil)
		if closed {
			action, by = audit.PeriodClose, authorOf(a)
		}
		var at any
		if closed {
			at = now
		}
		if _, err := tx.ExecContext(ctx, "UPDATE study_periods SET closed_at = $1, closed_by = $2, version = version + 1 WHERE id = $3",
			at, by, id); err != nil {
			return err
		}
		out.Version++
		out.ClosedAt, out.ClosedBy = nil, ""
		if closed {
			out.ClosedAt, out.ClosedBy = &now, authorOf(a)
		}
		org := y.OrgID
		data, _ := json.Marshal(map[string]any{"year_id": y.ID, "version": out.Version, "closed": closed})
		if err := tx.Record(ctx, store.Change{At: now, Entity: PeriodEntity, EntityID: strconv.FormatInt(id, 10), Op: store.OpUpdate,
			OrgID: &org, Actor: authorOf(a), Data: data}); err != nil {
			return err
		}
		if g.S.Audit == nil {
			return errs.E(errs.Internal, "internal error")
		}
		old, nw := "open", "closed"
		if !closed {
			old, nw = nw, old
		}
		return g.S.Audit.Append(ctx, tx, audit.Entry{Action: action, Outcome: audit.Success, ObjectType: PeriodEntity,
			ObjectID: strconv.FormatInt(id, 10), OrgID: &org, Detail: truncate(reason, 900),
			Changes: []audit.FieldChange{{Field: "state", Old: old, New: nw}}})
	})
	return out, err
}
