package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"shkola/internal/directory"
	"shkola/internal/errs"
	"shkola/internal/httpx"
	"shkola/internal/identity"
	"shkola/internal/org"
	"shkola/internal/staff"
)

// RegisterStaff serves the staff list of an organisation with the form to
// add an employment, and the staff card of a person. Names of positions and
// subjects come from the reference directory (dirs; nil shows the codes).
func (s *Site) RegisterStaff(mux *http.ServeMux, g *staff.Guard, orgs *org.Guard, dirs *directory.Service) {
	h := staffPages{site: s, g: g, orgs: orgs, dirs: dirs}
	s.Nav = append(s.Nav, NavItem{Key: "nav.staff", Path: "/staff", Roles: staffRoles()})
	mux.HandleFunc("GET /staff", h.home)
	mux.HandleFunc("GET /orgs/{id}/staff", h.list)
	mux.HandleFunc("POST /orgs/{id}/staff", h.hire)
	mux.HandleFunc("GET /staff/{id}", h.card)
	mux.HandleFunc("POST /staff/{id}/subjects", h.subjects)
	mux.HandleFunc("POST /staff/{id}/qualifications", h.qualification)
	mux.HandleFunc("POST /staff/employments/{id}/end", h.end)
}

// staffRoles are the roles the staff list is in the menu for: those with a
// staff row in the access matrix.
func staffRoles() []identity.Role {
	return []identity.Role{identity.SchoolAdmin, identity.MunicipalOfficer, identity.RegionalOfficer, identity.Inspector,
		identity.Teacher, identity.ClassTeacher}
}

type staffPages struct {
	site *Site
	g    *staff.Guard
	orgs *org.Guard
	dirs *directory.Service
}

const staffPageSize = 50

// codeName is a directory code with its name in the page's language.
type codeName struct {
	Code, Name string
	Selected   bool
}

// names gives the names of a directory's codes in lang, and the active ones
// in display order for forms. Without the directory the codes name
// themselves, so a page still works.
func (h staffPages) names(ctx context.Context, dir, lang string, fallback []string) (map[string]string, []codeName) {
	byCode := map[string]string{}
	var active []codeName
	if h.dirs != nil {
		entries, err := h.dirs.List(ctx, dir, true)
		if err == nil {
			for _, e := range entries {
				byCode[e.Code] = directory.Name(e, lang)
				if e.Active {
					active = append(active, codeName{Code: e.Code, Name: byCode[e.Code]})
				}
			}
			return byCode, active
		}
		httpx.Logger(ctx).Warn("directory names", "directory", dir, "err", err)
	}
	for _, c := range fallback {
		byCode[c] = c
		active = append(active, codeName{Code: c, Name: c})
	}
	return byCode, active
}

func nameOf(m map[string]string, code string) string {
	if n, ok := m[code]; ok {
		return n
	}
	return code
}

// staffForm is a form's values and the message id per field.
type staffForm struct {
	Values  map[string]string
	Errors  map[string]string
	Message string
}

func newStaffForm() *staffForm {
	return &staffForm{Values: map[string]string{}, Errors: map[string]string{}}
}

// staffRules are the rules the catalogue has a message for.
var staffRules = []string{"required", "format", "enum", "range", "step", "order", "future", "age", "exists", "merged", "kind",
	"status", "overlap", "max_length", "ended", "max_items", "unknown", "type"}

// fail puts a domain error beside its fields ("staff.err.<rule>"), or as a
// message for the whole form.
func (f *staffForm) fail(err error) {
	var e *errs.Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		for _, fe := range e.Fields {
			field, _, _ := strings.Cut(fe.Field, "[") // subjects[2] -> subjects
			rule := "invalid"
			for _, r := range staffRules {
				if r == fe.Rule {
					rule = r
				}
			}
			f.Errors[field] = "staff.err." + rule
		}
		return
	}
	switch errs.CodeOf(err) {
	case errs.Forbidden:
		f.Message = "staff.err.forbidden"
	case errs.Precondition:
		f.Message = "staff.err.stale"
	default:
		f.Message = "error.internal"
	}
}

// deny answers an error that is not the form's: log in, not found (a
// refusal reads as not found), or a failure page.
func (h staffPages) deny(w http.ResponseWriter, r *http.Request, err error) {
	if errs.CodeOf(err) == errs.Forbidden {
		err = errs.E(errs.NotFound, "not found")
	}
	h.site.FailAs(w, r, err, Messages{errs.NotFound: "staff.notfound"})
}

// formError reports whether err belongs beside a form (bad input, a rule,
// a conflict) rather than to the whole page.
func formError(err error) bool {
	switch errs.CodeOf(err) {
	case errs.Invalid, errs.Conflict, errs.Precondition, errs.Forbidden:
		return true
	}
	return false
}

// formFor is where a card shows an error: beside the form posted, or at
// the top when the visitor may not use that form at all.
func formFor(err error, form string) string {
	if errs.CodeOf(err) == errs.Forbidden {
		return ""
	}
	return form
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.E(errs.NotFound, "not found")
	}
	return id, nil
}

// home sends the visitor to the staff of the organisation of their first
// grant that may list staff.
func (h staffPages) home(w http.ResponseWriter, r *http.Request) {
	a := identity.From(r.Context())
	if !a.Authenticated() {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	for _, gr := range a.Grants {
		for _, role := range staffRoles() {
			if gr.Role == role {
				http.Redirect(w, r, "/orgs/"+strconv.FormatInt(gr.OrgID, 10)+"/staff", http.StatusSeeOther)
				return
			}
		}
	}
	h.deny(w, r, errs.E(errs.NotFound, "not found"))
}

type staffRow struct {
	staff.Member
	Positions []string
	Subjects  []string
}

type staffListData struct {
	Org                  org.Organisation
	Institution          bool
	Q, Position, Subject string
	Positions, Subjects  []codeName
	Items                []staffRow
	Full                 bool // rows carry subjects and link to cards
	Next, First          string
	CanHire              bool
	Form                 *staffForm
}

func (h staffPages) list(w http.ResponseWriter, r *http.Request) {
	h.renderList(w, r, http.StatusOK, nil)
}

func (h staffPages) renderList(w http.ResponseWriter, r *http.Request, status int, form *staffForm) {
	id, err := pathID(r)
	if err != nil {
		h.deny(w, r, err)
		return
	}
	ctx := r.Context()
	o, err := h.orgs.Get(ctx, id)
	if err != nil {
		h.deny(w, r, err)
		return
	}
	q := r.URL.Query()
	lang, _ := h.site.Prefs(r)
	posNames, positions := h.names(ctx, directory.Position, lang, staff.Positions())
	subjNames, subjects := h.names(ctx, directory.Subject, lang, staff.Subjects())
	d := &staffListData{Org: o, Q: strings.TrimSpace(q.Get("q")), Positions: positions, Subjects: subjects, Form: form}
	switch o.Kind {
	case org.School, org.Preschool, org.OutOfSchool, org.College:
		d.Institution = true
	}
	// The form offers only valid values; anything else is ignored rather
	// than answered with an error page.
	if _, ok := posNames[q.Get("position")]; ok {
		d.Position = q.Get("position")
	}
	if _, ok := subjNames[q.Get("subject")]; ok {
		d.Subject = q.Get("subject")
	}
	if len([]rune(d.Q)) > 200 {
		d.Q = string([]rune(d.Q)[:200])
	}
	f := staff.Filter{OrgID: id, Position: d.Position, Subject: d.Subject, Q: d.Q, Limit: staffPageSize}
	after := q.Get("after")
	if after != "" {
		if f.After, err = staff.ParseCursor(after); err != nil {
			after, f.After = "", nil
		}
	}
	items, err := h.g.List(ctx, f)
	if err != nil {
		h.deny(w, r, err)
		return
	}
	d.Full = h.g.Can(ctx, "read", id)
	d.CanHire = d.Institution && h.g.Can(ctx, "create", id)
	for _, m := range items {
		row := staffRow{Member: m}
		for _, p := range m.Posts {
			row.Positions = append(row.Positions, nameOf(posNames, p.Position))
		}
		for _, c := range m.Subjects {
			row.Subjects = append(row.Subjects, nameOf(subjNames, c))
		}
		d.Items = append(d.Items, row)
	}
	link := func(after string) string {
		v := url.Values{}
		for k, val := range map[string]string{"q": d.Q, "position": d.Position, "subject": d.Subject, "after": after} {
			if val != "" {
				v.Set(k, val)
			}
		}
		base := "/orgs/" + strconv.FormatInt(id, 10) + "/staff"
		if len(v) == 0 {
			return base
		}
		return base + "?" + v.Encode()
	}
	if c := staff.NextCursor(items, staffPageSize); c != nil {
		d.Next = link(c.String())
	}
	if after != "" {
		d.First = link("")
	}
	if d.Form == nil {
		d.Form = newStaffForm()
		d.Form.Values["rate"] = "1"
	}
	p := h.site.NewPage(r, "staff.list.title", d)
	p.Title = p.T.T("staff.list.title") + " — " + o.Name
	h.site.Render(w, r, status, "staff_list", p)
}

func (h staffPages) hire(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.deny(w, r, err)
		return
	}
	f := newStaffForm()
	for _, k := range []string{"person_id", "position", "rate", "starts_on", "ends_on", "basis"} {
		f.Values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	person, perr := strconv.ParseInt(f.Values["person_id"], 10, 64)
	if perr != nil || person <= 0 {
		f.Errors["person_id"] = "staff.err.person_id"
		h.renderList(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	e, err := h.g.Hire(r.Context(), staff.NewEmployment{PersonID: person, OrgID: id, Position: f.Values["position"],
		Rate: staff.Rate(f.Values["rate"]), StartsOn: f.Values["starts_on"], EndsOn: f.Values["ends_on"], Basis: f.Values["basis"]})
	if err != nil {
		if !formError(err) {
			h.deny(w, r, err)
			return
		}
		f.fail(err)
		h.renderList(w, r, httpStatus(err), f)
		return
	}
	http.Redirect(w, r, "/staff/"+strconv.FormatInt(e.PersonID, 10)+"?done=hired", http.StatusSeeOther)
}

type employmentRow struct {
	staff.Employment
	PositionName string
	CanEnd       bool
}

type qualificationRow struct {
	staff.Qualification
	Expired bool
}

type staffCardData struct {
	Card           staff.Card
	Employments    []employmentRow
	Subjects       []string
	SubjectOptions []codeName
	Qualifications []qualificationRow
	Kinds          []string
	CanChange      bool
	Today          string
	Done           string
	// Form holds the values and errors of the form posted last; FormFor
	// says which: "subjects", "qualification" or "end-<employment id>".
	Form    *staffForm
	FormFor string
}

func (h staffPages) card(w http.ResponseWriter, r *http.Request) {
	h.renderCard(w, r, http.StatusOK, nil, "")
}

func (h staffPages) renderCard(w http.ResponseWriter, r *http.Request, status int, form *staffForm, formFor string) {
	id, err := pathID(r)
	if err != nil {
		h.deny(w, r, err)
		return
	}
	h.renderCardOf(w, r, id, status, form, formFor)
}

func (h staffPages) renderCardOf(w http.ResponseWriter, r *http.Request, id int64, status int, form *staffForm, formFor string) {
	ctx := r.Context()
	c, err := h.g.Card(ctx, id)
	if err != nil {
		h.deny(w, r, err)
		return
	}
	lang, _ := h.site.Prefs(r)
	posNames, _ := h.names(ctx, directory.Position, lang, staff.Positions())
	subjNames, subjects := h.names(ctx, directory.Subject, lang, staff.Subjects())
	today := time.Now().UTC().Format("2006-01-02")
	d := &staffCardData{Card: c, Kinds: staff.QualificationKinds(), CanChange: h.g.CanChangeCard(ctx, id), Today: today,
		Form: form, FormFor: formFor}
	if d.Form == nil {
		d.Form = newStaffForm()
	}
	switch done := r.URL.Query().Get("done"); done {
	case "hired", "ended", "subjects", "qualification":
		d.Done = "staff.done." + done
	}
	for _, e := range c.Employments {
		d.Employments = append(d.Employments, employmentRow{Employment: e, PositionName: nameOf(posNames, e.Position),
			CanEnd: e.EndsOn == "" && h.g.Can(ctx, "update", e.OrgID)})
	}
	for _, s := range c.Subjects {
		d.Subjects = append(d.Subjects, nameOf(subjNames, s))
	}
	for _, s := range subjects {
		s.Selected = slices.Contains(c.Subjects, s.Code)
		d.SubjectOptions = append(d.SubjectOptions, s)
	}
	for _, q := range c.Qualifications {
		d.Qualifications = append(d.Qualifications, qualificationRow{Qualification: q, Expired: q.ValidUntil != "" && q.ValidUntil < today})
	}
	p := h.site.NewPage(r, "staff.card.title", d)
	p.Title = strings.TrimSpace(c.LastName + " " + c.FirstName + " " + c.MiddleName)
	h.site.Render(w, r, status, "staff_card", p)
}

func (h staffPages) subjects(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.deny(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		h.deny(w, r, errs.E(errs.Invalid, "bad form"))
		return
	}
	if _, err := h.g.SetSubjects(r.Context(), id, r.PostForm["subjects"]); err != nil {
		if !formError(err) {
			h.deny(w, r, err)
			return
		}
		f := newStaffForm()
		f.fail(err)
		h.renderCard(w, r, httpStatus(err), f, formFor(err, "subjects"))
		return
	}
	http.Redirect(w, r, "/staff/"+strconv.FormatInt(id, 10)+"?done=subjects", http.StatusSeeOther)
}

func (h staffPages) qualification(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.deny(w, r, err)
		return
	}
	f := newStaffForm()
	for _, k := range []string{"kind", "title", "issuer", "issued_on", "valid_until", "document"} {
		f.Values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	_, err = h.g.AddQualification(r.Context(), id, staff.NewQualification{Kind: f.Values["kind"], Title: f.Values["title"],
		Issuer: f.Values["issuer"], IssuedOn: f.Values["issued_on"], ValidUntil: f.Values["valid_until"], Document: f.Values["document"]})
	if err != nil {
		if !formError(err) {
			h.deny(w, r, err)
			return
		}
		f.fail(err)
		h.renderCard(w, r, httpStatus(err), f, formFor(err, "qualification"))
		return
	}
	http.Redirect(w, r, "/staff/"+strconv.FormatInt(id, 10)+"?done=qualification", http.StatusSeeOther)
}

func (h staffPages) end(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.deny(w, r, err)
		return
	}
	ctx := r.Context()
	cur, err := h.g.Employment(ctx, id)
	if err != nil {
		h.deny(w, r, err)
		return
	}
	f := newStaffForm()
	for _, k := range []string{"ends_on", "basis", "version"} {
		f.Values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	version, _ := strconv.ParseInt(f.Values["version"], 10, 64)
	if version <= 0 {
		version = -1 // a form without its version is stale, never "any"
	}
	if _, err := h.g.End(ctx, id, version, staff.End{EndsOn: f.Values["ends_on"], Basis: f.Values["basis"]}); err != nil {
		if !formError(err) {
			h.deny(w, r, err)
			return
		}
		f.fail(err)
		h.renderCardOf(w, r, cur.PersonID, httpStatus(err), f, formFor(err, "end-"+strconv.FormatInt(id, 10)))
		return
	}
	http.Redirect(w, r, "/staff/"+strconv.FormatInt(cur.PersonID, 10)+"?done=ended", http.StatusSeeOther)
}
