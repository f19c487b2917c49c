package journal

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"shkola/internal/audit"
	"shkola/internal/calendar"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Kinds of period marks.
const (
	PeriodKind = "period" // a quarter, trimester or semester
	AnnualKind = "annual" // the year, suggested from the period marks
	FinalKind  = "final"  // the final mark of the subject, suggested from the annual one
)

// PeriodMark is a period, annual or final mark.
type PeriodMark struct {
	ID        int64     `json:"id"`
	GroupID   int64     `json:"group_id"`
	Subject   string    `json:"subject"`
	PersonID  int64     `json:"person_id"`
	Kind      string    `json:"kind"`
	YearID    int64     `json:"year_id"`
	PeriodID  *int64    `json:"period_id,omitempty"`
	Scale     string    `json:"scale"`
	Value     string    `json:"value"`
	Score     *float64  `json:"score,omitempty"`
	Average   *float64  `json:"average,omitempty"`
	Author    string    `json:"author"`
	Version   int64     `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
}

// PeriodMarkInput sets (or, with an empty value, clears) one pupil's
// period, annual or final mark in a subject.
type PeriodMarkInput struct {
	PersonID int64  `json:"person_id"`
	Subject  string `json:"subject"`
	Kind     string `json:"kind"`
	PeriodID int64  `json:"period_id,omitempty"`
	Value    string `json:"value"`
	Reason   string `json:"reason,omitempty"`
}

// PeriodMarkResult is the mark as set, with the average it was set
// against, the mark that average suggests and whether the two differ by
// more than one step of the scale.
type PeriodMarkResult struct {
	Mark      *PeriodMark `json:"mark"`
	Average   *float64    `json:"average,omitempty"`
	Suggested *int        `json:"suggested,omitempty"`
	Warning   bool        `json:"warning"`
}

const periodMarkColumns = `id, group_id, subject, person_id, kind, year_id, period_id, scale, value, score, average, author, version, updated_at`

func scanPeriodMark(row interface{ Scan(...any) error }) (*PeriodMark, error) {
	var pm PeriodMark
	var period sql.NullInt64
	var score, avg sql.NullFloat64
	if err := row.Scan(&pm.ID, &pm.GroupID, &pm.Subject, &pm.PersonID, &pm.Kind, &pm.YearID, &period, &pm.Scale, &pm.Value,
		&score, &avg, &pm.Author, &pm.Version, &pm.UpdatedAt); err != nil {
		return nil, err
	}
	if period.Valid {
		pm.PeriodID = &period.Int64
	}
	if score.Valid {
		pm.Score = &score.Float64
	}
	if avg.Valid {
		pm.Average = &avg.Float64
	}
	pm.UpdatedAt = pm.UpdatedAt.UTC()
	return &pm, nil
}

// SetPeriodMark sets a pupil's period, annual or final mark: the teacher of
// the subject while the period (for annual and final marks, the year) is
// open, an administrator at any time with a reason.
func (g *Guard) SetPeriodMark(ctx context.Context, groupID int64, in PeriodMarkInput) (PeriodMarkResult, error) {
	q := g.S.DB.Read()
	in.Subject = strings.TrimSpace(in.Subject)
	in.Reason = strings.TrimSpace(in.Reason)
	gr, err := g.loadGroup(ctx, groupID, []string{"grade", "amend", "read"}, in.Subject, nil)
	if err != nil {
		return PeriodMarkResult{}, hidden(ctx, err)
	}
	t := gr.object(in.Subject)
	// Access first, so a stranger learns nothing from the checks below;
	// whether the period's lock applies is decided once the period is known.
	if _, err := g.decideWrite(ctx, "grade", t, false); err != nil {
		return PeriodMarkResult{}, err
	}
	var v errs.Validation
	if in.Subject == "" {
		v.Add("subject", "required", "the subject is required")
	}
	if in.PersonID <= 0 {
		v.Add("person_id", "required", "the pupil is required")
	}
	var period calendar.Period
	from, to, locked := "", "", false
	switch in.Kind {
	case PeriodKind:
		if period, err = calendar.LoadPeriod(ctx, q, in.PeriodID, ""); err != nil || period.YearID != gr.YearID {
			v.Add("period_id", "year", "the period is not one of this class's year")
		}
		from, to, locked = period.StartsOn, period.EndsOn, period.ClosedAt != nil
	case AnnualKind, FinalKind:
		if in.PeriodID != 0 {
			v.Add("period_id", "none", "annual and final marks belong to the year, not to a period")
		}
		y, err := calendar.LoadYear(ctx, q, gr.YearID, "")
		if err != nil {
			return PeriodMarkResult{}, err
		}
		from, to, locked = y.StartsOn, y.EndsOn, y.Status == calendar.Closed
	default:
		v.Add("kind", "enum", "kind is period, annual or final")
	}
	if utf8.RuneCountInString(in.Reason) > MaxReason {
		v.Add("reason", "length", fmt.Sprintf("at most %d characters", MaxReason))
	}
	if err := v.Err(); err != nil {
		return PeriodMarkResult{}, err
	}
	mode, err := g.decideWrite(ctx, "grade", t, locked)
	if err != nil {
		return PeriodMarkResult{}, err
	}
	switch {
	case mode == modeTeacher && locked:
		what := "the period " + period.Name
		if in.Kind != PeriodKind {
			what = "the year"
		}
		return PeriodMarkResult{}, errs.Field(errs.Conflict, "period_id", "closed", what+" is closed: its marks are locked")
	case mode == modeAmend && in.Reason == "":
		return PeriodMarkResult{}, errs.Field(errs.Invalid, "reason", "required", "a change by an administrator needs a reason")
	}
	sc, err := g.S.scaleAt(ctx, gr.dirVersion, gr.scale)
	if err != nil {
		return PeriodMarkResult{}, err
	}
	var score *float64
	value := strings.TrimSpace(in.Value)
	if value != "" {
		if value, score, err = sc.Parse(value); err != nil {
			return PeriodMarkResult{}, errs.Field(errs.Invalid, "value", "scale", err.Error())
		}
	}
	member, err := memberDuring(ctx, q, gr.ID, in.PersonID, from, to)
	if err != nil {
		return PeriodMarkResult{}, err
	}
	if !member {
		return PeriodMarkResult{}, errs.Field(errs.Invalid, "person_id", "member", "the pupil was not in this class or group then")
	}
	res := PeriodMarkResult{}
	if res.Average, err = g.S.averageFor(ctx, q, gr, in, from, to); err != nil {
		return res, err
	}
	if res.Average != nil && sc.Kind == Numeric {
		n := sc.Round(*res.Average)
		res.Suggested = &n
	}
	res.Warning = sc.Warn(score, res.Average)
	err = g.S.DB.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		res.Mark, err = g.S.setPeriodMarkTx(ctx, tx, gr, in, sc.Code, value, score, res.Average, mode)
		return err
	})
	return res, err
}

// averageFor is what a period mark is set against: the weighted average of
// the period's marks; for an annual mark the average of the year's period
// marks; for a final mark the annual mark.
func (s *Service) averageFor(ctx context.Context, q store.Querier, gr GroupRef, in PeriodMarkInput, from, to string) (*float64, error) {
	var avg sql.NullFloat64
	var err error
	switch in.Kind {
	case PeriodKind:
		err = q.QueryRowContext(ctx, `SELECT `+AverageSQL+` FROM marks x JOIN lessons l ON l.id = x.lesson_id
			WHERE l.group_id = $1 AND l.subject = $2 AND l.on_date >= $3 AND l.on_date <= $4 AND `+AveragedSQL+`
			AND x.person_id = $5`, gr.ID, in.Subject, from, to, in.PersonID).Scan(&avg)
	case AnnualKind:
		err = q.QueryRowContext(ctx, `SELECT AVG(score) FROM period_marks WHERE group_id = $1 AND subject = $2 AND year_id = $3
			AND person_id = $4 AND kind = 'period' AND score IS NOT NULL`, gr.ID, in.Subject, gr.YearID, in.PersonID).Scan(&avg)
	case FinalKind:
		err = q.QueryRowContext(ctx, `SELECT MAX(score) FROM period_marks WHERE group_id = $1 AND subject = $2 AND year_id = $3
			AND person_id = $4 AND kind = 'annual'`, gr.ID, in.Subject, gr.YearID, in.PersonID).Scan(&avg)
	}
	if err != nil || !avg.Valid {
		return nil, err
	}
	return &avg.Float64, nil
}

// memberDuring reports whether the pupil was a member of the group (or of
// one of its sub-groups) on some day between from and to.
func memberDuring(ctx context.Context, q store.Querier, group, person int64, from, to string) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM group_members WHERE person_id = $1
		AND (group_id = $2 OR group_id IN (SELECT id FROM groups WHERE parent_id = $2))
		AND starts_on <= $4 AND (ends_on IS NULL OR ends_on > $3)`, person, group, from, to).Scan(&one)
	if store.IsNoRows(err) {
		return false, nil
	}
	return err == nil, err
}

func (s *Service) setPeriodMarkTx(ctx context.Context, tx *store.Tx, gr GroupRef, in PeriodMarkInput, scale, value string,
	score, avg *float64, mode writeMode) (*PeriodMark, error) {
	var period *int64
	cond := "period_id = $4"
	args := []any{gr.ID, in.Subject, in.PersonID}
	if in.Kind == PeriodKind {
		period = &in.PeriodID
		args = append(args, in.PeriodID)
	} else {
		cond = "period_id IS NULL AND kind = $4 AND year_id = $5"
		args = append(args, in.Kind, gr.YearID)
	}
	old, err := scanPeriodMark(tx.QueryRowContext(ctx, "SELECT "+periodMarkColumns+
		" FROM period_marks WHERE group_id = $1 AND subject = $2 AND person_id = $3 AND "+cond+tx.Engine.ForUpdate(), args...))
	if err != nil && !store.IsNoRows(err) {
		return nil, err
	}
	a := identity.From(ctx)
	author := authorOf(a)
	var account *int64
	if a.AccountID > 0 {
		account = &a.AccountID
	}
	now := s.now()
	var out *PeriodMark
	op := ""
	switch {
	case value == "" && old == nil:
		return nil, nil
	case value == "":
		op = store.OpDelete
		if _, err := tx.ExecContext(ctx, "DELETE FROM period_marks WHERE id = $1", old.ID); err != nil {
			return nil, err
		}
	case old == nil:
		op = store.OpCreate
		out = &PeriodMark{GroupID: gr.ID, Subject: in.Subject, PersonID: in.PersonID, Kind: in.Kind, YearID: gr.YearID, PeriodID: period,
			Scale: scale, Value: value, Score: score, Average: avg, Author: author, Version: 1, UpdatedAt: now}
		if err := tx.QueryRowContext(ctx, `INSERT INTO period_marks (org_id, group_id, subject, person_id, kind, year_id, period_id,
			scale, value, score, average, author, account_id, version, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $14) RETURNING id`,
			gr.OrgID, gr.ID, in.Subject, in.PersonID, in.Kind, gr.YearID, period, scale, value, score, avg, author, account, now).Scan(&out.ID); err != nil {
			return nil, err
		}
	case old.Value == value:
		return old, nil
	default:
		op = store.OpUpdate
		out = old
		out.Value, out.Score, out.Average, out.Scale, out.Author, out.Version, out.UpdatedAt = value, score, avg, scale, author, old.Version+1, now
		if _, err := tx.ExecContext(ctx, `UPDATE period_marks SET value = $1, score = $2, average = $3, scale = $4, author = $5,
			account_id = $6, version = $7, updated_at = $8 WHERE id = $9`, value, score, avg, scale, author, account, out.Version, now, old.ID); err != nil {
			return nil, err
		}
	}
	id := int64(0)
	oldText, newText := "", ""
	if old != nil {
		id, oldText = old.ID, old.Value
	}
	if out != nil {
		id, newText = out.ID, out.Value
	}
	if op == store.OpDelete {
		newText = ""
	}
	data, _ := json.Marshal(map[string]any{"person_id": in.PersonID, "period_id": in.PeriodID, "group_id": gr.ID, "subject": in.Subject})
	org := gr.OrgID
	if err := tx.Record(ctx, store.Change{At: now, Entity: PeriodMarkEntity, EntityID: strconv.FormatInt(id, 10), Op: op,
		OrgID: &org, Actor: author, Data: data}); err != nil {
		return nil, err
	}
	if s.Audit == nil {
		return nil, errs.Wrap(errs.Internal, errors.New("journal change without an audit log"), "internal error")
	}
	action := map[string]audit.Action{store.OpCreate: audit.RecordCreate, store.OpUpdate: audit.RecordUpdate, store.OpDelete: audit.RecordDelete}[op]
	e := audit.Entry{Action: action, Outcome: audit.Success, ObjectType: PeriodMarkEntity, ObjectID: strconv.FormatInt(id, 10), OrgID: &org,
		PersonID: in.PersonID, Changes: []audit.FieldChange{{Field: in.Kind + " " + in.Subject, Old: oldText, New: newText}}}
	if mode == modeAmend {
		e.Detail = truncate("amended: "+in.Reason, 900)
	}
	return out, s.Audit.Append(ctx, tx, e)
}

// identityOf is the actor of ctx (a short name for guards' one-liners).
func identityOf(ctx context.Context) *identity.Actor { return identity.From(ctx) }
