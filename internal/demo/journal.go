package demo

import (
	"context"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"shkola/internal/journal"
	"shkola/internal/store"
)

// journalCloseBefore: the demo's study periods that end before it are
// closed, with period marks set (the first quarter of the demo year);
// the rest stay open for teachers to try the journal.
const journalCloseBefore = "2026-11-01"

// journalBatch is how many rows of a table are collected before they are
// written (one COPY on PostgreSQL; on SQLite, INSERTs of as many rows as
// the parameter limit allows).
const journalBatch = 30000

// genJournal fills the journal of every lesson the demo has: attendance
// with more absences in winter and illnesses that last a few days, marks
// that follow each pupil's ability and each subject's difficulty (a few
// marks per lesson, a control work for everyone at the last lesson of a
// subject before a period ends), and, for the periods already closed, the
// period marks a teacher would set from the weighted average. Rows go in
// multi-row INSERTs; the demo records no change log or history for them.
func genJournal(ctx context.Context, g *Gen, tx *store.Tx) error {
	groups, err := ids(ctx, tx, "SELECT DISTINCT group_id FROM lessons ORDER BY group_id")
	if err != nil {
		return err
	}
	// Only what has happened by the demo's today has marks and absences.
	return fillGroups(ctx, g, tx, groups, Today())
}

// fillGroups fills the lessons of groups held on or before until.
func fillGroups(ctx context.Context, g *Gen, tx *store.Tx, groups []int64, until string) error {
	if len(groups) == 0 {
		return nil
	}
	jg := &journalGen{g: g, tx: tx, ability: map[int64]float64{}, frailty: map[int64]float64{}, sickUntil: map[int64]string{},
		now: Epoch(), until: until}
	jg.marks = newRowBuffer("marks", "org_id", "lesson_id", "person_id", "scale", "value", "score", "work_kind", "weight", "comment", "author",
		"version", "created_at", "updated_at")
	jg.att = newRowBuffer("attendance", "org_id", "lesson_id", "person_id", "status", "reason", "late_minutes", "author", "version",
		"created_at", "updated_at")
	jg.pms = newRowBuffer("period_marks", "org_id", "group_id", "subject", "person_id", "kind", "year_id", "period_id", "scale", "value", "score",
		"average", "author", "version", "created_at", "updated_at")
	for _, group := range groups {
		if err := jg.group(ctx, group); err != nil {
			return err
		}
	}
	for _, b := range []*rowBuffer{jg.marks, jg.att, jg.pms} {
		if err := b.flush(ctx, tx); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE study_periods SET closed_at = $1, closed_by = 'demo', version = version + 1
		WHERE ends_on < $2 AND closed_at IS NULL AND year_id IN (SELECT DISTINCT g.year_id FROM groups g JOIN lessons l ON l.group_id = g.id)`,
		Epoch(), journalCloseBefore); err != nil {
		return err
	}
	g.Sum.Counts["marks"] += jg.marks.total
	g.Sum.Counts["absences and lateness"] += jg.att.total
	g.Sum.Counts["period marks"] += jg.pms.total
	return nil
}

type journalGen struct {
	g     *Gen
	tx    *store.Tx
	now   time.Time
	until string // the last day whose lessons are filled
	// ability is each pupil's standing (about -1.5..1.5), frailty how
	// often they fall ill; sickUntil the last day of a current illness.
	ability, frailty map[int64]float64
	sickUntil        map[int64]string
	marks, att, pms  *rowBuffer
}

type demoLesson struct {
	id, org          int64
	subject, date    string
	control          bool
	cancelled        bool
	periodEnd        string
	lastBeforeEnd    bool
	periodID, yearID int64
}

type demoSpan struct {
	person   int64
	from, to string
}

// group writes the journal of one class or sub-group, all its subjects.
func (jg *journalGen) group(ctx context.Context, group int64) error {
	tx := jg.tx
	var org, year int64
	var country string
	if err := tx.QueryRowContext(ctx, `SELECT g.org_id, g.year_id, o.country FROM groups g JOIN organisations o ON o.id = g.org_id
		WHERE g.id = $1`, group).Scan(&org, &year, &country); err != nil {
		return err
	}
	sc, _ := journal.BuiltinScale(journal.DefaultScale(country))
	periods, err := tx.QueryContext(ctx, "SELECT id, starts_on, ends_on FROM study_periods WHERE year_id = $1 ORDER BY seq", year)
	if err != nil {
		return err
	}
	type period struct {
		id       int64
		from, to string
	}
	var ps []period
	for periods.Next() {
		var p period
		if err := periods.Scan(&p.id, &p.from, &p.to); err != nil {
			_ = periods.Close() // the error returned below is the one to report
			return err
		}
		ps = append(ps, p)
	}
	if err := periods.Close(); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, subject, on_date, control_work, status FROM lessons WHERE group_id = $1
		AND on_date <= $2 ORDER BY on_date, slot, id`, group, jg.until)
	if err != nil {
		return err
	}
	var lessons []demoLesson
	for rows.Next() {
		l := demoLesson{org: org, yearID: year}
		var status string
		if err := rows.Scan(&l.id, &l.subject, &l.date, &l.control, &status); err != nil {
			_ = rows.Close() // the error returned below is the one to report
			return err
		}
		l.cancelled = status == "cancelled"
		for _, p := range ps {
			if p.from <= l.date && l.date <= p.to {
				l.periodID, l.periodEnd = p.id, p.to
			}
		}
		lessons = append(lessons, l)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	// A control work at the last lesson of each subject in the last week
	// of a period.
	last := map[string]int{}
	for i, l := range lessons {
		if l.periodID != 0 && weekBefore(l.date, l.periodEnd) {
			last[l.subject+"|"+strconv.FormatInt(l.periodID, 10)] = i
		}
	}
	for _, i := range last {
		lessons[i].lastBeforeEnd = true
	}
	spans, err := jg.members(ctx, group)
	if err != nil {
		return err
	}
	// Weighted sums per pupil, subject and period, for the period marks.
	type acc struct{ sum, weight float64 }
	sums := map[string]*acc{}
	now := jg.now
	for _, l := range lessons {
		if l.cancelled {
			continue
		}
		winter := isWinter(l.date)
		control := l.control || l.lastBeforeEnd
		for _, sp := range spans {
			if sp.from > l.date || l.date >= sp.to {
				continue
			}
			p := sp.person
			ab, fr := jg.pupil(p)
			// Attendance: illnesses last 2-6 school days, more in winter.
			if until, ok := jg.sickUntil[p]; ok && l.date <= until {
				jg.att.add(org, l.id, p, journal.Absent, "illness", nil, "demo", 1, now, now)
				continue
			}
			r := jg.g.R.Float64()
			pIll := 0.004 * fr
			if winter {
				pIll *= 2.5
			}
			switch {
			case r < pIll:
				jg.sickUntil[p] = addDays(l.date, 2+jg.g.R.IntN(5))
				jg.att.add(org, l.id, p, journal.Absent, "illness", nil, "demo", 1, now, now)
				continue
			case r < pIll+0.012:
				reason := "excused"
				if jg.g.R.IntN(3) == 0 {
					reason = "unexcused"
				}
				jg.att.add(org, l.id, p, journal.Absent, reason, nil, "demo", 1, now, now)
				continue
			case r < pIll+0.027:
				m := 2 + jg.g.R.IntN(14)
				jg.att.add(org, l.id, p, journal.Late, "", &m, "demo", 1, now, now)
			}
			// Marks: everyone at a control work, a few pupils otherwise.
			kind := "oral"
			switch {
			case control:
				kind = "control"
			case jg.g.R.Float64() < 0.2:
				switch jg.g.R.IntN(4) {
				case 0:
					kind = "homework"
				case 1:
					kind = "test"
				}
			default:
				continue
			}
			value, score := jg.mark(sc, ab, l.subject, kind)
			w := workWeight(kind)
			jg.marks.add(org, l.id, p, sc.Code, value, score, kind, w, "", "demo", 1, now, now)
			if score != nil && l.periodID != 0 {
				k := strconv.FormatInt(p, 10) + "|" + l.subject + "|" + strconv.FormatInt(l.periodID, 10)
				a := sums[k]
				if a == nil {
					a = &acc{}
					sums[k] = a
				}
				a.sum += *score * float64(w)
				a.weight += float64(w)
			}
		}
		if err := jg.flushFull(ctx); err != nil {
			return err
		}
	}
	// Period marks of the closed periods, in a stable order.
	keys := make([]string, 0, len(sums))
	for k := range sums {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		parts := strings.Split(k, "|")
		person, _ := strconv.ParseInt(parts[0], 10, 64)
		periodID, _ := strconv.ParseInt(parts[2], 10, 64)
		var end string
		for _, p := range ps {
			if p.id == periodID {
				end = p.to
			}
		}
		if end >= journalCloseBefore || sc.Kind != journal.Numeric {
			continue
		}
		a := sums[k]
		avg := a.sum / a.weight
		n := sc.Round(avg)
		if jg.g.R.IntN(10) == 0 { // a teacher's judgement now and then
			n = min(sc.Max, max(sc.Min, n+[]int{-1, 1}[jg.g.R.IntN(2)]))
		}
		score := float64(n)
		jg.pms.add(org, group, parts[1], person, journal.PeriodKind, year, periodID, sc.Code, strconv.Itoa(n), score, avg, "demo", 1, now, now)
	}
	return jg.flushFull(ctx)
}

func (jg *journalGen) flushFull(ctx context.Context) error {
	for _, b := range []*rowBuffer{jg.marks, jg.att, jg.pms} {
		if b.n >= journalBatch {
			if err := b.flush(ctx, jg.tx); err != nil {
				return err
			}
		}
	}
	return nil
}

// members lists who was in the group (or one of its sub-groups) when.
func (jg *journalGen) members(ctx context.Context, group int64) ([]demoSpan, error) {
	// Two index lookups: "group_id = $1 OR group_id IN (…)" made
	// PostgreSQL scan every membership of the region for each group.
	rows, err := jg.tx.QueryContext(ctx, `SELECT person_id, starts_on, COALESCE(ends_on, '9999-12-31') FROM group_members WHERE group_id = $1
		UNION ALL SELECT m.person_id, m.starts_on, COALESCE(m.ends_on, '9999-12-31') FROM group_members m JOIN groups g ON g.id = m.group_id
		WHERE g.parent_id = $1 ORDER BY 1, 2`, group)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []demoSpan
	for rows.Next() {
		var s demoSpan
		if err := rows.Scan(&s.person, &s.from, &s.to); err != nil {
			return nil, err
		}
		if n := len(out); n > 0 && out[n-1].person == s.person && out[n-1].to >= s.from {
			out[n-1].to = max(out[n-1].to, s.to) // a sub-group membership inside the class's
			continue
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// pupil returns a pupil's ability and frailty, drawn the first time the
// pupil is met.
func (jg *journalGen) pupil(p int64) (float64, float64) {
	if a, ok := jg.ability[p]; ok {
		return a, jg.frailty[p]
	}
	a := math.Max(-1.8, math.Min(1.8, jg.g.R.NormFloat64()*0.7))
	f := 0.3 + jg.g.R.ExpFloat64()
	jg.ability[p], jg.frailty[p] = a, f
	return a, f
}

// subjectEase shifts marks by subject: physical education and the arts
// are marked kindly, mathematics, physics and chemistry strictly.
func subjectEase(subject string) float64 {
	switch subject {
	case "pe", "music", "art", "tech", "world", "odnknr":
		return 0.5
	case "alg", "geom", "phys", "chem", "math", "prob":
		return -0.3
	case "rus", "ukr", "eng", "deu", "fra":
		return -0.15
	}
	return 0
}

// mark draws a mark on the scale for a pupil of ability in subject; a
// control work spreads wider and lower than an oral answer.
func (jg *journalGen) mark(sc journal.Scale, ability float64, subject, kind string) (string, *float64) {
	x := 0.62 + 0.16*ability + 0.06*subjectEase(subject) + jg.g.R.NormFloat64()*0.11
	if kind == "control" {
		x += -0.04 + jg.g.R.NormFloat64()*0.05
	}
	x = math.Max(0, math.Min(1, x))
	if sc.Kind == journal.PassFail {
		if x >= 0.4 {
			return journal.Pass, nil
		}
		return journal.Fail, nil
	}
	span := float64(sc.Max - sc.Min)
	v := float64(sc.Min) + x*span
	n := int(math.Round(v))
	value := strconv.Itoa(n)
	if sc.Modifiers && jg.g.R.IntN(8) == 0 {
		if v > float64(n) && n < sc.Max {
			value += "+"
		} else if n > sc.Min {
			value += "-"
		}
	}
	_, score, err := sc.Parse(value)
	if err != nil {
		s := float64(n)
		return strconv.Itoa(n), &s
	}
	return value, score
}

// workWeight is the seeded weight of a work kind.
func workWeight(kind string) int {
	switch kind {
	case "control":
		return 3
	case "test":
		return 2
	}
	return 1
}

func isWinter(date string) bool {
	m := date[5:7]
	return m == "12" || m == "01" || m == "02"
}

func addDays(date string, n int) string {
	t, err := time.Parse("2006-01-02", date)
	if err != nil {
		return date
	}
	return t.AddDate(0, 0, n).Format("2006-01-02")
}

// weekBefore reports whether date lies in the last seven days up to end.
func weekBefore(date, end string) bool { return date <= end && addDays(date, 7) > end }

// rowBuffer collects rows of one table for store.CopyRows: COPY on
// PostgreSQL, multi-row INSERTs with bare "?" on SQLite.
type rowBuffer struct {
	table string
	cols  []string
	n     int
	total int
	args  []any
}

func newRowBuffer(table string, cols ...string) *rowBuffer {
	return &rowBuffer{table: table, cols: cols}
}

func (b *rowBuffer) add(vals ...any) {
	b.args = append(b.args, vals...)
	b.n++
	b.total++
}

func (b *rowBuffer) flush(ctx context.Context, tx *store.Tx) error {
	if b.n == 0 {
		return nil
	}
	w := len(b.cols)
	err := store.CopyRows(ctx, tx, b.table, b.cols, b.n, func(i int, row []any) error {
		copy(row, b.args[i*w:(i+1)*w])
		return nil
	})
	b.n, b.args = 0, b.args[:0]
	return err
}

// FillJournal fills, in one transaction, every lesson of groups whatever
// its date: for groups made after Generate with lessons of their own
// (tests, the benchmarks' own class). A group whose lessons already hold
// marks must not be filled again.
func FillJournal(ctx context.Context, db *store.DB, seed int64, groups ...int64) (Summary, error) {
	start := time.Now()
	sum := Summary{Counts: map[string]int{}}
	g := &Gen{R: rand.New(rand.NewPCG(uint64(seed), 0x4a4f55524e414c)), Sum: &sum} // #nosec G115 G404 -- the demo journal is deterministic on purpose (same seed, same marks); the seed's bits are reused as they are
	err := db.WithTx(ctx, func(tx *store.Tx) error {
		return fillGroups(ctx, g, tx, groups, "9999-12-31")
	})
	sum.Took = time.Since(start)
	return sum, err
}
