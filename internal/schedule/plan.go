package schedule

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"shkola/internal/audit"
	"shkola/internal/calendar"
	"shkola/internal/classes"
	"shkola/internal/errs"
	"shkola/internal/store"
)

// PlanItem is the weekly hours of a subject in a class: for the whole year
// (PeriodID nil) or for one study period, overriding the year's hours.
type PlanItem struct {
	Subject  string `json:"subject"`
	PeriodID *int64 `json:"period_id,omitempty"`
	Hours    int    `json:"hours"`
}

// PlanChange replaces the plan of a class for the year (PeriodID nil) or
// for one period: subjects not listed lose their row there; hours 0 removes
// it. ApplyToParallel writes the same plan into every active class of the
// class's parallel in the year.
type PlanChange struct {
	PeriodID        *int64     `json:"period_id"`
	Items           []PlanHour `json:"items"`
	ApplyToParallel bool       `json:"apply_to_parallel"`
}

// PlanHour is one subject's hours in a PlanChange.
type PlanHour struct {
	Subject string `json:"subject"`
	Hours   int    `json:"hours"`
}

// MaxWeekHours bounds the hours of one subject in a week.
const MaxWeekHours = 40

// Plan returns a class's plan rows: the year's first, then the periods'.
func (s *Service) Plan(ctx context.Context, groupID int64) ([]PlanItem, error) {
	return planOf(ctx, s.DB.Read(), groupID)
}

func planOf(ctx context.Context, q store.Querier, groupID int64) ([]PlanItem, error) {
	rows, err := q.QueryContext(ctx, `SELECT subject, period_id, hours FROM study_plan WHERE group_id = $1
		ORDER BY COALESCE(period_id, 0), subject`, groupID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []PlanItem{}
	for rows.Next() {
		var it PlanItem
		var p sql.NullInt64
		if err := rows.Scan(&it.Subject, &p, &it.Hours); err != nil {
			return nil, err
		}
		if p.Valid {
			it.PeriodID = &p.Int64
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// checkPlan validates a plan change against the class and its year.
func (s *Service) checkPlan(ctx context.Context, q store.Querier, g classes.Group, c *PlanChange) error {
	var v errs.Validation
	if g.Kind != classes.Class {
		v.Add("class_id", "kind", "a study plan belongs to a class; its sub-groups follow it")
	}
	if c.PeriodID != nil {
		p, err := calendar.LoadPeriod(ctx, q, *c.PeriodID, "")
		switch {
		case errs.CodeOf(err) == errs.NotFound:
			v.Add("period_id", "exists", "no such study period")
		case err != nil:
			return err
		case p.YearID != g.YearID:
			v.Add("period_id", "year", "the period is not of the class's year")
		}
	}
	seen := map[string]bool{}
	for i, it := range c.Items {
		field := fmt.Sprintf("items[%d]", i)
		it.Subject = strings.ToLower(strings.TrimSpace(it.Subject))
		c.Items[i].Subject = it.Subject
		switch {
		case it.Subject == "":
			v.Add(field+".subject", "required", "the subject is required")
		case seen[it.Subject]:
			v.Add(field+".subject", "unique", "the subject is listed twice")
		default:
			ok, err := s.known(ctx, SubjectDirectory, it.Subject)
			if err != nil {
				return err
			}
			if !ok {
				v.Add(field+".subject", "unknown", "not a subject of the reference directory")
			}
		}
		seen[it.Subject] = true
		if it.Hours < 0 || it.Hours > MaxWeekHours {
			v.Add(field+".hours", "range", fmt.Sprintf("hours per week are 0 to %d", MaxWeekHours))
		}
	}
	return v.Err()
}

// SetPlan replaces a class's plan for the year or a period.
func (s *Service) SetPlan(ctx context.Context, groupID int64, c PlanChange, af AuditFunc) ([]PlanItem, error) {
	var out []PlanItem
	err := s.DB.WithTx(ctx, func(tx *store.Tx) error {
		g, err := classes.Load(ctx, tx, groupID)
		if err != nil {
			return err
		}
		if err := s.checkPlan(ctx, tx, g, &c); err != nil {
			return err
		}
		targets := []int64{g.ID}
		if c.ApplyToParallel && g.Parallel != nil {
			if targets, err = idList(ctx, tx, `SELECT id FROM groups WHERE year_id = $1 AND org_id = $2 AND kind = 'class'
				AND status = 'active' AND parallel = $3 ORDER BY id`, g.YearID, g.OrgID, *g.Parallel); err != nil {
				return err
			}
		}
		for _, id := range targets {
			if err := s.SetPlanTx(ctx, tx, id, g.OrgID, c.PeriodID, c.Items, af); err != nil {
				return err
			}
		}
		out, err = planOf(ctx, tx, groupID)
		return err
	})
	return out, err
}

// SetPlanTx writes checked plan rows of one class inside tx (the demo uses
// it directly).
func (s *Service) SetPlanTx(ctx context.Context, tx *store.Tx, groupID, orgID int64, periodID *int64, items []PlanHour, af AuditFunc) error {
	old := map[string]string{}
	cur, err := planOf(ctx, tx, groupID)
	if err != nil {
		return err
	}
	for _, it := range cur {
		if samePeriod(it.PeriodID, periodID) {
			old[it.Subject] = strconv.Itoa(it.Hours)
		}
	}
	args := []any{groupID}
	cond := "period_id IS NULL"
	if periodID != nil {
		cond, args = "period_id = $2", append(args, *periodID)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM study_plan WHERE group_id = $1 AND "+cond, args...); err != nil {
		return err
	}
	next := map[string]string{}
	now := s.now()
	var rows []PlanHour
	for _, it := range items {
		if it.Hours == 0 {
			continue
		}
		next[it.Subject] = strconv.Itoa(it.Hours)
		rows = append(rows, it)
	}
	// One statement for the plan, not one per subject.
	if err := store.CopyRows(ctx, tx, "study_plan", []string{"group_id", "subject", "period_id", "hours", "created_at"}, len(rows), func(i int, a []any) error {
		a[0], a[1], a[2], a[3], a[4] = groupID, rows[i].Subject, periodID, rows[i].Hours, now
		return nil
	}); err != nil {
		return err
	}
	changes := diff(old, next)
	for k, o := range old {
		if _, ok := next[k]; !ok {
			changes = append(changes, audit.FieldChange{Field: k, Old: o})
		}
	}
	if len(changes) == 0 {
		return nil
	}
	data := map[string]any{"group_id": groupID}
	if periodID != nil {
		data["period_id"] = *periodID
	}
	if err := record(ctx, tx, now, PlanEntity, groupID, orgID, store.OpUpdate, data); err != nil {
		return err
	}
	return af.write(ctx, tx, entry(audit.RecordUpdate, PlanEntity, groupID, orgID, changes))
}

func samePeriod(a, b *int64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func idList(ctx context.Context, q store.Querier, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// CoverageRow compares, for one class and subject, the plan's weekly hours
// with the teachers assigned and the hours the weekly template holds.
// Template hours are counted per group: the class itself and each of its
// sub-groups (a class split in two groups for English has each group's
// hours; both should reach the plan).
type CoverageRow struct {
	ClassID   int64            `json:"class_id"`
	ClassName string           `json:"class_name"`
	Subject   string           `json:"subject"`
	Planned   int              `json:"planned"`
	Teachers  []string         `json:"teachers"`
	Scheduled int              `json:"scheduled"`
	ByGroup   map[string]int   `json:"by_group,omitempty"`
	Status    string           `json:"status"`
	groups    map[int64]string // group id -> name, for ByGroup
}

// Coverage statuses: ok; no_teacher (plan hours no assignment covers);
// under or over (template hours differ from the plan); unplanned (taught
// or scheduled but not in the plan).
const (
	CoverOK        = "ok"
	CoverNoTeacher = "no_teacher"
	CoverUnder     = "under"
	CoverOver      = "over"
	CoverUnplanned = "unplanned"
)

// CoverageFilter picks what a coverage report covers: the classes of a
// year of an organisation (one class when ClassID is set), with the plan of
// a period (the year's when PeriodID is 0), on a day (template entries
// valid that day; the period's first day, or the year's, when empty).
type CoverageFilter struct {
	OrgID, YearID, ClassID, PeriodID int64
	On                               string
	OnlyProblems                     bool
}

// Coverage reports plan hours against assignments and the weekly template.
func (s *Service) Coverage(ctx context.Context, f CoverageFilter) ([]CoverageRow, error) {
	q := s.DB.Read()
	y, err := calendar.LoadYear(ctx, q, f.YearID, "")
	if err != nil {
		return nil, err
	}
	if f.On == "" {
		f.On = y.StartsOn
		if f.PeriodID != 0 {
			p, err := calendar.LoadPeriod(ctx, q, f.PeriodID, "")
			if err != nil {
				return nil, err
			}
			f.On = p.StartsOn
		}
	}
	args := []any{f.YearID, f.OrgID}
	classCond := ""
	if f.ClassID != 0 {
		classCond, args = " AND g.id = $3", append(args, f.ClassID)
	}
	rows := map[[2]string]*CoverageRow{} // class id, subject
	key := func(id int64, subj string) [2]string { return [2]string{strconv.FormatInt(id, 10), subj} }
	get := func(id int64, name, subj string) *CoverageRow {
		k := key(id, subj)
		r, ok := rows[k]
		if !ok {
			r = &CoverageRow{ClassID: id, ClassName: name, Subject: subj, Teachers: []string{}, groups: map[int64]string{}}
			rows[k] = r
		}
		return r
	}
	// The plan: the period's row where there is one, else the year's.
	plan, err := q.QueryContext(ctx, `SELECT g.id, g.name, p.subject, p.period_id, p.hours FROM study_plan p JOIN groups g ON g.id = p.group_id
		WHERE g.year_id = $1 AND g.org_id = $2 AND g.kind = 'class'`+classCond, args...)
	if err != nil {
		return nil, err
	}
	type planned struct {
		hours     int
		forPeriod bool
	}
	best := map[[2]string]planned{}
	names := map[int64]string{}
	for plan.Next() {
		var id int64
		var name, subj string
		var period sql.NullInt64
		var hours int
		if err := plan.Scan(&id, &name, &subj, &period, &hours); err != nil {
			_ = plan.Close() // the error returned below is the one to report
			return nil, err
		}
		names[id] = name
		k := key(id, subj)
		switch {
		case period.Valid && period.Int64 == f.PeriodID:
			best[k] = planned{hours, true}
		case !period.Valid && !best[k].forPeriod:
			best[k] = planned{hours, false}
		}
	}
	if err := plan.Close(); err != nil {
		return nil, err
	}
	for k, p := range best {
		id, _ := strconv.ParseInt(k[0], 10, 64)
		if p.hours > 0 {
			get(id, names[id], k[1]).Planned = p.hours
		}
	}
	// Assignments current on the day, of the class or its sub-groups.
	as, err := q.QueryContext(ctx, `SELECT c.id, c.name, a.subject, p.last_name, p.first_name, p.middle_name
		FROM assignments a JOIN groups g ON g.id = a.group_id JOIN groups c ON c.id = COALESCE(g.parent_id, g.id) AND c.kind = 'class'
		JOIN persons p ON p.id = a.teacher_id
		WHERE c.year_id = $1 AND c.org_id = $2 AND a.starts_on <= $`+strconv.Itoa(len(args)+1)+` AND (a.ends_on IS NULL OR a.ends_on > $`+strconv.Itoa(len(args)+1)+`)`+
		strings.ReplaceAll(classCond, "g.id", "c.id")+` ORDER BY p.last_name, p.first_name`, append(args, f.On)...)
	if err != nil {
		return nil, err
	}
	for as.Next() {
		var id int64
		var name, subj, last, first, middle string
		if err := as.Scan(&id, &name, &subj, &last, &first, &middle); err != nil {
			_ = as.Close() // the error returned below is the one to report
			return nil, err
		}
		r := get(id, name, subj)
		who := shortName(last, first, middle)
		if !contains(r.Teachers, who) {
			r.Teachers = append(r.Teachers, who)
		}
	}
	if err := as.Close(); err != nil {
		return nil, err
	}
	// Template hours valid on the day, per group.
	te, err := q.QueryContext(ctx, `SELECT c.id, c.name, e.subject, g.id, g.name, COUNT(*)
		FROM timetable_entries e JOIN groups g ON g.id = e.group_id JOIN groups c ON c.id = COALESCE(g.parent_id, g.id) AND c.kind = 'class'
		WHERE c.year_id = $1 AND c.org_id = $2 AND e.valid_from <= $`+strconv.Itoa(len(args)+1)+` AND (e.valid_to IS NULL OR e.valid_to >= $`+strconv.Itoa(len(args)+1)+`)`+
		strings.ReplaceAll(classCond, "g.id", "c.id")+` GROUP BY c.id, c.name, e.subject, g.id, g.name`, append(args, f.On)...)
	if err != nil {
		return nil, err
	}
	for te.Next() {
		var id, gid int64
		var name, subj, gname string
		var n int
		if err := te.Scan(&id, &name, &subj, &gid, &gname, &n); err != nil {
			_ = te.Close() // the error returned below is the one to report
			return nil, err
		}
		r := get(id, name, subj)
		if r.ByGroup == nil {
			r.ByGroup = map[string]int{}
		}
		r.ByGroup[gname] += n
		r.groups[gid] = gname
	}
	if err := te.Close(); err != nil {
		return nil, err
	}
	out := make([]CoverageRow, 0, len(rows))
	for _, r := range rows {
		// A class taught whole counts its own hours; a split class the
		// fewest hours of any of its groups.
		r.Scheduled = -1
		for _, n := range r.ByGroup {
			if r.Scheduled < 0 || n < r.Scheduled {
				r.Scheduled = n
			}
		}
		if whole, ok := r.ByGroup[r.ClassName]; ok {
			r.Scheduled = whole
		}
		if r.Scheduled < 0 {
			r.Scheduled = 0
		}
		switch {
		case r.Planned == 0:
			r.Status = CoverUnplanned
		case len(r.Teachers) == 0:
			r.Status = CoverNoTeacher
		case r.Scheduled < r.Planned:
			r.Status = CoverUnder
		case r.Scheduled > r.Planned:
			r.Status = CoverOver
		default:
			r.Status = CoverOK
		}
		if f.OnlyProblems && r.Status == CoverOK {
			continue
		}
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ClassName != out[j].ClassName {
			return classLess(out[i].ClassName, out[j].ClassName)
		}
		return out[i].Subject < out[j].Subject
	})
	return out, nil
}

// classLess orders class names by parallel, then letter ("5А" < "10А").
func classLess(a, b string) bool {
	na, ra := leadingInt(a)
	nb, rb := leadingInt(b)
	if na != nb {
		return na < nb
	}
	return ra < rb
}

func leadingInt(s string) (int, string) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n, _ := strconv.Atoi(s[:i])
	return n, s[i:]
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// shortName is "Иванова А. П.".
func shortName(last, first, middle string) string {
	out := last
	for _, p := range []string{first, middle} {
		if r := []rune(strings.TrimSpace(p)); len(r) > 0 {
			out += " " + string(r[0]) + "."
		}
	}
	return out
}

// ShortName is how a teacher is named on timetables and in the diary:
// the surname and initials.
func ShortName(last, first, middle string) string { return shortName(last, first, middle) }
