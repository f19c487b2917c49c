package journal

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"shkola/internal/directory"
	"shkola/internal/errs"
	"shkola/internal/store"
)

// codes are the active work kinds (with their weights) and absence
// reasons, read in one query per batch.
type codes struct {
	weights map[string]int
	reasons map[string]bool
}

func loadCodes(ctx context.Context, q store.Querier) (codes, error) {
	c := codes{weights: map[string]int{}, reasons: map[string]bool{}}
	rows, err := q.QueryContext(ctx, `SELECT directory, code, attrs FROM ref_entries
		WHERE directory IN ('work_kind', 'absence_reason') AND active = $1`, true)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var dir, code, attrs string
		if err := rows.Scan(&dir, &code, &attrs); err != nil {
			return c, err
		}
		if dir == "absence_reason" {
			c.reasons[code] = true
			continue
		}
		var a struct{ Weight int }
		if err := json.Unmarshal([]byte(attrs), &a); err != nil || a.Weight < 1 {
			a.Weight = 1
		}
		c.weights[code] = a.Weight
	}
	return c, rows.Err()
}

// codesIn reads the codes from a snapshot of the directories as loadCodes
// reads them from the database.
func codesIn(snap *directory.Snapshot) codes {
	c := codes{weights: map[string]int{}, reasons: map[string]bool{}}
	for _, e := range snap.Active(directory.AbsenceReason) {
		c.reasons[e.Code] = true
	}
	for _, e := range snap.Active(directory.WorkKind) {
		w, _ := e.Attrs["weight"].(int64)
		if w < 1 || w > math.MaxInt32 {
			w = 1 // as loadCodes, which takes a weight it cannot read as 1
		}
		c.weights[e.Code] = int(w)
	}
	return c
}

// cellPlan is a valid cell, normalised, before it meets the stored row.
type cellPlan struct {
	idx     int
	person  int64
	hasMark bool
	mark    *Mark // nil: clear the mark
	hasAtt  bool
	att     *Attendance // nil: present
	errs    []CellErr
	result  CellResult
	markOld *Mark
	attOld  *Attendance
	markOp  string
	attOp   string
}

func (p *cellPlan) fail(field, rule, msg string) {
	p.errs = append(p.errs, CellErr{Field: field, Rule: rule, Message: msg})
}

// checkBatch validates what applies to the whole request.
func checkBatch(b *Batch) error {
	var v errs.Validation
	if b.Mode == "" {
		b.Mode = PerCell
	}
	if b.Mode != PerCell && b.Mode != AllOrNothing {
		v.Add("mode", "enum", "mode is per_cell or all_or_nothing")
	}
	switch {
	case len(b.Cells) == 0:
		v.Add("cells", "required", "send at least one cell")
	case len(b.Cells) > MaxCells:
		v.Add("cells", "length", fmt.Sprintf("at most %d cells in one request", MaxCells))
	}
	b.Reason = strings.TrimSpace(b.Reason)
	if utf8.RuneCountInString(b.Reason) > MaxReason {
		v.Add("reason", "length", fmt.Sprintf("at most %d characters", MaxReason))
	}
	return v.Err()
}

// plan validates each cell on its own: the scale, the codes, the fields;
// membership and the lesson's state are added by the caller.
func plan(b Batch, li lessonInfo, sc Scale, c codes) []*cellPlan {
	out := make([]*cellPlan, len(b.Cells))
	seen := map[int64]bool{}
	for i, in := range b.Cells {
		p := &cellPlan{idx: i, person: in.PersonID}
		out[i] = p
		switch {
		case in.PersonID <= 0:
			p.fail("person_id", "required", "the pupil is required")
		case seen[in.PersonID]:
			p.fail("person_id", "duplicate", "the pupil appears twice in the request")
		}
		seen[in.PersonID] = true
		if in.Mark == nil && in.Attendance == nil {
			p.fail("mark", "required", "send a mark, attendance or both")
		}
		if m := in.Mark; m != nil {
			p.hasMark = true
			if strings.TrimSpace(m.Value) != "" {
				p.mark = planMark(p, *m, li, sc, c)
			}
		}
		if a := in.Attendance; a != nil {
			p.hasAtt = true
			p.att = planAttendance(p, *a, c)
		}
	}
	return out
}

func planMark(p *cellPlan, in MarkInput, li lessonInfo, sc Scale, c codes) *Mark {
	value, score, err := sc.Parse(in.Value)
	if err != nil {
		p.fail("mark.value", "scale", err.Error())
	}
	kind := strings.TrimSpace(in.Kind)
	if kind == "" {
		kind = "oral"
		if li.ControlWork {
			kind = "control"
		}
	}
	weight, ok := c.weights[kind]
	if !ok {
		p.fail("mark.kind", "unknown", "there is no work kind "+kind)
	}
	comment := strings.TrimSpace(in.Comment)
	if utf8.RuneCountInString(comment) > MaxComment {
		p.fail("mark.comment", "length", fmt.Sprintf("at most %d characters", MaxComment))
	}
	return &Mark{LessonID: li.ID, PersonID: p.person, Scale: sc.Code, Value: value, Score: score, Kind: kind, Weight: weight, Comment: comment}
}

func planAttendance(p *cellPlan, in AttendanceInput, c codes) *Attendance {
	a := &Attendance{PersonID: p.person, Status: in.Status}
	switch in.Status {
	case Present:
		if in.Reason != "" || in.Minutes != 0 {
			p.fail("attendance.status", "present", "a pupil who was present has no reason or minutes late")
		}
		return nil
	case Absent:
		if in.Reason != "" && !c.reasons[in.Reason] {
			p.fail("attendance.reason", "unknown", "there is no absence reason "+in.Reason)
		}
		if in.Minutes != 0 {
			p.fail("attendance.minutes", "absent", "an absent pupil has no minutes late")
		}
		a.Reason = in.Reason
	case Late:
		if in.Minutes < 1 || in.Minutes > MaxLateMinute {
			p.fail("attendance.minutes", "range", fmt.Sprintf("minutes late are from 1 to %d", MaxLateMinute))
		}
		if in.Reason != "" {
			p.fail("attendance.reason", "late", "lateness has no absence reason")
		}
		m := in.Minutes
		a.Minutes = &m
	default:
		p.fail("attendance.status", "enum", "attendance is present, absent or late")
	}
	return a
}

// members returns which of persons were members of the lesson's group (or
// of one of its sub-groups) on the lesson's day: one query for the batch.
func members(ctx context.Context, q store.Querier, li lessonInfo, persons []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(persons) == 0 {
		return out, nil
	}
	var args store.Args
	g, d := args.Add(li.GroupID), args.Add(li.Date)
	ph := make([]string, len(persons))
	for i, p := range persons {
		ph[i] = args.Add(p)
	}
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT person_id FROM group_members WHERE person_id IN (`+strings.Join(ph, ", ")+`)
		AND starts_on <= `+d+` AND (ends_on IS NULL OR ends_on > `+d+`)
		AND (group_id = `+g+` OR group_id IN (SELECT id FROM groups WHERE parent_id = `+g+`))`, args.Values...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p int64
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out[p] = true
	}
	return out, rows.Err()
}
