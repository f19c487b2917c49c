package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"shkola/internal/contingent"
	"shkola/internal/errs"
	"shkola/internal/identity"
)

// RegisterContingent serves the contingent pages: a pupil's trajectory with
// the forms that record movements, an organisation's transfers (accept and
// decline), its pupils whose whereabouts are unknown and its movements
// register. Every page asks the Guard, which decides access.
func (s *Site) RegisterContingent(mux *http.ServeMux, g *contingent.Guard) {
	s.Nav = append(s.Nav, NavItem{Key: "nav.contingent", Path: "/contingent",
		Roles: []identity.Role{identity.SchoolAdmin, identity.MunicipalOfficer, identity.RegionalOfficer}})
	h := contingentPages{site: s, g: g}
	mux.HandleFunc("GET /contingent", h.offices)
	mux.HandleFunc("GET /persons/{id}/movements", h.trajectory)
	mux.HandleFunc("POST /persons/{id}/movements", h.record)
	mux.HandleFunc("GET /orgs/{id}/transfers", h.transfers)
	mux.HandleFunc("POST /orgs/{id}/transfers/{tid}/{op}", h.decide)
	mux.HandleFunc("GET /orgs/{id}/whereabouts", h.whereabouts)
	mux.HandleFunc("GET /orgs/{id}/movements", h.register)
}

type contingentPages struct {
	site *Site
	g    *contingent.Guard
}

const contingentPageSize = 200

func (h contingentPages) fail(w http.ResponseWriter, r *http.Request, err error) {
	h.site.FailAs(w, r, err, Messages{errs.Forbidden: "contingent.forbidden", errs.Invalid: "contingent.badquery"})
}

func pathInt(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.E(errs.NotFound, "not found")
	}
	return id, nil
}

// movementForm is a form's values and its messages, translated with the
// data a rule names (a school, a date).
type movementForm struct {
	Values  map[string]string
	Errors  map[string]string // field -> translated message
	Message string            // translated message for the whole form
}

func newMovementForm() *movementForm {
	return &movementForm{Values: map[string]string{}, Errors: map[string]string{}}
}

// fail puts err beside the fields of the form that has them; other fields
// and errors without fields make the form's message.
func (f *movementForm) fail(t *Translator, err error, fields ...string) {
	var data map[string]string
	var re *contingent.RuleError
	if errors.As(err, &re) {
		data = re.Data
	}
	var e *errs.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		f.Message = t.T("contingent.err.failed")
		return
	}
	for _, fe := range e.Fields {
		msg := t.T("contingent.err."+fe.Field+"."+fe.Rule, data)
		if strings.HasPrefix(msg, "contingent.err.") { // a rule the catalogue does not name
			msg = t.T("contingent.err.rule", map[string]string{"Field": fe.Field, "Rule": fe.Rule})
		}
		placed := false
		for _, name := range fields {
			if name == fe.Field {
				f.Errors[fe.Field], placed = msg, true
			}
		}
		if !placed {
			if f.Message != "" {
				f.Message += " "
			}
			f.Message += msg
		}
	}
}

func formID(r *http.Request, f *movementForm, name string) int64 {
	s := strings.TrimSpace(r.PostFormValue(name))
	f.Values[name] = s
	if s == "" {
		return 0
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		f.Errors[name] = "x" // replaced below by the field's message
		return -1
	}
	return id
}

func formText(r *http.Request, f *movementForm, name string) string {
	s := strings.TrimSpace(r.PostFormValue(name))
	f.Values[name] = s
	return s
}

// --- the landing page ---------------------------------------------------

func (h contingentPages) offices(w http.ResponseWriter, r *http.Request) {
	if !identity.From(r.Context()).Authenticated() {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	list, err := h.g.Offices(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.site.Render(w, r, http.StatusOK, "contingent", h.site.NewPage(r, "contingent.title", struct {
		Offices []contingent.Office
		Days    int
	}{list, h.g.LostAfterDays()}))
}

// --- a pupil's trajectory -------------------------------------------------

type trajectoryData struct {
	Person    contingent.PersonRef
	Enrolment *contingent.Enrolment
	Items     []contingent.Movement
	Next      string
	Kinds     []contingent.Kind // the kinds the actor may record now
	Kind      contingent.Kind   // the form shown
	Form      *movementForm
	Done      bool
	// Choices of the form shown.
	Orgs, Classes, Destinations []contingent.Ref
	OrgID                       int64 // the admitting organisation chosen
	Forms                       []string
	Today                       string // the latest date a movement may bear
}

func (h contingentPages) trajectory(w http.ResponseWriter, r *http.Request) {
	h.showTrajectory(w, r, http.StatusOK, contingent.Kind(r.URL.Query().Get("kind")), newMovementForm())
}

func (h contingentPages) showTrajectory(w http.ResponseWriter, r *http.Request, status int, kind contingent.Kind, f *movementForm) {
	ctx := r.Context()
	id, err := pathInt(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	person, err := h.g.Pupil(ctx, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	d := &trajectoryData{Person: person, Form: f, Done: r.URL.Query().Get("done") == "1", Forms: contingent.FormsOfStudy(),
		Today: h.g.Latest()}
	if d.Items, err = h.g.Trajectory(ctx, id, max(after, 0), contingentPageSize); err != nil {
		h.fail(w, r, err)
		return
	}
	if len(d.Items) == contingentPageSize {
		d.Next = "/persons/" + strconv.FormatInt(id, 10) + "/movements?after=" + strconv.FormatInt(d.Items[len(d.Items)-1].ID, 10)
	}
	e, enrolled, err := h.g.Enrolment(ctx, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if enrolled {
		d.Enrolment = &e
	}
	if h.g.MayMove(ctx, id) {
		switch {
		case !enrolled:
			d.Kinds = []contingent.Kind{contingent.KindAdmission}
		case e.Status == contingent.OnLeave:
			d.Kinds = []contingent.Kind{contingent.KindReturn, contingent.KindClassTransfer, contingent.KindDeparture, contingent.KindExpulsion, contingent.KindGraduation}
		default:
			d.Kinds = []contingent.Kind{contingent.KindClassTransfer, contingent.KindDeparture, contingent.KindExpulsion, contingent.KindGraduation, contingent.KindLeave}
		}
	}
	for _, k := range d.Kinds {
		if k == kind {
			d.Kind = k
		}
	}
	if err := h.choices(r, d, enrolled, e); err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.site.NewPage(r, "contingent.trajectory.title", d)
	p.Title = p.T.T("contingent.trajectory.title") + ": " + person.LastName + " " + person.FirstName
	h.site.Render(w, r, status, "trajectory", p)
}

// choices fills the select lists of the form shown.
func (h contingentPages) choices(r *http.Request, d *trajectoryData, enrolled bool, e contingent.Enrolment) error {
	ctx := r.Context()
	var err error
	switch d.Kind {
	case contingent.KindAdmission:
		if d.Orgs, err = h.g.AdmittingOrgs(ctx); err != nil {
			return err
		}
		chosen := d.Form.Values["org_id"]
		if chosen == "" {
			chosen = r.URL.Query().Get("org")
		}
		d.OrgID, _ = strconv.ParseInt(chosen, 10, 64)
		if len(d.Orgs) == 1 {
			d.OrgID = d.Orgs[0].ID
		}
		if d.OrgID > 0 {
			if d.Classes, err = h.g.Classes(ctx, d.OrgID); err != nil {
				return err
			}
		}
	case contingent.KindClassTransfer:
		if enrolled {
			d.Classes, err = h.g.Classes(ctx, e.Org.ID)
		}
	case contingent.KindDeparture:
		if enrolled {
			d.Destinations, err = h.g.Destinations(ctx, e.Org.ID)
		}
	}
	return err
}

func (h contingentPages) record(w http.ResponseWriter, r *http.Request) {
	id, err := pathInt(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := newMovementForm()
	req := contingent.Request{Kind: contingent.Kind(formText(r, f, "kind")), Date: formText(r, f, "date"),
		OrgID: formID(r, f, "org_id"), ClassID: formID(r, f, "class_id"), FormOfStudy: formText(r, f, "form_of_study"),
		Destination: formText(r, f, "destination"), ToOrgID: formID(r, f, "to_org_id"), Place: formText(r, f, "place"),
		Reason: formText(r, f, "reason"), BasisNumber: formText(r, f, "basis_number"), BasisDate: formText(r, f, "basis_date")}
	if req.Destination != contingent.ToOrg {
		req.ToOrgID = 0 // the select stays in the form whichever destination is chosen
	}
	if req.Destination != contingent.ToOutside {
		req.Place = ""
	}
	lang, _ := h.site.Prefs(r)
	t := h.site.Catalog.For(lang)
	fields := []string{"date", "org_id", "class_id", "form_of_study", "destination", "to_org_id", "place", "reason", "basis_number", "basis_date"}
	bad := false
	for _, name := range []string{"org_id", "class_id", "to_org_id"} {
		if f.Errors[name] != "" {
			f.Errors[name], bad = t.T("contingent.err.id"), true
		}
	}
	if !bad {
		if _, err = h.g.Record(r.Context(), id, req); err == nil {
			http.Redirect(w, r, "/persons/"+strconv.FormatInt(id, 10)+"/movements?done=1", http.StatusSeeOther)
			return
		}
		switch errs.CodeOf(err) {
		case errs.Invalid, errs.Conflict:
			f.fail(t, err, fields...)
		default:
			h.fail(w, r, err)
			return
		}
	}
	status := http.StatusUnprocessableEntity
	if err != nil {
		status = httpStatus(err)
	}
	h.showTrajectory(w, r, status, req.Kind, f)
}

// --- transfers --------------------------------------------------------------

type transfersData struct {
	Org                   contingent.Ref
	Incoming, Other, Outs []contingent.Transfer
	MayDecide             bool
	Classes               []contingent.Ref
	Forms                 []string
	// The transfer whose form failed, with its messages.
	FormFor int64
	Form    *movementForm
	Done    string
	Today   string
}

func (h contingentPages) org(r *http.Request) (contingent.Ref, error) {
	id, err := pathInt(r, "id")
	if err != nil {
		return contingent.Ref{}, err
	}
	return h.g.OrgRef(r.Context(), id)
}

func (h contingentPages) transfers(w http.ResponseWriter, r *http.Request) {
	h.showTransfers(w, r, http.StatusOK, 0, newMovementForm())
}

func (h contingentPages) showTransfers(w http.ResponseWriter, r *http.Request, status int, formFor int64, f *movementForm) {
	ctx := r.Context()
	o, err := h.org(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := &transfersData{Org: o, FormFor: formFor, Form: f, Done: r.URL.Query().Get("done"), Forms: contingent.FormsOfStudy(),
		Today: h.g.Latest()}
	list := func(dir, st string) ([]contingent.Transfer, error) {
		return h.g.Transfers(ctx, o.ID, contingent.TransferFilter{Direction: dir, Status: st, Limit: contingentPageSize})
	}
	if d.Incoming, err = list("in", contingent.Pending); err != nil {
		h.fail(w, r, err)
		return
	}
	all, err := list("in", "")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, t := range all {
		if t.Status != contingent.Pending {
			d.Other = append(d.Other, t)
		}
	}
	if d.Outs, err = list("out", ""); err != nil {
		h.fail(w, r, err)
		return
	}
	d.MayDecide = h.g.May(ctx, contingent.TransferResource, "accept", o.ID)
	if d.MayDecide && len(d.Incoming) > 0 {
		if d.Classes, err = h.g.Classes(ctx, o.ID); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	p := h.site.NewPage(r, "contingent.transfers.title", d)
	p.Title = p.T.T("contingent.transfers.title") + ": " + o.Name
	h.site.Render(w, r, status, "transfers", p)
}

func (h contingentPages) decide(w http.ResponseWriter, r *http.Request) {
	orgID, err := pathInt(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	tid, err := pathInt(r, "tid")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := newMovementForm()
	lang, _ := h.site.Prefs(r)
	t := h.site.Catalog.For(lang)
	var fields []string
	switch r.PathValue("op") {
	case "accept":
		in := contingent.Accept{ClassID: formID(r, f, "class_id"), Date: formText(r, f, "date"), FormOfStudy: formText(r, f, "form_of_study"),
			BasisNumber: formText(r, f, "basis_number"), BasisDate: formText(r, f, "basis_date")}
		fields = []string{"class_id", "date", "form_of_study", "basis_number", "basis_date"}
		if f.Errors["class_id"] != "" {
			f.Errors["class_id"] = t.T("contingent.err.id")
			h.showTransfers(w, r, http.StatusUnprocessableEntity, tid, f)
			return
		}
		_, err = h.g.Accept(r.Context(), tid, in)
	case "decline":
		fields = []string{"reason"}
		_, err = h.g.DeclineTransfer(r.Context(), tid, contingent.Decline{Reason: formText(r, f, "reason")})
	default:
		err = errs.E(errs.NotFound, "not found")
	}
	switch {
	case err == nil:
		seeOther(w, r, "/orgs/"+strconv.FormatInt(orgID, 10)+"/transfers?done="+url.QueryEscape(r.PathValue("op")))
	case errs.CodeOf(err) == errs.Invalid || errs.CodeOf(err) == errs.Conflict:
		f.fail(t, err, fields...)
		h.showTransfers(w, r, httpStatus(err), tid, f)
	default:
		h.fail(w, r, err)
	}
}

// --- whereabouts unknown ----------------------------------------------------

func (h contingentPages) whereabouts(w http.ResponseWriter, r *http.Request) {
	o, err := h.org(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	items, err := h.g.Whereabouts(r.Context(), o.ID, max(after, 0), contingentPageSize)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	next := ""
	if len(items) == contingentPageSize {
		next = "/orgs/" + strconv.FormatInt(o.ID, 10) + "/whereabouts?after=" + strconv.FormatInt(items[len(items)-1].ID, 10)
	}
	p := h.site.NewPage(r, "contingent.whereabouts.title", struct {
		Org   contingent.Ref
		Items []contingent.Transfer
		Days  int
		Next  string
	}{o, items, h.g.LostAfterDays(), next})
	p.Title = p.T.T("contingent.whereabouts.title") + ": " + o.Name
	h.site.Render(w, r, http.StatusOK, "whereabouts", p)
}

// --- the movements register -------------------------------------------------

func (h contingentPages) register(w http.ResponseWriter, r *http.Request) {
	o, err := h.org(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	today, _ := time.Parse("2006-01-02", h.g.Today())
	f := contingent.RegisterFilter{From: q.Get("from"), To: q.Get("to"), Limit: contingentPageSize}
	// The form offers valid values only; anything else falls back to the
	// default period (the last 30 days) rather than an error page.
	if _, err := time.Parse("2006-01-02", f.From); err != nil {
		f.From = today.AddDate(0, 0, -30).Format("2006-01-02")
	}
	if _, err := time.Parse("2006-01-02", f.To); err != nil || f.To < f.From {
		f.To = today.Format("2006-01-02")
	}
	if k := contingent.Kind(q.Get("kind")); k.Valid() {
		f.Kind = k
	}
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	f.After = max(after, 0)
	items, err := h.g.Register(r.Context(), o.ID, f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	next := ""
	if len(items) == contingentPageSize {
		v := url.Values{"from": {f.From}, "to": {f.To}, "after": {strconv.FormatInt(items[len(items)-1].ID, 10)}}
		if f.Kind != "" {
			v.Set("kind", string(f.Kind))
		}
		next = "/orgs/" + strconv.FormatInt(o.ID, 10) + "/movements?" + v.Encode()
	}
	p := h.site.NewPage(r, "contingent.register.title", struct {
		Org    contingent.Ref
		Filter contingent.RegisterFilter
		Kinds  []contingent.Kind
		Items  []contingent.Movement
		Next   string
	}{o, f, contingent.Kinds(), items, next})
	p.Title = p.T.T("contingent.register.title") + ": " + o.Name
	h.site.Render(w, r, http.StatusOK, "movements", p)
}
