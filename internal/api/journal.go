package api

import (
	"net/http"
	"strconv"

	"shkola/internal/errs"
	"shkola/internal/journal"
)

// RegisterJournal serves the class journal: a lesson's column with its
// bulk write (per cell or all or nothing, with Idempotency-Key), the
// history of a cell, the grid of a class in a subject for a period, period
// marks, closing and reopening periods, and the mark scale of an
// organisation. The same guard serves the pages, so the same rules apply.
func RegisterJournal(rt *Router, g *journal.Guard) {
	h := journalHandlers{g: g}
	rt.Handle("GET", "/lessons/{id}/journal", ByID(http.StatusOK, func(r *http.Request, id int64) (journal.LessonJournal, error) {
		return g.Lesson(r.Context(), id)
	}))
	rt.Handle("PUT", "/lessons/{id}/journal", h.write)
	rt.Handle("GET", "/lessons/{id}/journal/{person_id}/history", h.history)
	rt.Handle("GET", "/classes/{id}/journal", h.grid)
	rt.Handle("PUT", "/classes/{id}/period-marks", h.periodMark)
	rt.Handle("POST", "/periods/{id}/close", h.close(true))
	rt.Handle("POST", "/periods/{id}/reopen", h.close(false))
	rt.Handle("GET", "/organisations/{id}/mark-scale", ByID(http.StatusOK, func(r *http.Request, id int64) (journal.OrgScale, error) {
		return g.Scale(r.Context(), id)
	}))
	rt.Handle("PUT", "/organisations/{id}/mark-scale", h.setScale)
}

type journalHandlers struct{ g *journal.Guard }

// write answers 200 when every cell was accepted, 207 when some were saved
// and some refused, 422 when nothing was written; the body lists every
// cell's outcome. A replayed answer carries Idempotent-Replayed: true.
func (h journalHandlers) write(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var b journal.Batch
	if err := Decode(r, &b); err != nil {
		Fail(w, r, err)
		return
	}
	res, replay, err := h.g.WriteLesson(r.Context(), id, b, r.Header.Get("Idempotency-Key"))
	if err != nil {
		Fail(w, r, err)
		return
	}
	if replay != nil {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Idempotent-Replayed", "true")
		w.WriteHeader(replay.Status)
		_, _ = w.Write(replay.Body) // #nosec G705 -- the body is the JSON this server encoded for the first request (json.Marshal escapes < > &), sent as application/json with nosniff
		return
	}
	Write(w, r, res.Status(), res)
}

func (h journalHandlers) history(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	person, err := PathID(r, "person_id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	out, err := h.g.History(r.Context(), id, person)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, out)
}

func (h journalHandlers) grid(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	q := r.URL.Query()
	for k := range q {
		if k != "subject" && k != "period" {
			Fail(w, r, errs.Field(errs.Invalid, k, "unknown", "this filter does not exist"))
			return
		}
	}
	var period int64
	if s := q.Get("period"); s != "" {
		if period, err = strconv.ParseInt(s, 10, 64); err != nil || period < 1 {
			Fail(w, r, errs.Field(errs.Invalid, "period", "format", "a study period id"))
			return
		}
	}
	out, err := h.g.Grid(r.Context(), id, q.Get("subject"), period)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, out)
}

func (h journalHandlers) periodMark(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var in journal.PeriodMarkInput
	if err := Decode(r, &in); err != nil {
		Fail(w, r, err)
		return
	}
	out, err := h.g.SetPeriodMark(r.Context(), id, in)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, out)
}

type reasonBody struct {
	Reason string `json:"reason"`
}

func (h journalHandlers) close(closed bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := PathID(r, "id")
		if err != nil {
			Fail(w, r, err)
			return
		}
		var b reasonBody
		if r.ContentLength != 0 {
			if err := Decode(r, &b); err != nil {
				Fail(w, r, err)
				return
			}
		}
		f := h.g.ReopenPeriod
		if closed {
			f = h.g.ClosePeriod
		}
		p, err := f(r.Context(), id, b.Reason)
		if err != nil {
			Fail(w, r, err)
			return
		}
		Write(w, r, http.StatusOK, p)
	}
}

func (h journalHandlers) setScale(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var b struct {
		Scale string `json:"scale"`
	}
	if err := Decode(r, &b); err != nil {
		Fail(w, r, err)
		return
	}
	out, err := h.g.SetScale(r.Context(), id, b.Scale)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, out)
}
