package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"shkola/internal/directory"
	"shkola/internal/errs"
	"shkola/internal/filestore"
	"shkola/internal/httpx"
	"shkola/internal/identity"
	"shkola/internal/portfolio"
)

// RegisterPortfolio serves a pupil's portfolio (linked from the person
// card), "my portfolio" for a pupil and a guardian (with a switcher between
// children), and the list of proposals staff review. Every decision is the
// portfolio guard's; the pages show what it returns and offer only the
// forms it would accept.
func (s *Site) RegisterPortfolio(mux *http.ServeMux, g *portfolio.Guard, dirs *directory.Service) {
	s.Nav = append(s.Nav, NavItem{Key: "nav.portfolio", Path: "/portfolio", Roles: []identity.Role{identity.Student, identity.Guardian}})
	s.Nav = append(s.Nav, NavItem{Key: "nav.proposals", Path: "/proposals", Roles: []identity.Role{identity.SchoolAdmin, identity.ClassTeacher}})
	h := portfolioPages{site: s, g: g, dirs: dirs}
	mux.HandleFunc("GET /portfolio", h.mine)
	mux.HandleFunc("GET /proposals", h.proposals)
	mux.HandleFunc("GET /persons/{id}/portfolio", h.page)
	mux.HandleFunc("POST /persons/{id}/portfolio/achievements", h.addAchievement)
	mux.HandleFunc("POST /persons/{id}/portfolio/exams", h.addExam)
	mux.HandleFunc("POST /persons/{id}/portfolio/certificate", h.setCertificate)
	mux.HandleFunc("POST /achievements/{id}/review", h.review)
	mux.HandleFunc("POST /achievements/{id}/delete", h.deleteAchievement)
	mux.HandleFunc("GET /achievements/{id}/document", h.document)
	mux.HandleFunc("POST /exams/{id}/delete", h.deleteExam)
}

type portfolioPages struct {
	site *Site
	g    *portfolio.Guard
	dirs *directory.Service
}

// portfolioNames are the directory names of codes in the page's language,
// and the active codes in order for the forms.
type portfolioNames struct {
	Level, Result, Subject, Exam         map[string]string
	Levels, Results, Subjects, ExamKinds []codeName
	Kinds, CertificateKinds              []string
}

func (h portfolioPages) names(ctx context.Context, lang string) portfolioNames {
	sp := staffPages{dirs: h.dirs}
	var n portfolioNames
	n.Level, n.Levels = sp.names(ctx, directory.AchievementLevel, lang, portfolio.Levels())
	n.Result, n.Results = sp.names(ctx, directory.AchievementResult, lang, portfolio.Results())
	n.Subject, n.Subjects = sp.names(ctx, directory.Subject, lang, nil)
	n.Exam, n.ExamKinds = sp.names(ctx, directory.ExamKind, lang, portfolio.ExamKinds())
	n.Kinds, n.CertificateKinds = portfolio.Kinds(), portfolio.CertificateKinds()
	return n
}

// Name returns the name of code in directory dir ("level", "result",
// "subject", "exam"), or the code itself.
func (n portfolioNames) Name(dir, code string) string {
	m := map[string]map[string]string{"level": n.Level, "result": n.Result, "subject": n.Subject, "exam": n.Exam}[dir]
	return nameOf(m, code)
}

// ruleWords renders the gifted rule through the message catalogue.
type ruleWords struct {
	t     *Translator
	names portfolioNames
}

var ruleOps = map[string]string{"=": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}

func (w ruleWords) Compare(field, op, value string) string {
	name := value
	switch field {
	case "kind":
		name = w.t.T("portfolio.kind." + value)
	case "level", "result", "subject":
		name = w.names.Name(field, value)
	}
	return w.t.T("portfolio.rule.cmp."+ruleOps[op], map[string]any{"Field": w.t.T("portfolio.rule.field." + field), "Value": name})
}

func (w ruleWords) Within(n int, unit string) string { return w.t.N("portfolio.rule.within."+unit, n) }

func (w ruleWords) Join(conj string, parts []string) string {
	return strings.Join(parts, " "+w.t.T("portfolio.rule."+conj)+" ")
}

func (w ruleWords) Not(s string) string {
	return w.t.T("portfolio.rule.not", map[string]any{"Text": s})
}

// portfolioForm is one form of the page: values, messages beside fields,
// and which entry it was about (review forms are one per proposal).
type portfolioForm struct {
	*formState
	For int64
}

func newPortfolioForm() *portfolioForm { return &portfolioForm{formState: newForm()} }

// portfolioRules are the rules the catalogue has a message for.
var portfolioRules = []string{"required", "enum", "max_length", "directory", "format", "future", "past", "size", "type", "empty",
	"name", "range", "max_score", "duplicate", "reviewed", "age", "count", "unknown"}

// fail puts a domain error beside its fields, or on the whole form; it
// reports false for errors that are not the user's to fix.
func (f *portfolioForm) fail(err error) bool {
	var e *errs.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code {
	case errs.Invalid, errs.Conflict, errs.Precondition, errs.Forbidden:
	default:
		return false
	}
	for _, fe := range e.Fields {
		rule := "invalid"
		for _, r := range portfolioRules {
			if r == fe.Rule {
				rule = r
			}
		}
		f.Errors[fe.Field] = "portfolio.err." + rule
	}
	switch {
	case e.Code == errs.Precondition:
		f.Message = "portfolio.err.stale"
	case e.Code == errs.Forbidden && len(e.Fields) == 0:
		f.Message = "portfolio.err.forbidden"
	case len(e.Fields) > 0 && f.Errors["person_id"] != "":
		f.Message = "portfolio.err.age"
	case len(e.Fields) == 0:
		f.Message = "portfolio.err.invalid"
	}
	return true
}

type portfolioData struct {
	P        portfolio.Portfolio
	Rule     string // the gifted rule in words
	Names    portfolioNames
	Mine     []portfolio.Summary // the switcher on "my portfolio"
	Ach      *portfolioForm
	Review   *portfolioForm
	Exam     *portfolioForm
	Cert     *portfolioForm
	Done     string
	Back     string                  // where review and delete forms return
	Counting []portfolio.Achievement // the achievements that make the pupil gifted
	// Young: the pupil looking at own portfolio is under 14 and may only
	// read it (the page says so instead of offering a form).
	Young bool
}

func (h portfolioPages) render(w http.ResponseWriter, r *http.Request, status int, personID int64, d *portfolioData) {
	ctx := r.Context()
	p, err := h.g.Get(ctx, personID)
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	lang, _ := h.site.Prefs(r)
	d.P, d.Names = p, h.names(ctx, lang)
	d.Rule = h.g.S.Rule.Describe(ruleWords{t: h.site.Catalog.For(lang), names: d.Names})
	for _, f := range []**portfolioForm{&d.Ach, &d.Review, &d.Exam, &d.Cert} {
		if *f == nil {
			*f = newPortfolioForm()
		}
	}
	d.Young = identity.From(ctx).PersonID == personID && !p.May.Create && !p.May.Propose
	for _, a := range p.Achievements {
		if a.Counts {
			d.Counting = append(d.Counting, a)
		}
	}
	if d.Back == "" {
		d.Back = "/persons/" + strconv.FormatInt(personID, 10) + "/portfolio"
	}
	page := h.site.NewPage(r, "portfolio.title", d)
	page.Title = h.site.Catalog.For(lang).T("portfolio.title") + " · " + p.Person.Name()
	h.site.Render(w, r, status, "portfolio", page)
}

func (h portfolioPages) page(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, id, &portfolioData{Done: doneKey(r)})
}

// doneKey is the success notice named in ?done= (from the list of notices
// the catalogue has), after a redirect.
func doneKey(r *http.Request) string {
	switch d := r.URL.Query().Get("done"); d {
	case "added", "proposed", "confirmed", "rejected", "deleted", "exam", "certificate":
		return "portfolio.done." + d
	}
	return ""
}

// mine is "my portfolio": the pupil's own, or a guardian's children with a
// switcher (?person= picks one).
func (h portfolioPages) mine(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if !identity.From(ctx).Authenticated() {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	list, err := h.g.Mine(ctx)
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	if len(list) == 0 {
		h.site.Render(w, r, http.StatusOK, "portfolio_none", h.site.NewPage(r, "portfolio.title", nil))
		return
	}
	pick := list[0].Person.ID
	if want, err := strconv.ParseInt(r.URL.Query().Get("person"), 10, 64); err == nil {
		for _, s := range list {
			if s.Person.ID == want {
				pick = want
			}
		}
	}
	h.render(w, r, http.StatusOK, pick, &portfolioData{Mine: list, Done: doneKey(r), Back: "/portfolio?person=" + strconv.FormatInt(pick, 10)})
}

// back is where a form returns: the page it came from when that is a
// portfolio page of this site, else the pupil's portfolio.
func back(r *http.Request, personID int64) string {
	b, _, _ := strings.Cut(localPath(r.PostFormValue("back")), "#")
	if strings.HasPrefix(b, "/portfolio") || strings.HasPrefix(b, "/persons/") || strings.HasPrefix(b, "/proposals") {
		return b
	}
	return "/persons/" + strconv.FormatInt(personID, 10) + "/portfolio"
}

func withDone(path, done string) string {
	return withQuery(path, "done", done)
}

// addAchievement enters an achievement (staff) or proposes one (the pupil
// from 14, a guardian), whichever the caller may do.
func (h portfolioPages) addAchievement(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	ctx := r.Context()
	f := newPortfolioForm()
	fields := []string{"kind", "title", "subject", "level", "result", "date", "organiser"}
	for _, k := range fields {
		f.Values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	n := portfolio.NewAchievement{Kind: f.Values["kind"], Title: f.Values["title"], Subject: f.Values["subject"], Level: f.Values["level"],
		Result: f.Values["result"], Date: f.Values["date"], Organiser: f.Values["organiser"]}
	var doc *portfolio.Upload
	if file, hdr, err := r.FormFile(portfolio.DocumentField); err == nil {
		defer file.Close()
		doc = &portfolio.Upload{Name: hdr.Filename, R: file}
	}
	p, err := portfolio.LoadPupil(ctx, h.g.S.DB.Read(), id)
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	done := "proposed"
	if h.g.May(ctx, p).Create {
		_, err = h.g.Add(ctx, id, n, doc)
		done = "added"
	} else {
		_, err = h.g.Propose(ctx, id, n, doc)
	}
	if err != nil {
		if !f.fail(err) {
			h.site.Fail(w, r, err)
			return
		}
		h.render(w, r, httpStatus(err), id, &portfolioData{Ach: f, Back: back(r, id)})
		return
	}
	seeOther(w, r, withDone(back(r, id), done)+"#achievements")
}

func (h portfolioPages) review(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	ctx := r.Context()
	a, err := h.g.S.Achievement(ctx, h.g.S.DB.Read(), id)
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	rv := portfolio.Review{Decision: r.PostFormValue("decision"), Reason: r.PostFormValue("reason")}
	if _, err := h.g.Review(ctx, id, version, rv); err != nil {
		f := &portfolioForm{formState: newForm(), For: id}
		f.Values["reason"] = rv.Reason
		if c := errs.CodeOf(err); c == errs.Forbidden || c == errs.NotFound {
			h.failAction(w, r, err) // no review form to show it beside
			return
		}
		if !f.fail(err) {
			h.site.Fail(w, r, err)
			return
		}
		h.render(w, r, httpStatus(err), a.PersonID, &portfolioData{Review: f, Back: back(r, a.PersonID)})
		return
	}
	done := "confirmed"
	if rv.Decision == "reject" {
		done = "rejected"
	}
	seeOther(w, r, withDone(back(r, a.PersonID), done))
}

func (h portfolioPages) deleteAchievement(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	a, err := h.g.S.Achievement(r.Context(), h.g.S.DB.Read(), id)
	if err == nil {
		err = h.g.Delete(r.Context(), id)
	}
	if err != nil {
		h.failAction(w, r, err)
		return
	}
	seeOther(w, r, withDone(back(r, a.PersonID), "deleted"))
}

// failAction answers a refused button press (no form to show it beside).
func (h portfolioPages) failAction(w http.ResponseWriter, r *http.Request, err error) {
	if errs.CodeOf(err) == errs.Forbidden {
		h.site.Render(w, r, http.StatusForbidden, "error", h.site.NewPage(r, "error.title", "portfolio.err.forbidden"))
		return
	}
	h.site.Fail(w, r, err)
}

func (h portfolioPages) document(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	f, rc, err := h.g.Document(r.Context(), id)
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	if err := filestore.Serve(w, f, rc); err != nil {
		httpx.Logger(r.Context()).Debug("serve document", "err", err)
	}
}

func (h portfolioPages) addExam(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	f := newPortfolioForm()
	for _, k := range []string{"kind", "subject", "score", "max_score", "year"} {
		f.Values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	n := portfolio.NewExam{Kind: f.Values["kind"], Subject: f.Values["subject"]}
	if v, err := strconv.Atoi(f.Values["score"]); err == nil {
		n.Score = &v
	}
	if v, err := strconv.Atoi(f.Values["max_score"]); err == nil {
		n.MaxScore = &v
	}
	n.Year, _ = strconv.Atoi(f.Values["year"])
	if _, err := h.g.AddExam(r.Context(), id, n); err != nil {
		if !f.fail(err) {
			h.site.Fail(w, r, err)
			return
		}
		h.render(w, r, httpStatus(err), id, &portfolioData{Exam: f, Back: back(r, id)})
		return
	}
	seeOther(w, r, withDone(back(r, id), "exam")+"#exams")
}

func (h portfolioPages) deleteExam(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	e, err := h.g.S.Exam(r.Context(), h.g.S.DB.Read(), id)
	if err == nil {
		err = h.g.DeleteExam(r.Context(), id)
	}
	if err != nil {
		h.failAction(w, r, err)
		return
	}
	seeOther(w, r, withDone(back(r, e.PersonID), "deleted")+"#exams")
}

func (h portfolioPages) setCertificate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	f := newPortfolioForm()
	for _, k := range []string{"kind", "series", "number", "issued_on", "honours"} {
		f.Values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	n := portfolio.NewCertificate{Series: f.Values["series"], Number: f.Values["number"], IssuedOn: f.Values["issued_on"], Honours: f.Values["honours"] == "on"}
	if _, err := h.g.SetCertificate(r.Context(), id, f.Values["kind"], n); err != nil {
		if !f.fail(err) {
			h.site.Fail(w, r, err)
			return
		}
		h.render(w, r, httpStatus(err), id, &portfolioData{Cert: f, Back: back(r, id)})
		return
	}
	seeOther(w, r, withDone(back(r, id), "certificate")+"#certificates")
}

type proposalsData struct {
	Items []portfolio.Proposal
	Names portfolioNames
	Next  string
}

// proposals lists what waits for the caller's review, oldest first.
func (h portfolioPages) proposals(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if !identity.From(ctx).Authenticated() {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	const size = 50
	items, err := h.g.Proposals(ctx, max(after, 0), size)
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	lang, _ := h.site.Prefs(r)
	d := &proposalsData{Items: items, Names: h.names(ctx, lang)}
	if len(items) == size {
		d.Next = "/proposals?after=" + strconv.FormatInt(items[len(items)-1].ID, 10)
	}
	h.site.Render(w, r, http.StatusOK, "proposals", h.site.NewPage(r, "portfolio.proposals.title", d))
}
