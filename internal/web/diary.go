package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"shkola/internal/diary"
	"shkola/internal/errs"
	"shkola/internal/filestore"
	"shkola/internal/httpx"
	"shkola/internal/identity"
)

// RegisterDiary serves the family's diary: /diary sends a pupil to own
// diary and a guardian to the first child's, /diary/{pupil}?week= is the
// week (a switcher between a guardian's children, previous and next week,
// printable, no scripts), /diary/{pupil}/period the study period with
// averages, trends and the class median, and the homework files. Every
// decision is the diary guard's.
func (s *Site) RegisterDiary(mux *http.ServeMux, g *diary.Guard) {
	s.Nav = append(s.Nav, NavItem{Key: "nav.diary", Path: "/diary", Roles: []identity.Role{identity.Student, identity.Guardian}})
	h := diaryPages{site: s, g: g}
	mux.HandleFunc("GET /diary", h.mine)
	mux.HandleFunc("GET /diary/{id}", h.week)
	mux.HandleFunc("GET /diary/{id}/period", h.period)
	mux.HandleFunc("GET /diary/{id}/homework/{hw}/files/{file}", h.file)
}

type diaryPages struct {
	site *Site
	g    *diary.Guard
}

// diaryData is what the period page gets and what the week's view
// (diary_week.go) is made from; Date formats an ISO day for the page's
// language.
type diaryData struct {
	Lang   string
	W      *diary.Week
	P      *diary.PeriodView
	Error  string // a message key when the period cannot be shown
	Lesson int64  // the lesson a notification pointed at
}

func (d diaryData) Date(iso string) string {
	t, err := time.Parse("2006-01-02", iso)
	if err != nil {
		return iso
	}
	if d.Lang == "en" {
		return t.Format("2 Jan")
	}
	return t.Format("02.01")
}

// Avg shows an average with two decimals.
func (d diaryData) Avg(v *float64) string { return diary.FormatAverage(v) }

// KB is a file size in kilobytes, at least 1.
func (d diaryData) KB(n int64) int64 { return max(1, (n+1023)/1024) }

func (h diaryPages) mine(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a := identity.From(ctx)
	if !a.Authenticated() {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	to, err := h.g.First(ctx)
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	if to == 0 {
		h.site.Render(w, r, http.StatusOK, "diary_none", h.site.NewPage(r, "diary.title", nil))
		return
	}
	http.Redirect(w, r, "/diary/"+strconv.FormatInt(to, 10), http.StatusSeeOther)
}

func (h diaryPages) id(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		h.site.Render(w, r, http.StatusNotFound, "error", h.site.NewPage(r, "error.title", "error.notfound"))
		return 0, false
	}
	return id, true
}

func (h diaryPages) week(w http.ResponseWriter, r *http.Request) {
	id, ok := h.id(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	lang, _ := h.site.Prefs(r)
	q := r.URL.Query()
	week := q.Get("week")
	var lesson int64
	if l, err := strconv.ParseInt(q.Get("lesson"), 10, 64); err == nil && l > 0 && week == "" {
		// A notification points at a lesson: show its week.
		if week, err = h.g.LessonDate(ctx, id, l); err != nil {
			h.site.Fail(w, r, err)
			return
		}
		lesson = l
	}
	wk, err := h.g.Week(ctx, id, week, lang)
	if err != nil {
		if hasField(err, "week") {
			wk, err = h.g.Week(ctx, id, "", lang)
		}
		if err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.site.Render(w, r, http.StatusOK, "diary_week", h.weekPage(r, &wk, lang, lesson))
}

// weekPage is the week's page as the handler renders it; the benchmark
// renders the same.
func (h diaryPages) weekPage(r *http.Request, wk *diary.Week, lang string, lesson int64) *Page {
	p := h.site.NewPage(r, "diary.title", nil)
	p.Data = newWeekView(&h.site.textsFor(p.Lang).week, diaryData{Lang: lang, W: wk, Lesson: lesson})
	p.Title = wk.Pupil.FirstName + " " + wk.Pupil.LastName + " — " + p.Title
	return p
}

func (h diaryPages) period(w http.ResponseWriter, r *http.Request) {
	id, ok := h.id(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	lang, _ := h.site.Prefs(r)
	var period int64
	if v := r.URL.Query().Get("period"); v != "" {
		period, _ = strconv.ParseInt(v, 10, 64)
	}
	pv, err := h.g.Period(ctx, id, period, lang)
	d := diaryData{Lang: lang, P: &pv}
	switch {
	case err == nil:
	case hasField(err, "period") && pv.Pupil.ID != 0:
		d.Error = "diary.period.none"
	default:
		h.fail(w, r, err)
		return
	}
	p := h.site.NewPage(r, "diary.period.title", d)
	p.Title = pv.Pupil.FirstName + " " + pv.Pupil.LastName + " — " + p.Title
	h.site.Render(w, r, http.StatusOK, "diary_period", p)
}

func (h diaryPages) file(w http.ResponseWriter, r *http.Request) {
	var ids [3]int64
	for i, name := range []string{"id", "hw", "file"} {
		n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
		if err != nil || n <= 0 {
			h.site.Render(w, r, http.StatusNotFound, "error", h.site.NewPage(r, "error.title", "error.notfound"))
			return
		}
		ids[i] = n
	}
	f, rc, err := h.g.HomeworkFile(r.Context(), ids[0], ids[1], ids[2])
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := filestore.Serve(w, f, rc); err != nil {
		httpx.Logger(r.Context()).Debug("serve homework file", "err", err)
	}
}

// fail answers a refused or missing diary as "not found" (a visitor who is
// not logged in is sent to log in).
func (h diaryPages) fail(w http.ResponseWriter, r *http.Request, err error) {
	if !identity.From(r.Context()).Authenticated() {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	h.site.Fail(w, r, err)
}

// hasField reports whether err names field.
func hasField(err error, field string) bool {
	var e *errs.Error
	if errors.As(err, &e) {
		for _, f := range e.Fields {
			if f.Field == field {
				return true
			}
		}
	}
	return false
}
