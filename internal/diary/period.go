package diary

import (
	"context"
	"sort"
	"strconv"
	"time"

	"shkola/internal/access"
	"shkola/internal/calendar"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/journal"
	"shkola/internal/store"
)

// PeriodView is a pupil's study period: per subject the marks with the
// journal's weighted average, its trend and the class median, the period,
// annual and final marks; attendance; and the few things a parent should
// look at (analytics).
type PeriodView struct {
	Pupil      Pupil        `json:"pupil"`
	Children   []Child      `json:"children,omitempty"`
	Period     PeriodRef    `json:"period"`
	Periods    []PeriodRef  `json:"periods"`
	Subjects   []SubjectRow `json:"subjects"`
	Attendance Attendance   `json:"attendance"`
	Trend      TrendRule    `json:"trend_rule"`
	Analytics  Analytics    `json:"analytics"`
	// MinClass is the number of classmates with an average a median needs
	// before it is shown (fewer would let a parent work out another
	// child's marks).
	MinClass int `json:"min_class"`
}

// PeriodRef is a study period.
type PeriodRef = journal.PeriodRef

// SubjectRow is one subject of the period.
type SubjectRow struct {
	Subject     string       `json:"subject"`
	SubjectName string       `json:"subject_name"`
	Marks       []PeriodMark `json:"marks"`
	// Average is the journal's weighted average of the period's marks.
	Average *float64 `json:"average,omitempty"`
	Trend   Trend    `json:"trend"`
	// ClassMedian is the median of the classmates' averages in the subject
	// (the pupil included), computed in the database: no other pupil's
	// average leaves it. Absent when fewer than MinClass have one.
	ClassMedian *float64 `json:"class_median,omitempty"`
	ClassPupils int      `json:"class_pupils,omitempty"`
	// Compared is the average against the median: above, below, level.
	Compared   string `json:"compared,omitempty"`
	PeriodMark string `json:"period_mark,omitempty"`
	Annual     string `json:"annual,omitempty"`
	Final      string `json:"final,omitempty"`
	Lessons    int    `json:"lessons"` // held so far in the period
	Absent     int    `json:"absent"`
	Unexcused  int    `json:"unexcused"`
	Late       int    `json:"late"`
}

// PeriodMark is one mark of the period.
type PeriodMark struct {
	LessonID int64    `json:"lesson_id"`
	Date     string   `json:"date"`
	Value    string   `json:"value"`
	Score    *float64 `json:"score,omitempty"`
	Kind     string   `json:"kind"`
	KindName string   `json:"kind_name"`
	Weight   int      `json:"weight"`
}

// Trend compares the average of the last weeks with the weeks before.
type Trend struct {
	Recent    *float64 `json:"recent,omitempty"`
	Before    *float64 `json:"before,omitempty"`
	Direction string   `json:"direction"` // up, down, flat; "" with too few marks
}

// TrendRule states how trends are judged, for the page to say it.
type TrendRule struct {
	Weeks     int     `json:"weeks"`     // each window is this many weeks
	Until     string  `json:"until"`     // the last day of the recent window
	Threshold float64 `json:"threshold"` // a change smaller than this is flat
}

// Attendance sums up the pupil's absences in the period.
type Attendance struct {
	Lessons   int `json:"lessons"`
	Absent    int `json:"absent"`
	Illness   int `json:"illness"`
	Excused   int `json:"excused"`
	Unexcused int `json:"unexcused"` // absent without a reason, or with "unexcused"
	Late      int `json:"late"`
}

// Analytics are what a parent should look at.
type Analytics struct {
	Below     []SubjectRef `json:"below_median"`
	Down      []SubjectRef `json:"trending_down"`
	Unexcused int          `json:"unexcused_absences"`
}

// SubjectRef names a subject.
type SubjectRef struct {
	Subject string `json:"subject"`
	Name    string `json:"name"`
}

// Rules of the analytics.
const (
	trendWeeks = 3 // the last three weeks against the three before
	// MinClassForMedian: a median of fewer averages is not shown.
	MinClassForMedian = 5
)

// Threshold is the smallest change of an average that counts as one (a
// trend, or a distance from the median): a twentieth of the scale's range
// (0.15 on 2-5, 0.55 on 1-12, 5 on 0-100).
func Threshold(sc journal.Scale) float64 {
	if sc.Kind != journal.Numeric || sc.Max <= sc.Min {
		return 0
	}
	return float64(sc.Max-sc.Min) / 20
}

// Period returns the study period periodID (0: the period of today, else
// the latest that has started, else the first) of the pupil's class.
func (g *Guard) Period(ctx context.Context, pupil, periodID int64, lang string) (PeriodView, error) {
	a := identity.From(ctx)
	q := g.S.DB.Read()
	today := g.S.Today()
	args := store.Args{}
	D := args.Add(today)
	rows, err := q.QueryContext(ctx, g.headSQL(a, &args, args.Add(pupil), D, D, ""), args.Values...)
	if err != nil {
		return PeriodView{}, err
	}
	h := head{known: map[access.Relationship]bool{}, born: map[int64]string{}}
	for rows.Next() {
		var r row
		if err := r.scan(rows); err != nil {
			_ = rows.Close() // the error returned below is the one to report
			return PeriodView{}, err
		}
		h.take(&r)
	}
	if err := rows.Close(); err != nil {
		return PeriodView{}, err
	}
	if !h.found {
		return PeriodView{}, hidden(ctx, errs.E(errs.NotFound, "not found"))
	}
	if err := g.decide(ctx, h.pupil, h.known, "diary period"); err != nil {
		return PeriodView{}, err
	}
	h.sortChildren()
	out := PeriodView{Pupil: h.pupil, Children: h.children, Subjects: []SubjectRow{}, MinClass: MinClassForMedian,
		Analytics: Analytics{Below: []SubjectRef{}, Down: []SubjectRef{}}}
	if h.pupil.ClassID == 0 {
		return out, errs.Field(errs.Conflict, "period", "no_class", "the pupil is in no class now")
	}
	var year int64
	if err := q.QueryRowContext(ctx, "SELECT year_id FROM groups WHERE id = $1", h.pupil.ClassID).Scan(&year); err != nil {
		return out, err
	}
	ps, err := calendar.Periods(ctx, q, year)
	if err != nil {
		return out, err
	}
	if len(ps) == 0 {
		return out, errs.Field(errs.Conflict, "period", "none", "the year of this class has no study periods")
	}
	for _, p := range ps {
		out.Periods = append(out.Periods, PeriodRef{ID: p.ID, Name: p.Name, StartsOn: p.StartsOn, EndsOn: p.EndsOn, Closed: p.ClosedAt != nil})
	}
	if out.Period, err = journal.PickPeriod(out.Periods, periodID, today); err != nil {
		return out, err
	}
	return out, g.S.fillPeriod(ctx, q, &out, year, lang)
}

// fillPeriod reads the period's marks, lessons, absences, period marks,
// the class medians and the names in one query and lays them out.
func (s *Service) fillPeriod(ctx context.Context, q store.Querier, out *PeriodView, year int64, lang string) error {
	p := out.Period
	until := min(s.Today(), p.EndsOn)
	end, err := time.Parse(dateLayout, until)
	if err != nil {
		return err
	}
	lo := min(p.StartsOn, end.AddDate(0, 0, -7*2*trendWeeks+1).Format(dateLayout))
	split := end.AddDate(0, 0, -7*trendWeeks).Format(dateLayout) // the recent window is after it
	args := store.Args{}
	P, C, F, T, L, U := args.Add(out.Pupil.ID), args.Add(out.Pupil.ClassID), args.Add(p.StartsOn), args.Add(p.EndsOn), args.Add(lo), args.Add(until)
	Y, K := args.Add(year), args.Add(MinClassForMedian)
	mine := `SELECT 1 FROM group_members m WHERE m.person_id = ` + P + ` AND m.group_id = l.group_id
		AND m.starts_on <= l.on_date AND (m.ends_on IS NULL OR m.ends_on > l.on_date)`
	query := `WITH cls AS (SELECT id FROM groups WHERE id = ` + C + ` OR parent_id = ` + C + `),
	mates AS (SELECT DISTINCT person_id FROM group_members WHERE group_id IN (SELECT id FROM cls)
		AND starts_on <= ` + T + ` AND (ends_on IS NULL OR ends_on > ` + F + `)),
	avgs AS (SELECT l.subject, x.person_id, ` + journal.AverageSQL + ` AS avg FROM marks x JOIN lessons l ON l.id = x.lesson_id
		WHERE l.group_id IN (SELECT id FROM cls) AND l.on_date >= ` + F + ` AND l.on_date <= ` + T + ` AND ` + journal.AveragedSQL + `
		AND x.person_id IN (SELECT person_id FROM mates) GROUP BY l.subject, x.person_id),
	ranked AS (SELECT subject, avg, ROW_NUMBER() OVER (PARTITION BY subject ORDER BY avg) AS rn, COUNT(*) OVER (PARTITION BY subject) AS n FROM avgs),
	med AS (SELECT subject, AVG(avg) AS median, MAX(n) AS n FROM ranked WHERE rn = (n + 1) / 2 OR rn = (n + 2) / 2 GROUP BY subject)
	SELECT 'md', 0, CAST(NULL AS BIGINT), NULL, n, median, subject, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM med WHERE n >= ` + K + `
	UNION ALL SELECT 'm', l.id, NULL, l.on_date, x.weight, x.score, l.subject, l.status, x.value, x.work_kind, x.scale, NULL, NULL, NULL
		FROM marks x JOIN lessons l ON l.id = x.lesson_id WHERE x.person_id = ` + P + ` AND l.on_date >= ` + L + ` AND l.on_date <= ` + T + `
	UNION ALL SELECT 'a', l.id, NULL, l.on_date, COALESCE(a.late_minutes, 0), NULL, l.subject, a.status, a.reason, NULL, NULL, NULL, NULL, NULL
		FROM attendance a JOIN lessons l ON l.id = a.lesson_id WHERE a.person_id = ` + P + ` AND l.on_date >= ` + F + ` AND l.on_date <= ` + T + `
	UNION ALL SELECT 'l', 0, NULL, NULL, SUM(CASE WHEN l.on_date <= ` + U + ` AND l.status <> 'cancelled' THEN 1 ELSE 0 END), NULL, l.subject,
		NULL, NULL, NULL, NULL, NULL, NULL, NULL
		FROM lessons l WHERE l.group_id IN (SELECT group_id FROM group_members WHERE person_id = ` + P + ` AND starts_on <= ` + T + `
			AND (ends_on IS NULL OR ends_on > ` + F + `)) AND l.on_date >= ` + F + ` AND l.on_date <= ` + T + ` AND EXISTS (` + mine + `)
		GROUP BY l.subject
	UNION ALL SELECT 'pm', 0, period_id, NULL, 0, score, subject, kind, value, NULL, NULL, NULL, NULL, NULL
		FROM period_marks WHERE person_id = ` + P + ` AND year_id = ` + Y + `
	UNION ALL SELECT 'n', 0, NULL, NULL, 0, NULL, directory, code, ` + nameColumn(lang) + `, NULL, NULL, NULL, NULL, NULL
		FROM ref_entries WHERE directory IN ('subject', 'work_kind')`
	// PostgreSQL types a UNION's columns pair by pair from the left: the
	// first branch names its types where it has no value (CAST).
	rows, err := q.QueryContext(ctx, query, args.Values...)
	if err != nil {
		return err
	}
	defer rows.Close()
	subjects := map[string]*SubjectRow{}
	subject := func(code string) *SubjectRow {
		r, ok := subjects[code]
		if !ok {
			r = &SubjectRow{Subject: code, Marks: []PeriodMark{}}
			subjects[code] = r
		}
		return r
	}
	type scored struct {
		date string
		m    journal.Scored
	}
	all := map[string][]scored{}
	scales := map[string]int{}
	names := map[string]map[string]string{"subject": {}, "work_kind": {}}
	for rows.Next() {
		var r row
		if err := r.scan(rows); err != nil {
			return err
		}
		str := func(i int) string { return r.s[i].String }
		switch r.t {
		case "md":
			sr := subject(str(0))
			v := r.x.Float64
			sr.ClassMedian, sr.ClassPupils = &v, int(r.n.Int64)
		case "m":
			m := journal.Scored{Weight: int(r.n.Int64), Cancelled: str(1) == "cancelled"}
			if r.x.Valid {
				v := r.x.Float64
				m.Score = &v
			}
			all[str(0)] = append(all[str(0)], scored{r.d.String, m})
			scales[str(4)]++
			if r.d.String >= p.StartsOn && !m.Cancelled {
				sr := subject(str(0))
				sr.Marks = append(sr.Marks, PeriodMark{LessonID: r.id.Int64, Date: r.d.String, Value: str(2), Score: m.Score, Kind: str(3), Weight: m.Weight})
			}
		case "a":
			sr := subject(str(0))
			switch str(1) {
			case journal.Absent:
				sr.Absent++
				out.Attendance.Absent++
				switch str(2) {
				case "illness":
					out.Attendance.Illness++
				case "excused":
					out.Attendance.Excused++
				default:
					sr.Unexcused++
					out.Attendance.Unexcused++
				}
			case journal.Late:
				sr.Late++
				out.Attendance.Late++
			}
		case "l":
			sr := subject(str(0))
			sr.Lessons = int(r.n.Int64)
			out.Attendance.Lessons += sr.Lessons
		case "pm":
			sr := subject(str(0))
			switch str(1) {
			case journal.PeriodKind:
				if r.ref.Int64 == p.ID {
					sr.PeriodMark = str(2)
				}
			case journal.AnnualKind:
				sr.Annual = str(2)
			case journal.FinalKind:
				sr.Final = str(2)
			}
		case "n":
			if names[str(0)] != nil {
				names[str(0)][str(1)] = str(2)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	sc := scaleOf(scales)
	out.Trend = TrendRule{Weeks: trendWeeks, Until: until, Threshold: Threshold(sc)}
	nameOf := func(dir, code string) string {
		if n := names[dir][code]; n != "" {
			return n
		}
		return code
	}
	for code, sr := range subjects {
		sr.SubjectName = nameOf("subject", code)
		var period, recent, before []journal.Scored
		for _, x := range all[code] {
			switch {
			case x.date > until || x.date > p.EndsOn:
			case x.date > split:
				recent = append(recent, x.m)
			default:
				before = append(before, x.m)
			}
			if x.date >= p.StartsOn && x.date <= p.EndsOn {
				period = append(period, x.m)
			}
		}
		for i := range sr.Marks {
			sr.Marks[i].KindName = nameOf("work_kind", sr.Marks[i].Kind)
		}
		sort.Slice(sr.Marks, func(i, j int) bool { return sr.Marks[i].Date < sr.Marks[j].Date })
		sr.Average = journal.WeightedAverage(period)
		sr.Trend = trend(journal.WeightedAverage(recent), journal.WeightedAverage(before), out.Trend.Threshold)
		sr.Compared = compare(sr.Average, sr.ClassMedian, out.Trend.Threshold)
		out.Subjects = append(out.Subjects, *sr)
	}
	sort.Slice(out.Subjects, func(i, j int) bool { return out.Subjects[i].SubjectName < out.Subjects[j].SubjectName })
	for _, sr := range out.Subjects {
		ref := SubjectRef{Subject: sr.Subject, Name: sr.SubjectName}
		if sr.Compared == "below" {
			out.Analytics.Below = append(out.Analytics.Below, ref)
		}
		if sr.Trend.Direction == "down" {
			out.Analytics.Down = append(out.Analytics.Down, ref)
		}
	}
	out.Analytics.Unexcused = out.Attendance.Unexcused
	return nil
}

// scaleOf is the scale most of the pupil's marks are on.
func scaleOf(counts map[string]int) journal.Scale {
	best, n := "", 0
	for code, c := range counts {
		if c > n || (c == n && code < best) {
			best, n = code, c
		}
	}
	sc, _ := journal.BuiltinScale(best)
	return sc
}

// trend: down or up when the recent average differs from the one before
// by more than threshold; flat otherwise; "" without marks in both.
func trend(recent, before *float64, threshold float64) Trend {
	t := Trend{Recent: recent, Before: before}
	switch {
	case recent == nil || before == nil:
	case *recent < *before-threshold:
		t.Direction = "down"
	case *recent > *before+threshold:
		t.Direction = "up"
	default:
		t.Direction = "flat"
	}
	return t
}

// compare places an average against the class median.
func compare(avg, median *float64, threshold float64) string {
	switch {
	case avg == nil || median == nil:
		return ""
	case *avg < *median-threshold:
		return "below"
	case *avg > *median+threshold:
		return "above"
	}
	return "level"
}

// FormatAverage shows an average with two decimals, as the journal does.
func FormatAverage(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', 2, 64)
}
