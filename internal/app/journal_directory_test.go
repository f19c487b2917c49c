package app_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"shkola/internal/identity"
)

// The journal keeps the scales, work kinds and absence reasons in memory,
// and an officer's change to them applies to the very next mark: a new
// weight, a new work kind, a retired one, a scale without pluses (and the
// grid shows the scale as changed). The server is told nothing: it sees
// the directories' version move in the query that reads the lesson, as a
// second server behind the same load balancer would.
func TestJournalFollowsDirectoryChanges(t *testing.T) {
	w := newJournalWorld(t)
	q1 := w.periods[0]
	l := w.lesson(t, w.c5a, "math", q1.StartsOn, w.math, nil, "")
	tok := w.teacher(t, w.math)
	officer := w.token(t, "officer", identity.RegionalOfficer, w.region.ID, 0)
	type cell struct {
		Status string
		Mark   *struct {
			Value, Kind string
			Weight      int
		}
		Errors []struct{ Field, Rule string }
	}
	write := func(person int64, mark string) cell {
		t.Helper()
		st, _, out := w.call(t, tok, "PUT", fmt.Sprintf("/api/v1/lessons/%d/journal", l),
			fmt.Sprintf(`{"cells":[{"person_id":%d,"mark":%s}]}`, person, mark))
		var a struct{ Cells []cell }
		if err := json.Unmarshal([]byte(out), &a); err != nil || len(a.Cells) != 1 || (st != 200 && st != 207 && st != 422) {
			t.Fatalf("write %s: %d %s", mark, st, out)
		}
		return a.Cells[0]
	}
	weight := func(person int64, mark string, want int) {
		t.Helper()
		if c := write(person, mark); c.Status != "saved" || c.Mark == nil || c.Mark.Weight != want {
			t.Fatalf("write %s: %+v, want weight %d", mark, c, want)
		}
	}
	refused := func(person int64, mark, field, rule string) {
		t.Helper()
		c := write(person, mark)
		if c.Status != "error" || len(c.Errors) == 0 || c.Errors[0].Field != field || c.Errors[0].Rule != rule {
			t.Fatalf("write %s: %+v, want %s:%s", mark, c, field, rule)
		}
	}
	change := func(method, path, body, etag string, want int) {
		t.Helper()
		st, _, out := w.call(t, officer, method, "/api/v1/directories/"+path, body, "If-Match", etag)
		if st != want {
			t.Fatalf("%s %s: %d %s", method, path, st, out)
		}
	}
	grid := func() string {
		t.Helper()
		st, _, out := w.call(t, tok, "GET", fmt.Sprintf("/api/v1/classes/%d/journal?subject=math&period=%d", w.c5a, q1.ID), "")
		if st != 200 {
			t.Fatalf("grid: %d %s", st, out)
		}
		return out
	}

	weight(w.anna, `{"value":"4","kind":"test"}`, 2)
	if g := grid(); !strings.Contains(g, `"code":"ru5","kind":"numeric","min":2,"max":5,"pass":3,"step":1,"modifiers":true`) {
		t.Fatalf("grid scale: %s", g)
	}
	change("PUT", "work_kind/test", `{"attrs":{"weight":4}}`, `W/"1"`, 200)
	weight(w.boris, `{"value":"5","kind":"test"}`, 4)

	refused(w.vera, `{"value":"5","kind":"quiz"}`, "mark.kind", "unknown")
	change("POST", "work_kind", `{"code":"quiz","name_ru":"Самостоятельная работа","attrs":{"weight":3}}`, "", 201)
	weight(w.vera, `{"value":"5","kind":"quiz"}`, 3)
	change("PUT", "work_kind/quiz", `{"active":false}`, `W/"1"`, 200)
	refused(w.anna, `{"value":"3","kind":"quiz"}`, "mark.kind", "unknown")

	weight(w.boris, `{"value":"4-"}`, 1)
	change("PUT", "mark_scale/ru5", `{"attrs":{"kind":"numeric","min":2,"max":5,"pass":3,"step":1,"modifiers":false}}`, `W/"1"`, 200)
	refused(w.boris, `{"value":"4-"}`, "mark.value", "scale")
	if g := grid(); !strings.Contains(g, `"code":"ru5","kind":"numeric","min":2,"max":5,"pass":3,"step":1,"modifiers":false`) {
		t.Fatalf("grid scale after the change: %s", g)
	}
}
