package web

import (
	"net/http"
	"strconv"

	"shkola/internal/calendar"
	"shkola/internal/classes"
	"shkola/internal/errs"
	"shkola/internal/logins"
)

// RegisterClasses serves an organisation's calendar and classes and the
// class card. The guards decide; the pages show what they return.
func (s *Site) RegisterClasses(mux *http.ServeMux, cal *calendar.Guard, cls *classes.Guard) {
	h := classPages{site: s, cal: cal, cls: cls}
	mux.HandleFunc("GET /orgs/{id}/calendar", h.calendar)
	mux.HandleFunc("GET /orgs/{id}/classes", h.list)
	mux.HandleFunc("POST /orgs/{id}/classes", h.create)
	mux.HandleFunc("GET /classes/{id}", h.card)
}

type classPages struct {
	site *Site
	cal  *calendar.Guard
	cls  *classes.Guard
}

type yearView struct {
	Year     calendar.Year
	Periods  []calendar.Period
	Holidays []calendar.Holiday
}

func (h classPages) calendar(w http.ResponseWriter, r *http.Request) {
	org, err := pathID(r)
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	years, err := h.cal.Years(r.Context(), org)
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	out := struct {
		OrgID int64
		Years []yearView
	}{OrgID: org}
	for _, y := range years {
		v := yearView{Year: y}
		if v.Periods, err = h.cal.Periods(r.Context(), y.ID); err != nil {
			h.site.Fail(w, r, err)
			return
		}
		if v.Holidays, err = h.cal.Holidays(r.Context(), y.ID); err != nil {
			h.site.Fail(w, r, err)
			return
		}
		out.Years = append(out.Years, v)
	}
	h.site.Render(w, r, http.StatusOK, "calendar", h.site.NewPage(r, "classes.calendar.title", out))
}

type classListData struct {
	OrgID   int64
	Years   []calendar.Year
	Year    calendar.Year
	Items   []classes.Summary
	CanEdit bool
	Form    *formState
}

// list shows the classes and clubs of one year (the current one unless
// ?year= names another), with a form to add a class for those who may.
func (h classPages) list(w http.ResponseWriter, r *http.Request) {
	h.renderList(w, r, http.StatusOK, newForm())
}

func (h classPages) renderList(w http.ResponseWriter, r *http.Request, status int, f *formState) {
	org, err := pathID(r)
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	ctx := r.Context()
	d := &classListData{OrgID: org, Form: f, CanEdit: h.cls.CanChange(ctx, org)}
	if d.Years, err = h.cal.Years(ctx, org); err != nil {
		h.site.Fail(w, r, err)
		return
	}
	want, _ := strconv.ParseInt(r.URL.Query().Get("year"), 10, 64)
	for _, y := range d.Years {
		if y.ID == want || (want == 0 && y.Status == calendar.Current) {
			d.Year = y
		}
	}
	if d.Year.ID != 0 {
		if d.Items, err = h.cls.List(ctx, classes.Filter{OrgID: org, YearID: d.Year.ID, Limit: classes.MaxLimit}); err != nil {
			h.site.Fail(w, r, err)
			return
		}
	}
	h.site.Render(w, r, status, "classes", h.site.NewPage(r, "classes.list.title", d))
}

func (h classPages) create(w http.ResponseWriter, r *http.Request) {
	f := newForm()
	for _, k := range []string{"year_id", "parallel", "letter", "capacity"} {
		f.Values[k] = r.PostFormValue(k)
	}
	year, _ := strconv.ParseInt(f.Values["year_id"], 10, 64)
	n := classes.NewGroup{YearID: year, Kind: classes.Class, Letter: f.Values["letter"]}
	if p, err := strconv.Atoi(f.Values["parallel"]); err == nil {
		n.Parallel = &p
	}
	if c, err := strconv.Atoi(f.Values["capacity"]); err == nil {
		n.Capacity = &c
	}
	g, err := h.cls.Create(r.Context(), n)
	if err != nil {
		if c := errs.CodeOf(err); c != errs.Invalid && c != errs.Conflict {
			h.site.Fail(w, r, err)
			return
		}
		var pe personForm // reuse the rule messages of the registry's forms
		pe.formState = f
		pe.failWith(err)
		h.renderList(w, r, httpStatus(err), f)
		return
	}
	http.Redirect(w, r, "/classes/"+strconv.FormatInt(g.ID, 10), http.StatusSeeOther)
}

type classCardData struct {
	Class       classes.Summary
	Members     []classes.Member
	Assignments []classes.Assignment
	History     []classes.Summary
	// CanIssueLogins: the class teacher or the school's administration may
	// issue the class's logins (the link is shown to them only).
	CanIssueLogins bool
}

func (h classPages) card(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	ctx := r.Context()
	c, err := h.cls.Get(ctx, id)
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	d := &classCardData{Class: c, CanIssueLogins: logins.CanIssue(ctx, h.cls.Policy, c)}
	if d.Members, err = h.cls.Members(ctx, id, ""); err != nil {
		h.site.Fail(w, r, err)
		return
	}
	if d.Assignments, err = h.cls.Assignments(ctx, id, true); err != nil {
		h.site.Fail(w, r, err)
		return
	}
	if d.History, err = h.cls.History(ctx, id); err != nil {
		h.site.Fail(w, r, err)
		return
	}
	p := h.site.NewPage(r, "classes.card.title", d)
	p.Title = c.Name + " · " + c.YearName
	h.site.Render(w, r, http.StatusOK, "class", p)
}
