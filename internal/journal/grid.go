package journal

import (
	"context"
	"database/sql"
	"sort"

	"shkola/internal/access"
	"shkola/internal/errs"
	"shkola/internal/schedule"
	"shkola/internal/store"
)

// GroupRef is the class or sub-group a journal belongs to.
type GroupRef struct {
	ID      int64  `json:"id"`
	OrgID   int64  `json:"org_id"`
	Kind    string `json:"kind"`
	ClassID int64  `json:"class_id"` // the class itself, or the sub-group's class
	YearID  int64  `json:"year_id"`
	Name    string `json:"name"`
	Country string `json:"-"`
	scale   string
	// What the query that loaded the group answered besides: the version
	// of the journal's directories, the access answers, and the subject
	// they were asked for.
	dirVersion int64
	obj        object
}

// object is the journal of the group in subject as a decision sees it;
// whether the actor teaches the subject is known when the group was
// loaded for it.
func (gr GroupRef) object(subject string) object {
	o := gr.obj
	o.t.Subject = subject
	if subject != gr.obj.t.Subject {
		o.taught = nil
	}
	return o
}

// loadGroup reads group id and answers, in the same query, the access
// questions for actions in subject ("" for none). With periods it also
// reads the study periods of the group's year into it, in order: the
// group's row is read once (a subquery with LIMIT, which neither engine
// flattens into the join) and each period joined to it.
func (g *Guard) loadGroup(ctx context.Context, id int64, actions []string, subject string, periods *[]PeriodRef) (GroupRef, error) {
	var gr GroupRef
	var args store.Args
	gid := args.Add(id)
	q := g.ask(ctx, actions, access.Columns{Org: "g.org_id", Class: "COALESCE(g.parent_id, g.id)"}, "g.id", "", subject, &args)
	dest := append([]any{&gr.ID, &gr.OrgID, &gr.Kind, &gr.ClassID, &gr.YearID, &gr.Name, &gr.Country, &gr.scale, &gr.dirVersion}, q.dest()...)
	head := `SELECT g.id AS id, g.org_id AS org_id, g.kind AS kind, COALESCE(g.parent_id, g.id) AS class_id, g.year_id AS year_id,
		g.name AS name, o.country AS country,
		COALESCE((SELECT js.scale FROM journal_scales js JOIN org_tree t ON t.ancestor_id = js.org_id
			WHERE t.descendant_id = g.org_id ORDER BY t.depth LIMIT 1), '') AS scale, ` + dirVersionSQL() + ` AS dir_version` + q.columns() + `
		FROM groups g JOIN organisations o ON o.id = g.org_id WHERE g.id = ` + gid + ` AND g.kind IN ('class', 'subgroup')`
	var err error
	if periods == nil {
		err = g.S.read().QueryRowContext(ctx, head, args.Values...).Scan(dest...)
	} else {
		err = g.scanPeriods(ctx, head, args.Values, dest, periods)
	}
	if store.IsNoRows(err) {
		return gr, errs.E(errs.NotFound, "no such class or sub-group")
	}
	if err != nil {
		return gr, err
	}
	if gr.scale == "" {
		gr.scale = DefaultScale(gr.Country)
	}
	gr.obj = object{t: access.Target{OrgIDs: []int64{gr.OrgID}, ClassID: gr.ClassID, Subject: subject}, group: gr.ID}
	q.apply(&gr.obj)
	return gr, nil
}

// scanPeriods runs the group's head with its year's periods joined, the
// head's columns into dest (every row carries them) and the periods into
// out; sql.ErrNoRows when there is no such group.
func (g *Guard) scanPeriods(ctx context.Context, head string, args, dest []any, out *[]PeriodRef) error {
	rows, err := g.S.read().QueryContext(ctx, `SELECT h.*, p.id, p.name, p.starts_on, p.ends_on, CASE WHEN p.closed_at IS NULL THEN 0 ELSE 1 END
		FROM (`+head+` LIMIT 1) h LEFT JOIN study_periods p ON p.year_id = h.year_id ORDER BY p.seq`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	found := false
	for rows.Next() {
		var id, closed sql.NullInt64
		var name, from, to sql.NullString
		if err := rows.Scan(append(dest, &id, &name, &from, &to, &closed)...); err != nil {
			return err
		}
		found = true
		if id.Valid {
			*out = append(*out, PeriodRef{ID: id.Int64, Name: name.String, StartsOn: from.String, EndsOn: to.String, Closed: closed.Int64 == 1})
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if !found {
		return sql.ErrNoRows
	}
	return nil
}

// GridCell is a pupil's cell at one lesson of the grid.
type GridCell struct {
	Member     bool        `json:"member"` // a member of the group on the lesson's day
	Mark       *Mark       `json:"mark,omitempty"`
	Attendance *Attendance `json:"attendance,omitempty"`
}

// GridRow is a pupil's row: the cells in lesson order, the weighted
// average of the period, the suggested mark, the period mark with its
// warning, and the annual and final marks of the year.
type GridRow struct {
	Pupil
	Cells      []GridCell  `json:"cells"`
	Average    *float64    `json:"average,omitempty"`
	Suggested  *int        `json:"suggested,omitempty"`
	PeriodMark *PeriodMark `json:"period_mark,omitempty"`
	Warning    bool        `json:"warning"`
	Absences   int         `json:"absences"`
	Annual     *PeriodMark `json:"annual,omitempty"`
	Final      *PeriodMark `json:"final,omitempty"`
	// PeriodsAverage is the average of the year's period marks, from which
	// the annual mark is suggested.
	PeriodsAverage *float64 `json:"periods_average,omitempty"`
}

// PeriodRef is a study period as the grid offers it.
type PeriodRef struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	StartsOn string `json:"starts_on"`
	EndsOn   string `json:"ends_on"`
	Closed   bool   `json:"closed"`
}

// PickPeriod is the period asked for by id, or with id 0 the latest that
// has begun by today (the first if none has); periods are in date order
// and not empty. An id of another year is refused.
func PickPeriod(periods []PeriodRef, id int64, today string) (PeriodRef, error) {
	pick := -1
	for i, p := range periods {
		switch {
		case id != 0 && p.ID == id:
			pick = i
		case id == 0 && p.StartsOn <= today:
			pick = i
		}
	}
	if id != 0 && pick < 0 {
		return PeriodRef{}, errs.Field(errs.Invalid, "period", "year", "the period is not one of this class's year")
	}
	return periods[max(pick, 0)], nil
}

// Grid is the journal of a class or sub-group in a subject for a period.
type Grid struct {
	Group    GroupRef          `json:"group"`
	Subject  string            `json:"subject"`
	Period   PeriodRef         `json:"period"`
	Periods  []PeriodRef       `json:"periods"`
	Scale    Scale             `json:"scale"`
	Lessons  []schedule.Lesson `json:"lessons"`
	Rows     []GridRow         `json:"rows"`
	CanGrade bool              `json:"can_grade"`
	CanAmend bool              `json:"can_amend"`
	CanClose bool              `json:"can_close"`
}

// Grid returns the journal of a group in a subject for a period (0: the
// period of today, else the latest that has started, else the first).
func (g *Guard) Grid(ctx context.Context, groupID int64, subject string, periodID int64) (Grid, error) {
	q := g.S.read()
	// The grid turns on read, and shows whether the actor may grade, amend
	// and close.
	var periods []PeriodRef
	gr, err := g.loadGroup(ctx, groupID, []string{"read", "grade", "amend", "close"}, subject, &periods)
	if err != nil {
		return Grid{}, hidden(ctx, err)
	}
	if subject == "" {
		return Grid{}, errs.Field(errs.Invalid, "subject", "required", "choose a subject")
	}
	o := gr.object(subject)
	if err := g.check(ctx, "read", o); err != nil {
		return Grid{}, err
	}
	out := Grid{Group: gr, Subject: subject, Periods: periods}
	if len(periods) == 0 {
		return out, errs.Field(errs.Conflict, "period", "none", "the year of this class has no study periods")
	}
	if out.Period, err = PickPeriod(periods, periodID, g.S.Today()); err != nil {
		return out, err
	}
	if out.Scale, err = g.S.scaleAt(ctx, gr.dirVersion, gr.scale); err != nil {
		return out, err
	}
	if err := g.S.fillGrid(ctx, q, &out); err != nil {
		return out, err
	}
	if out.CanGrade, err = g.allowed(ctx, "grade", o); err != nil {
		return out, err
	}
	if out.CanAmend, err = g.allowed(ctx, "amend", o); err != nil {
		return out, err
	}
	// Closing is the period's, decided by the organisation alone.
	closing := access.Target{OrgIDs: []int64{gr.OrgID}, InScopeOf: o.t.InScopeOf}
	if out.CanClose, err = g.Policy.Allowed(ctx, identityOf(ctx), Resource, "close", closing); err != nil {
		return out, err
	}
	return out, g.auditRead(ctx, "journal_grid", gr.ID, gr.OrgID)
}

// fillGrid reads lessons, pupils, and cells with the period marks: three
// queries.
func (s *Service) fillGrid(ctx context.Context, q store.Querier, out *Grid) error {
	gr, p := out.Group, out.Period
	rows, err := q.QueryContext(ctx, "SELECT "+schedule.LessonColumns+` FROM lessons l
		WHERE l.group_id = $1 AND l.subject = $2 AND l.on_date >= $3 AND l.on_date <= $4 ORDER BY l.on_date, l.slot, l.id`,
		gr.ID, out.Subject, p.StartsOn, p.EndsOn)
	if err != nil {
		return err
	}
	out.Lessons = []schedule.Lesson{}
	col := map[int64]int{}
	for rows.Next() {
		l, err := schedule.ScanLesson(rows)
		if err != nil {
			_ = rows.Close() // the error returned below is the one to report
			return err
		}
		col[l.ID] = len(out.Lessons)
		out.Lessons = append(out.Lessons, l)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	type span struct{ from, to string }
	spans := map[int64][]span{}
	rowOf := map[int64]int{}
	rows, err = q.QueryContext(ctx, `SELECT m.person_id, p.last_name, p.first_name, p.middle_name, m.starts_on, COALESCE(m.ends_on, '9999-12-31')
		FROM group_members m JOIN persons p ON p.id = m.person_id
		WHERE m.group_id IN (SELECT id FROM groups WHERE id = $1 OR parent_id = $1)
		AND m.starts_on <= $3 AND (m.ends_on IS NULL OR m.ends_on > $2)
		ORDER BY p.last_name, p.first_name, p.middle_name, p.id`, gr.ID, p.StartsOn, p.EndsOn)
	if err != nil {
		return err
	}
	out.Rows = []GridRow{}
	for rows.Next() {
		var pu Pupil
		var sp span
		if err := rows.Scan(&pu.PersonID, &pu.LastName, &pu.FirstName, &pu.MiddleName, &sp.from, &sp.to); err != nil {
			_ = rows.Close() // the error returned below is the one to report
			return err
		}
		if _, ok := rowOf[pu.PersonID]; !ok {
			rowOf[pu.PersonID] = len(out.Rows)
			out.Rows = append(out.Rows, GridRow{Pupil: pu, Cells: make([]GridCell, len(out.Lessons))})
		}
		spans[pu.PersonID] = append(spans[pu.PersonID], sp)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for i := range out.Rows {
		r := &out.Rows[i]
		for j, l := range out.Lessons {
			for _, sp := range spans[r.PersonID] {
				r.Cells[j].Member = r.Cells[j].Member || (sp.from <= l.Date && l.Date < sp.to)
			}
		}
	}
	// The cells and the year's period, annual and final marks in one
	// query: the period marks first, so SQLite takes the declared types of
	// its columns (the time of updated_at) from their branch.
	rows, err = q.QueryContext(ctx, `SELECT 'p', id, period_id, person_id, value, score, kind, 0, scale, version, average, author, updated_at
		FROM period_marks WHERE group_id = $1 AND subject = $2 AND year_id = $5
		UNION ALL SELECT 'm', x.id, x.lesson_id, x.person_id, x.value, x.score, x.work_kind, x.weight, x.comment, x.version, NULL, NULL, NULL
		FROM marks x JOIN lessons l ON l.id = x.lesson_id
		WHERE l.group_id = $1 AND l.subject = $2 AND l.on_date >= $3 AND l.on_date <= $4
		UNION ALL SELECT 'a', a.id, a.lesson_id, a.person_id, a.status, NULL, a.reason, COALESCE(a.late_minutes, 0), '', a.version, NULL, NULL, NULL
		FROM attendance a JOIN lessons l ON l.id = a.lesson_id
		WHERE l.group_id = $1 AND l.subject = $2 AND l.on_date >= $3 AND l.on_date <= $4`, gr.ID, out.Subject, p.StartsOn, p.EndsOn, gr.YearID)
	if err != nil {
		return err
	}
	pms := map[int64][]*PeriodMark{}
	for rows.Next() {
		var kind, value, code, comment string
		var id, person, version int64
		var ref sql.NullInt64 // the lesson; a period mark's period, NULL for annual and final
		var score, avg sql.NullFloat64
		var n int
		var author sql.NullString
		var at sql.NullTime
		if err := rows.Scan(&kind, &id, &ref, &person, &value, &score, &code, &n, &comment, &version, &avg, &author, &at); err != nil {
			_ = rows.Close() // the error returned below is the one to report
			return err
		}
		if kind == "p" {
			pm := &PeriodMark{ID: id, GroupID: gr.ID, Subject: out.Subject, PersonID: person, Kind: code, YearID: gr.YearID,
				Scale: comment, Value: value, Author: author.String, Version: version, UpdatedAt: at.Time.UTC()}
			if ref.Valid {
				pm.PeriodID = &ref.Int64
			}
			if score.Valid {
				pm.Score = &score.Float64
			}
			if avg.Valid {
				pm.Average = &avg.Float64
			}
			pms[person] = append(pms[person], pm)
			continue
		}
		ri, ok := rowOf[person]
		if !ok {
			continue // a pupil who left before the period: not shown
		}
		lesson := ref.Int64
		c := &out.Rows[ri].Cells[col[lesson]]
		if kind == "m" {
			c.Mark = &Mark{ID: id, LessonID: lesson, PersonID: person, Value: value, Kind: code, Weight: n, Comment: comment, Version: version}
			if score.Valid {
				v := score.Float64
				c.Mark.Score = &v
			}
			continue
		}
		c.Attendance = &Attendance{ID: id, LessonID: lesson, PersonID: person, Status: value, Reason: code, Version: version}
		if value == Late {
			m := n
			c.Attendance.Minutes = &m
		}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for i := range out.Rows {
		r := &out.Rows[i]
		r.Average = weightedAverage(out.Lessons, r.Cells)
		for _, c := range r.Cells {
			if c.Attendance != nil && c.Attendance.Status == Absent {
				r.Absences++
			}
		}
		if r.Average != nil && out.Scale.Kind == Numeric {
			n := out.Scale.Round(*r.Average)
			r.Suggested = &n
		}
		var sum float64
		var cnt int
		for _, pm := range pms[r.PersonID] {
			switch {
			case pm.Kind == PeriodKind && pm.PeriodID != nil && *pm.PeriodID == out.Period.ID:
				r.PeriodMark = pm
			case pm.Kind == AnnualKind:
				r.Annual = pm
			case pm.Kind == FinalKind:
				r.Final = pm
			}
			if pm.Kind == PeriodKind && pm.Score != nil {
				sum += *pm.Score
				cnt++
			}
		}
		if cnt > 0 {
			avg := sum / float64(cnt)
			r.PeriodsAverage = &avg
		}
		if r.PeriodMark != nil {
			r.Warning = out.Scale.Warn(r.PeriodMark.Score, r.Average)
		}
	}
	return nil
}

// weightedAverage is the journal's average (WeightedAverage) of a row.
func weightedAverage(lessons []schedule.Lesson, cells []GridCell) *float64 {
	marks := make([]Scored, 0, len(cells))
	for j, c := range cells {
		if c.Mark != nil {
			marks = append(marks, Scored{Score: c.Mark.Score, Weight: c.Mark.Weight, Cancelled: lessons[j].Status == schedule.Cancelled})
		}
	}
	return WeightedAverage(marks)
}

// Subjects lists the subjects of a group's journal the actor may read:
// those assigned to the group (or its class or sub-groups) and those its
// lessons are in.
func (g *Guard) Subjects(ctx context.Context, groupID int64) ([]string, error) {
	q := g.S.DB.Read()
	gr, err := g.loadGroup(ctx, groupID, []string{"read"}, "", nil)
	if err != nil {
		return nil, hidden(ctx, err)
	}
	rows, err := q.QueryContext(ctx, `SELECT subject FROM assignments WHERE ends_on IS NULL AND (group_id = $1
		OR group_id IN (SELECT id FROM groups WHERE parent_id = $1) OR group_id = (SELECT parent_id FROM groups WHERE id = $1))
		UNION SELECT DISTINCT subject FROM lessons WHERE group_id = $1`, gr.ID)
	if err != nil {
		return nil, err
	}
	var all []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			_ = rows.Close() // the error returned below is the one to report
			return nil, err
		}
		all = append(all, s)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	sort.Strings(all)
	out := []string{}
	for _, s := range all {
		ok, err := g.allowed(ctx, "read", gr.object(s))
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		// Nothing readable: answer as for a journal the actor may not see.
		if err := g.check(ctx, "read", gr.object("")); err != nil {
			return nil, err
		}
	}
	return out, nil
}
