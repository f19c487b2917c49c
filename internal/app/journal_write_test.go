package app_test

import (
	"fmt"
	"testing"
)

// An all-or-nothing batch whose only bad cell is a pupil of another class
// (found only when the write reads who belongs to the lesson) writes
// nothing, names the cell, and keeps no answer under its key: the teacher
// fixes the batch and sends it again with the same key.
func TestJournalAllOrNothingNonMember(t *testing.T) {
	w := newJournalWorld(t)
	l := w.lesson(t, w.c5a, "math", w.periods[0].StartsOn, w.math, nil, "")
	tok := w.teacher(t, w.math)
	path := fmt.Sprintf("/api/v1/lessons/%d/journal", l)
	history := w.count(t, "SELECT COUNT(*) FROM journal_history")
	st, _, out := w.call(t, tok, "PUT", path, fmt.Sprintf(`{"mode":"all_or_nothing","cells":[
		{"person_id":%d,"mark":{"value":"5"}},{"person_id":%d,"mark":{"value":"4"}}]}`, w.anna, w.gleb), "Idempotency-Key", "tablet-7")
	a := decodeBatch(t, out)
	if st != 422 || a.Saved != 0 || a.Failed != 1 || a.Cells[0].Status != "skipped" || a.rule(w.gleb) != "person_id:member" {
		t.Fatalf("batch with a pupil of 5Б: %d %s", st, out)
	}
	if n := w.count(t, "SELECT COUNT(*) FROM marks WHERE lesson_id = $1", l); n != 0 || w.count(t, "SELECT COUNT(*) FROM journal_history") != history {
		t.Fatalf("a refused batch wrote %d marks", n)
	}
	st, h, out := w.call(t, tok, "PUT", path, fmt.Sprintf(`{"mode":"all_or_nothing","cells":[{"person_id":%d,"mark":{"value":"5"}}]}`, w.anna),
		"Idempotency-Key", "tablet-7")
	if a := decodeBatch(t, out); st != 200 || a.Saved != 1 || h.Get("Idempotent-Replayed") != "" {
		t.Fatalf("the fixed batch under the same key: %d %v %s", st, h, out)
	}
}
