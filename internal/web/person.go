package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/registry"
)

// RegisterPerson serves the registry's pages: the list with search, the
// card, the create and edit forms, guardian links and suspected duplicates.
// Every decision is the registry's; the pages only show what it returns.
func (s *Site) RegisterPerson(mux *http.ServeMux, p *registry.People) {
	s.Nav = append(s.Nav, NavItem{Key: "nav.persons", Path: "/persons", Roles: []identity.Role{identity.SchoolAdmin, identity.MunicipalOfficer,
		identity.RegionalOfficer, identity.Inspector, identity.Medical, identity.Teacher, identity.ClassTeacher}})
	h := personPages{site: s, p: p}
	mux.HandleFunc("GET /persons", h.list)
	mux.HandleFunc("GET /persons/new", h.newForm)
	mux.HandleFunc("POST /persons/new", h.create)
	mux.HandleFunc("GET /persons/duplicates", h.duplicates)
	mux.HandleFunc("GET /persons/{id}", h.card)
	mux.HandleFunc("GET /persons/{id}/edit", h.editForm)
	mux.HandleFunc("POST /persons/{id}/edit", h.update)
	mux.HandleFunc("POST /persons/{id}/guardians", h.link)
	mux.HandleFunc("POST /persons/{id}/merge", h.merge)
	mux.HandleFunc("POST /guardianships/{id}/end", h.endLink)
}

type personPages struct {
	site *Site
	p    *registry.People
}

const personPageSize = 50

// personForm is a person form's values and messages beside fields; the
// messages name the rule broken ("person.rule.checksum").
type personForm struct {
	*formState
	ID      int64
	Version int64
	Shown   map[string]bool // fields on an edit form: those the caller may see
	Kinds   []string        // guardian kinds, for the link form
	Docs    []string        // document kinds
}

func newPersonForm() *personForm {
	return &personForm{formState: newForm(), Kinds: registry.GuardianKinds(), Docs: registry.DocumentKinds()}
}

func (f *personForm) failWith(err error) bool {
	var e *errs.Error
	if !errors.As(err, &e) || (e.Code != errs.Invalid && e.Code != errs.Conflict && e.Code != errs.Precondition && e.Code != errs.Forbidden) {
		return false
	}
	for _, fe := range e.Fields {
		f.Errors[strings.TrimPrefix(fe.Field, "documents[0].")] = "person.rule." + fe.Rule
	}
	switch e.Code {
	case errs.Precondition:
		f.Message = "person.err.stale"
	case errs.Forbidden:
		f.Message = "person.err.forbidden"
	default:
		if len(e.Fields) == 0 {
			f.Message = "person.err.conflict"
		}
	}
	return true
}

type personListData struct {
	Q, SNILS, Document string
	Items              []registry.Summary
	Next, First        string
	Message            string
}

func (h personPages) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := &personListData{Q: clip(q.Get("q")), SNILS: clip(q.Get("snils")), Document: clip(q.Get("document"))}
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	items, err := h.p.List(r.Context(), registry.Filter{Q: d.Q, SNILS: d.SNILS, Document: d.Document, After: max(after, 0), Limit: personPageSize})
	if errs.CodeOf(err) == errs.Invalid {
		d.Message, err = "person.err.search", nil
	}
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	d.Items = items
	link := func(after int64) string {
		v := url.Values{}
		for k, s := range map[string]string{"q": d.Q, "snils": d.SNILS, "document": d.Document} {
			if s != "" {
				v.Set(k, s)
			}
		}
		if after > 0 {
			v.Set("after", strconv.FormatInt(after, 10))
		}
		return "/persons?" + v.Encode()
	}
	if len(items) == personPageSize {
		d.Next = link(items[len(items)-1].ID)
	}
	if after > 0 {
		d.First = link(0)
	}
	h.site.Render(w, r, http.StatusOK, "persons", h.site.NewPage(r, "person.list.title", d))
}

func clip(s string) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > 200 {
		return string(r[:200])
	}
	return s
}

// personFields are the form fields of a person, in form order.
func personFields() []string {
	return []string{"last_name", "first_name", "middle_name", "birth_date", "sex", "citizenship",
		"reg_address", "fact_address", "phone", "email", "snils", "rnokpp", "unzr",
		"health_group", "pe_group", "disability", "disability_cause", "long_treatment", "adapted_programme"}
}

func (h personPages) newForm(w http.ResponseWriter, r *http.Request) {
	f := newPersonForm()
	f.Values["org_id"] = r.URL.Query().Get("org_id")
	f.Values["citizenship"] = "RU"
	h.site.Render(w, r, http.StatusOK, "person_form", h.site.NewPage(r, "person.new.title", f))
}

func (h personPages) create(w http.ResponseWriter, r *http.Request) {
	f := newPersonForm()
	for _, k := range append(personFields(), "org_id", "doc_kind", "doc_series", "doc_number", "doc_issued_on", "doc_issuer") {
		f.Values[k] = r.PostFormValue(k)
	}
	org, _ := strconv.ParseInt(f.Values["org_id"], 10, 64)
	n := registry.NewPerson{OrgID: org, LastName: f.Values["last_name"], FirstName: f.Values["first_name"], MiddleName: f.Values["middle_name"],
		BirthDate: f.Values["birth_date"], Sex: f.Values["sex"], Citizenship: f.Values["citizenship"],
		RegAddress: f.Values["reg_address"], FactAddress: f.Values["fact_address"], Phone: f.Values["phone"], Email: f.Values["email"],
		SNILS: f.Values["snils"], RNOKPP: f.Values["rnokpp"], UNZR: f.Values["unzr"],
		HealthGroup: f.Values["health_group"], PEGroup: f.Values["pe_group"], Disability: f.Values["disability"],
		DisabilityCause: f.Values["disability_cause"], LongTreatment: f.Values["long_treatment"], AdaptedProgramme: f.Values["adapted_programme"]}
	if f.Values["doc_number"] != "" {
		n.Documents = []registry.NewDocument{{Kind: f.Values["doc_kind"], Series: f.Values["doc_series"], Number: f.Values["doc_number"],
			IssuedOn: f.Values["doc_issued_on"], Issuer: f.Values["doc_issuer"]}}
	}
	// The document's field errors come back as documents[0].<field>.
	p, err := h.p.Create(r.Context(), n)
	if err != nil {
		if !f.failWith(err) {
			h.site.Fail(w, r, err)
			return
		}
		for _, k := range []string{"kind", "series", "number", "issued_on", "issuer"} {
			if m, ok := f.Errors[k]; ok {
				f.Errors["doc_"+k] = m
			}
		}
		h.site.Render(w, r, httpStatus(err), "person_form", h.site.NewPage(r, "person.new.title", f))
		return
	}
	http.Redirect(w, r, "/persons/"+strconv.FormatInt(p.ID, 10), http.StatusSeeOther)
}

type personCardData struct {
	P         registry.Person
	Guardians []registry.Guardianship
	Children  []registry.Guardianship
	Link      *personForm // the guardian link form, with its errors
	Age       int
	CanEdit   bool // some field category may be changed
	CanLink   bool
}

func (h personPages) card(w http.ResponseWriter, r *http.Request) {
	h.renderCard(w, r, http.StatusOK, newPersonForm())
}

func (h personPages) renderCard(w http.ResponseWriter, r *http.Request, status int, link *personForm) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		h.site.Fail(w, r, errs.E(errs.NotFound, "not found"))
		return
	}
	ctx := r.Context()
	p, err := h.p.Get(ctx, id)
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	d := &personCardData{P: p, Link: link, Age: p.Age(h.p.Now()), CanLink: h.p.May(ctx, registry.GuardianResource, "create", p)}
	for _, cat := range []string{registry.Resource, registry.ContactFields, registry.IdentityFields, registry.SpecialFields} {
		d.CanEdit = d.CanEdit || h.p.May(ctx, cat, "update", p)
	}
	// Links the caller may not read are simply not shown.
	if d.Guardians, err = h.p.Guardians(ctx, id); err != nil && !hidden(err) {
		h.site.Fail(w, r, err)
		return
	}
	if d.Children, err = h.p.Children(ctx, id); err != nil && !hidden(err) {
		h.site.Fail(w, r, err)
		return
	}
	pg := h.site.NewPage(r, "person.card.title", d)
	pg.Title = p.LastName + " " + p.FirstName
	h.site.Render(w, r, status, "person", pg)
}

// hidden: the caller may not see this part of the page.
func hidden(err error) bool {
	c := errs.CodeOf(err)
	return c == errs.NotFound || c == errs.Forbidden || c == errs.Unauthorized
}

func (h personPages) editForm(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		h.site.Fail(w, r, errs.E(errs.NotFound, "not found"))
		return
	}
	p, err := h.p.Get(r.Context(), id)
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	f := newPersonForm()
	f.ID, f.Version = p.ID, p.Version
	f.Values = personValues(p)
	f.Shown = map[string]bool{}
	for k := range f.Values {
		f.Shown[k] = true
	}
	h.site.Render(w, r, http.StatusOK, "person_form", h.site.NewPage(r, "person.edit.title", f))
}

// personValues are the fields of p the caller can see, as form values
// (empty ones included); a field absent here is absent from the edit form.
func personValues(p registry.Person) map[string]string {
	out := map[string]string{"last_name": p.LastName, "first_name": p.FirstName, "middle_name": p.MiddleName,
		"birth_date": p.BirthDate, "sex": p.Sex, "citizenship": p.Citizenship}
	for k, v := range map[string]*string{"reg_address": p.RegAddress, "fact_address": p.FactAddress, "phone": p.Phone, "email": p.Email,
		"snils": p.SNILS, "rnokpp": p.RNOKPP, "unzr": p.UNZR, "health_group": p.HealthGroup, "pe_group": p.PEGroup, "disability": p.Disability,
		"disability_cause": p.DisabilityCause, "long_treatment": p.LongTreatment, "adapted_programme": p.AdaptedProgramme} {
		switch {
		case v != nil:
			out[k] = *v
		case p.Readable[registry.FieldCategory(k)]:
			out[k] = ""
		}
	}
	return out
}

func (h personPages) update(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		h.site.Fail(w, r, errs.E(errs.NotFound, "not found"))
		return
	}
	f := newPersonForm()
	f.ID = id
	f.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	cur, err := h.p.Get(r.Context(), id)
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	f.Shown = map[string]bool{}
	// Only fields that were on the form and changed are sent: a field the
	// caller cannot see is never on the form, so it is never touched.
	shown := personValues(cur)
	patch := registry.Patch{}
	for _, k := range personFields() {
		if _, on := r.PostForm[k]; !on {
			continue
		}
		v := r.PostFormValue(k)
		f.Values[k], f.Shown[k] = v, true
		if old, seen := shown[k]; !seen || old != v {
			patch[k] = v
		}
	}
	if len(patch) == 0 {
		http.Redirect(w, r, "/persons/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
		return
	}
	if _, err := h.p.Update(r.Context(), id, f.Version, patch); err != nil {
		if !f.failWith(err) {
			h.site.Fail(w, r, err)
			return
		}
		h.site.Render(w, r, httpStatus(err), "person_form", h.site.NewPage(r, "person.edit.title", f))
		return
	}
	http.Redirect(w, r, "/persons/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

func (h personPages) link(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		h.site.Fail(w, r, errs.E(errs.NotFound, "not found"))
		return
	}
	f := newPersonForm()
	for _, k := range []string{"guardian_id", "kind", "starts_on", "doc_kind", "doc_series", "doc_number", "doc_date", "doc_issuer"} {
		f.Values[k] = r.PostFormValue(k)
	}
	gid, _ := strconv.ParseInt(f.Values["guardian_id"], 10, 64)
	_, err = h.p.Link(r.Context(), id, registry.NewGuardianship{GuardianID: gid, Kind: f.Values["kind"], StartsOn: f.Values["starts_on"],
		DocKind: f.Values["doc_kind"], DocSeries: f.Values["doc_series"], DocNumber: f.Values["doc_number"], DocDate: f.Values["doc_date"], DocIssuer: f.Values["doc_issuer"]})
	if err != nil {
		if !f.failWith(err) {
			h.site.Fail(w, r, err)
			return
		}
		h.renderCard(w, r, httpStatus(err), f)
		return
	}
	http.Redirect(w, r, "/persons/"+strconv.FormatInt(id, 10)+"#guardians", http.StatusSeeOther)
}

func (h personPages) endLink(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		h.site.Fail(w, r, errs.E(errs.NotFound, "not found"))
		return
	}
	g, err := h.p.EndLink(r.Context(), id, r.PostFormValue("ends_on"))
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/persons/"+strconv.FormatInt(g.ChildID, 10)+"#guardians", http.StatusSeeOther)
}

type duplicatesData struct {
	Groups  []registry.DuplicateGroup
	Message string
}

func (h personPages) duplicates(w http.ResponseWriter, r *http.Request) {
	h.renderDuplicates(w, r, http.StatusOK, "")
}

func (h personPages) renderDuplicates(w http.ResponseWriter, r *http.Request, status int, msg string) {
	groups, err := h.p.Duplicates(r.Context(), 100)
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	h.site.Render(w, r, status, "person_duplicates", h.site.NewPage(r, "person.dup.title", &duplicatesData{Groups: groups, Message: msg}))
}

func (h personPages) merge(w http.ResponseWriter, r *http.Request) {
	into, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || into <= 0 {
		h.site.Fail(w, r, errs.E(errs.NotFound, "not found"))
		return
	}
	from, _ := strconv.ParseInt(r.PostFormValue("from"), 10, 64)
	if _, err := h.p.Merge(r.Context(), into, from); err != nil {
		if c := errs.CodeOf(err); c == errs.Conflict || c == errs.Invalid {
			h.renderDuplicates(w, r, httpStatus(err), "person.err.merge")
			return
		}
		h.site.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/persons/"+strconv.FormatInt(into, 10), http.StatusSeeOther)
}
