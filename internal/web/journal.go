package web

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"shkola/internal/directory"
	"shkola/internal/errs"
	"shkola/internal/journal"
)

// RegisterJournal serves the class journal: the grid of a class or
// sub-group in a subject for a period (keyboard entry with autosave per
// cell through /cells, a small script), the page of one lesson (the
// column as a plain form, which is also the no-script fallback), the
// history of a cell, period marks and closing a period. The journal's
// guard decides, as it does for the API.
func (s *Site) RegisterJournal(mux *http.ServeMux, g *journal.Guard, dirs *directory.Service) {
	h := journalPages{site: s, g: g, dirs: dirs}
	mux.HandleFunc("GET /journal/groups/{id}", h.grid)
	mux.HandleFunc("POST /journal/groups/{id}/period-marks", h.periodMark)
	mux.HandleFunc("POST /journal/periods/{id}/close", h.close(true))
	mux.HandleFunc("POST /journal/periods/{id}/reopen", h.close(false))
	mux.HandleFunc("GET /journal/lessons/{id}", h.lesson)
	mux.HandleFunc("POST /journal/lessons/{id}", h.saveLesson)
	mux.HandleFunc("POST /journal/lessons/{id}/cells", h.cells)
	mux.HandleFunc("GET /journal/lessons/{id}/history/{person}", h.history)
	mux.HandleFunc("GET /orgs/{id}/mark-scale", h.markScale)
	mux.HandleFunc("POST /orgs/{id}/mark-scale", h.setMarkScale)
}

type journalPages struct {
	site *Site
	g    *journal.Guard
	dirs *directory.Service
}

func (h journalPages) fail(w http.ResponseWriter, r *http.Request, err error) {
	h.site.FailAs(w, r, err, Messages{errs.Forbidden: "journal.forbidden", errs.Invalid: "journal.badquery", errs.Conflict: "journal.badquery"})
}

// names returns the names of a directory's codes in lang.
func (h journalPages) names(r *http.Request, dir, lang string) map[string]string {
	out := map[string]string{}
	if h.dirs == nil {
		return out
	}
	es, err := h.dirs.List(r.Context(), dir, false)
	if err != nil {
		return out
	}
	for _, e := range es {
		out[e.Code] = directory.Name(e, lang)
	}
	return out
}

type gridCellView struct {
	LessonID int64
	Text     string // the cell as typed: "4-", "н", "о 5"
	Title    string
	Member   bool
	Editable bool
	Reason   string
	Minutes  int
	Kind     string
}

type gridRowView struct {
	journal.GridRow
	Cells   []gridCellView
	Average string
}

type gridData struct {
	G            journal.Grid
	SubjectName  string
	Subjects     []subjectLink
	Rows         []gridRowView
	Editable     bool // some cell can be written
	NeedReason   bool // writing here is an amendment
	Rule         string
	Form         *formState
	Today        string
	PeriodLocked bool
}

type subjectLink struct{ Code, Name string }

func (h journalPages) grid(w http.ResponseWriter, r *http.Request) {
	h.renderGrid(w, r, http.StatusOK, newForm())
}

func (h journalPages) renderGrid(w http.ResponseWriter, r *http.Request, status int, f *formState) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ctx := r.Context()
	lang, _ := h.site.Prefs(r)
	subject := r.URL.Query().Get("subject")
	period, _ := strconv.ParseInt(r.URL.Query().Get("period"), 10, 64)
	subjNames := h.names(r, directory.Subject, lang)
	d := &gridData{Form: f}
	if subject == "" {
		subs, err := h.g.Subjects(ctx, id)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, s := range subs {
			d.Subjects = append(d.Subjects, subjectLink{Code: s, Name: nameOr(subjNames, s)})
		}
		d.G.Group.ID = id
		h.site.Render(w, r, status, "journal_grid", h.site.NewPage(r, "journal.title", d))
		return
	}
	if d.G, err = h.g.Grid(ctx, id, subject, period); err != nil {
		h.fail(w, r, err)
		return
	}
	d.SubjectName = nameOr(subjNames, subject)
	d.Today = h.g.S.Today()
	d.PeriodLocked = d.G.Period.Closed
	d.NeedReason = d.PeriodLocked && d.G.CanAmend
	t := h.site.Catalog.For(lang)
	d.Rule = t.T("journal.rule." + d.G.Scale.Kind)
	if d.G.Scale.Modifiers {
		d.Rule += " " + t.T("journal.rule.modifiers")
	}
	for _, row := range d.G.Rows {
		rv := gridRowView{GridRow: row}
		if row.Average != nil {
			rv.Average = fmt.Sprintf("%.2f", *row.Average)
		}
		for j, c := range row.Cells {
			l := d.G.Lessons[j]
			cv := gridCellView{LessonID: l.ID, Member: c.Member}
			cv.Text, cv.Title = cellText(c.Mark, c.Attendance), ""
			if c.Mark != nil {
				cv.Kind = c.Mark.Kind
				cv.Title = c.Mark.Kind
				if c.Mark.Comment != "" {
					cv.Title += ": " + c.Mark.Comment
				}
			}
			if c.Attendance != nil {
				cv.Reason = c.Attendance.Reason
				if c.Attendance.Minutes != nil {
					cv.Minutes = *c.Attendance.Minutes
				}
			}
			// The guard decides every write; this only spares a teacher
			// typing into cells that will be refused.
			cv.Editable = c.Member && l.Date <= d.Today && l.Status != "cancelled" && (!d.PeriodLocked || d.G.CanAmend)
			d.Editable = d.Editable || cv.Editable
			rv.Cells = append(rv.Cells, cv)
		}
		d.Rows = append(d.Rows, rv)
	}
	p := h.site.NewPage(r, "journal.title", d)
	p.Title = d.G.Group.Name + " · " + d.SubjectName + " · " + d.G.Period.Name
	h.site.Render(w, r, status, "journal_grid", p)
}

func nameOr(m map[string]string, code string) string {
	if n, ok := m[code]; ok {
		return n
	}
	return code
}

// cellText is a cell as the grid shows and takes it: the mark, then "н"
// for an absence or "о" with minutes for lateness.
func cellText(m *journal.Mark, a *journal.Attendance) string {
	var parts []string
	if m != nil {
		parts = append(parts, m.Value)
	}
	if a != nil {
		switch a.Status {
		case journal.Absent:
			parts = append(parts, "н")
		case journal.Late:
			s := "о"
			if a.Minutes != nil {
				s += strconv.Itoa(*a.Minutes)
			}
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " ")
}

// cells is the grid's autosave: a JSON batch of cells of one lesson (the
// script sends one cell at a time, with an idempotency key so that a retry
// after a lost answer does not write twice), answered with the batch's
// result: 200 whenever the batch was processed (a refused cell is a result
// the script shows in its cell, not a failed request), an error status
// only for a request refused as a whole. The form token travels in
// X-CSRF-Token.
func (h journalPages) cells(w http.ResponseWriter, r *http.Request) {
	writeJSON := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	fail := func(err error) {
		msg := "error"
		var e *errs.Error
		if ok := asErr(err, &e); ok && errs.CodeOf(err) != errs.Internal {
			msg = e.Message
			if len(e.Fields) > 0 {
				msg = e.Fields[0].Message
			}
		}
		writeJSON(httpStatus(err), map[string]string{"error": msg})
	}
	id, err := pathID(r)
	if err != nil {
		fail(err)
		return
	}
	var b journal.Batch
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		fail(errs.E(errs.Invalid, "the request is not a batch of cells"))
		return
	}
	res, replay, err := h.g.WriteLesson(r.Context(), id, b, r.Header.Get("Idempotency-Key"))
	switch {
	case err != nil:
		fail(err)
	case replay != nil:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(replay.Body) // #nosec G705 -- the body is the JSON this server encoded for the first request (json.Marshal escapes < > &), sent as application/json with nosniff
	default:
		writeJSON(http.StatusOK, res)
	}
}

func asErr(err error, target **errs.Error) bool {
	e, ok := err.(*errs.Error)
	if ok {
		*target = e
	}
	return ok
}

type lessonRowView struct {
	journal.LessonCell
	Mark, Kind, Comment, Status, Reason string
	Minutes                             string
	Errors                              []string
	Saved                               bool
}

type lessonJournalData struct {
	L           journal.LessonJournal
	SubjectName string
	Rows        []lessonRowView
	Kinds       []subjectLink
	Reasons     []subjectLink
	Form        *formState
	Editable    bool
}

func (h journalPages) lesson(w http.ResponseWriter, r *http.Request) {
	h.renderLesson(w, r, http.StatusOK, newForm(), nil)
}

func (h journalPages) renderLesson(w http.ResponseWriter, r *http.Request, status int, f *formState, res *journal.BatchResult) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	lj, err := h.g.Lesson(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	lang, _ := h.site.Prefs(r)
	d := &lessonJournalData{L: lj, Form: f, SubjectName: nameOr(h.names(r, directory.Subject, lang), lj.Lesson.Subject)}
	d.Editable = lj.CanWrite
	for code, name := range h.names(r, directory.WorkKind, lang) {
		d.Kinds = append(d.Kinds, subjectLink{code, name})
	}
	sortLinks(d.Kinds)
	for code, name := range h.names(r, directory.AbsenceReason, lang) {
		d.Reasons = append(d.Reasons, subjectLink{code, name})
	}
	sortLinks(d.Reasons)
	outcome := map[int64]journal.CellResult{}
	if res != nil {
		for _, c := range res.Cells {
			outcome[c.PersonID] = c
		}
	}
	for _, c := range lj.Cells {
		v := lessonRowView{LessonCell: c, Status: journal.Present}
		if c.Mark != nil {
			v.Mark, v.Kind, v.Comment = c.Mark.Value, c.Mark.Kind, c.Mark.Comment
		}
		if c.Attendance != nil {
			v.Status, v.Reason = c.Attendance.Status, c.Attendance.Reason
			if c.Attendance.Minutes != nil {
				v.Minutes = strconv.Itoa(*c.Attendance.Minutes)
			}
		}
		if o, ok := outcome[c.PersonID]; ok {
			v.Saved = o.Status == journal.CellSaved
			for _, e := range o.Errors {
				v.Errors = append(v.Errors, e.Message)
			}
			if len(o.Errors) > 0 { // show what was typed, beside the error
				k := strconv.FormatInt(c.PersonID, 10)
				v.Mark, v.Kind, v.Status, v.Reason, v.Minutes, v.Comment = f.Values["mark_"+k], f.Values["kind_"+k], f.Values["att_"+k],
					f.Values["reason_"+k], f.Values["late_"+k], f.Values["comment_"+k]
			}
		}
		d.Rows = append(d.Rows, v)
	}
	p := h.site.NewPage(r, "journal.lesson.title", d)
	p.Title = lj.Lesson.Date + " · " + d.SubjectName
	h.site.Render(w, r, status, "journal_lesson", p)
}

func sortLinks(ls []subjectLink) {
	for i := 1; i < len(ls); i++ {
		for j := i; j > 0 && ls[j].Code < ls[j-1].Code; j-- {
			ls[j], ls[j-1] = ls[j-1], ls[j]
		}
	}
}

// saveLesson takes the lesson page's form: the whole column at once, as
// one per-cell batch (the no-script way to enter a lesson).
func (h journalPages) saveLesson(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, errs.E(errs.Invalid, "bad form"))
		return
	}
	f := newForm()
	b := journal.Batch{Reason: r.PostFormValue("reason")}
	f.Values["reason"] = b.Reason
	for _, ps := range r.PostForm["person"] {
		pid, err := strconv.ParseInt(ps, 10, 64)
		if err != nil {
			continue
		}
		k := ps
		for _, n := range []string{"mark_", "kind_", "comment_", "att_", "reason_", "late_"} {
			f.Values[n+k] = strings.TrimSpace(r.PostFormValue(n + k))
		}
		c := journal.CellInput{PersonID: pid, Mark: &journal.MarkInput{Value: f.Values["mark_"+k], Kind: f.Values["kind_"+k], Comment: f.Values["comment_"+k]}}
		a := journal.AttendanceInput{Status: f.Values["att_"+k]}
		switch a.Status {
		case journal.Absent:
			a.Reason = f.Values["reason_"+k]
		case journal.Late:
			a.Minutes, _ = strconv.Atoi(f.Values["late_"+k])
		}
		c.Attendance = &a
		b.Cells = append(b.Cells, c)
	}
	res, _, err := h.g.WriteLesson(r.Context(), id, b, "")
	if err != nil {
		if c := errs.CodeOf(err); c == errs.Invalid || c == errs.Conflict {
			var e *errs.Error
			if asErr(err, &e) && len(e.Fields) > 0 && e.Fields[0].Field == "reason" {
				f.Errors["reason"] = "journal.err.reason"
			} else {
				f.Message = "journal.err.batch"
			}
			h.renderLesson(w, r, httpStatus(err), f, nil)
			return
		}
		h.fail(w, r, err)
		return
	}
	if res.Failed > 0 {
		f.Message = "journal.lesson.some_failed"
		h.renderLesson(w, r, http.StatusUnprocessableEntity, f, &res)
		return
	}
	http.Redirect(w, r, "/journal/lessons/"+strconv.FormatInt(id, 10)+"?saved=1", http.StatusSeeOther)
}

func (h journalPages) history(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	person, err := strconv.ParseInt(r.PathValue("person"), 10, 64)
	if err != nil || person <= 0 {
		h.fail(w, r, errs.E(errs.NotFound, "not found"))
		return
	}
	hist, err := h.g.History(r.Context(), id, person)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.site.NewPage(r, "journal.history.title", hist)
	h.site.Render(w, r, http.StatusOK, "journal_history", p)
}

// periodMark sets a pupil's period, annual or final mark from the grid.
func (h journalPages) periodMark(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	in := journal.PeriodMarkInput{Subject: r.PostFormValue("subject"), Kind: r.PostFormValue("kind"), Value: r.PostFormValue("value"),
		Reason: r.PostFormValue("reason")}
	in.PersonID, _ = strconv.ParseInt(r.PostFormValue("person"), 10, 64)
	in.PeriodID, _ = strconv.ParseInt(r.PostFormValue("period_id"), 10, 64)
	back := "/journal/groups/" + strconv.FormatInt(id, 10) + "?subject=" + url.QueryEscape(in.Subject) + "&period=" + url.QueryEscape(r.PostFormValue("period"))
	res, err := h.g.SetPeriodMark(r.Context(), id, in)
	if err != nil {
		if c := errs.CodeOf(err); c == errs.Invalid || c == errs.Conflict {
			f := newForm()
			f.Message = "journal.err.period_mark"
			var e *errs.Error
			if asErr(err, &e) && len(e.Fields) > 0 {
				f.Extra = e.Fields[0].Message
			}
			r.URL.RawQuery = url.Values{"subject": {in.Subject}, "period": {r.PostFormValue("period")}}.Encode()
			h.renderGrid(w, r, httpStatus(err), f)
			return
		}
		h.fail(w, r, err)
		return
	}
	if res.Warning {
		back += "&warn=" + strconv.FormatInt(in.PersonID, 10)
	}
	seeOther(w, r, back)
}

func (h journalPages) close(closed bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		f := h.g.ReopenPeriod
		if closed {
			f = h.g.ClosePeriod
		}
		back := localPath(r.PostFormValue("back"))
		if !strings.HasPrefix(back, "/journal/") {
			back = "/"
		}
		if _, err := f(r.Context(), id, r.PostFormValue("reason")); err != nil {
			if errs.CodeOf(err) == errs.Invalid {
				seeOther(w, r, withQuery(back, "need_reason", "1"))
				return
			}
			h.fail(w, r, err)
			return
		}
		seeOther(w, r, back)
	}
}
