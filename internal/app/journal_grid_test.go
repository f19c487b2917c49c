package app_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// The grid as the teacher reads it: the year's periods (the closed one
// marked), the lessons of the period with each pupil's mark and absence,
// and beside them the period and annual marks as set, with who set them,
// when, and against which average.
func TestJournalGridShowsWhatWasSet(t *testing.T) {
	w := newJournalWorld(t)
	q1, q2 := w.periods[0], w.periods[1]
	tok, admin := w.teacher(t, w.math), w.director(t)
	l1 := w.lesson(t, w.c5a, "math", q1.StartsOn, w.math, nil, "")
	l2 := w.lesson(t, w.c5a, "math", q2.StartsOn, w.math, nil, "")
	call := func(tok, method, path, body string) string {
		t.Helper()
		st, _, out := w.call(t, tok, method, path, body)
		if st != 200 {
			t.Fatalf("%s %s: %d %s", method, path, st, out)
		}
		return out
	}
	call(tok, "PUT", fmt.Sprintf("/api/v1/lessons/%d/journal", l1), fmt.Sprintf(`{"cells":[
		{"person_id":%d,"mark":{"value":"5","kind":"test"}},{"person_id":%d,"attendance":{"status":"late","minutes":5}}]}`, w.anna, w.boris))
	call(tok, "PUT", fmt.Sprintf("/api/v1/lessons/%d/journal", l2), fmt.Sprintf(`{"cells":[{"person_id":%d,"mark":{"value":"3"}}]}`, w.anna))
	setMark := func(kind string, period int64, value string) {
		t.Helper()
		call(tok, "PUT", fmt.Sprintf("/api/v1/classes/%d/period-marks", w.c5a),
			fmt.Sprintf(`{"person_id":%d,"subject":"math","kind":"%s","period_id":%d,"value":"%s"}`, w.anna, kind, period, value))
	}
	setMark("period", q1.ID, "4")
	setMark("period", q2.ID, "3")
	setMark("annual", 0, "4")
	call(admin, "POST", fmt.Sprintf("/api/v1/periods/%d/close", q1.ID), `{"reason":"конец четверти"}`)

	type pm struct {
		Kind, Value, Scale, Author string
		PeriodID                   *int64 `json:"period_id"`
		Average, Score             *float64
		Version                    int64
		UpdatedAt                  time.Time `json:"updated_at"`
	}
	var g struct {
		Period  struct{ ID int64 }
		Periods []struct {
			ID     int64
			Closed bool
		}
		Lessons []struct{ ID int64 }
		Rows    []struct {
			PersonID int64 `json:"person_id"`
			Cells    []struct {
				Member     bool
				Mark       *struct{ Value, Kind string }
				Attendance *struct {
					Status  string
					Minutes *int
				}
			}
			Average        *float64
			PeriodMark     *pm `json:"period_mark"`
			Annual         *pm
			Final          *pm
			PeriodsAverage *float64 `json:"periods_average"`
		}
	}
	out := call(tok, "GET", fmt.Sprintf("/api/v1/classes/%d/journal?subject=math&period=%d", w.c5a, q1.ID), "")
	if err := json.Unmarshal([]byte(out), &g); err != nil {
		t.Fatal(err)
	}
	if g.Period.ID != q1.ID || len(g.Periods) != 4 || g.Periods[0].ID != q1.ID || !g.Periods[0].Closed || g.Periods[1].Closed ||
		len(g.Lessons) != 1 || g.Lessons[0].ID != l1 || len(g.Rows) != 3 {
		t.Fatalf("grid: %s", out)
	}
	byPerson := map[int64]int{}
	for i, r := range g.Rows {
		byPerson[r.PersonID] = i
	}
	anna, boris := g.Rows[byPerson[w.anna]], g.Rows[byPerson[w.boris]]
	if c := anna.Cells[0]; !c.Member || c.Mark == nil || c.Mark.Value != "5" || c.Mark.Kind != "test" || anna.Average == nil || *anna.Average != 5 {
		t.Errorf("Анна's cell: %s", out)
	}
	if c := boris.Cells[0]; c.Attendance == nil || c.Attendance.Status != "late" || c.Attendance.Minutes == nil || *c.Attendance.Minutes != 5 {
		t.Errorf("Борис's cell: %s", out)
	}
	p := anna.PeriodMark
	if p == nil || p.Kind != "period" || p.Value != "4" || p.Scale != "ru5" || p.PeriodID == nil || *p.PeriodID != q1.ID ||
		p.Score == nil || *p.Score != 4 || p.Average == nil || *p.Average != 5 || p.Author != fmt.Sprintf("teacher%d", w.math) ||
		p.Version != 1 || !p.UpdatedAt.Equal(journalNow) {
		t.Errorf("Анна's period mark: %+v in %s", p, out)
	}
	if a := anna.Annual; a == nil || a.Kind != "annual" || a.Value != "4" || a.PeriodID != nil || anna.Final != nil {
		t.Errorf("Анна's annual and final marks: %s", out)
	}
	if anna.PeriodsAverage == nil || *anna.PeriodsAverage != 3.5 || boris.PeriodMark != nil || boris.Annual != nil {
		t.Errorf("periods' average and Борис's marks: %s", out)
	}
}
