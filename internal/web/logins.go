package web

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"

	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/logins"
)

// RegisterLogins serves the issuing of a class's logins (the roster, the
// one-time result with the codes, the slips PDF) and a guardian's "My
// children" page.
func (s *Site) RegisterLogins(mux *http.ServeMux, g *logins.Guard, baseURL string) {
	h := loginPages{site: s, g: g, baseURL: baseURL}
	s.Nav = append(s.Nav, NavItem{Key: "nav.children", Path: "/children", Roles: []identity.Role{identity.Guardian}})
	mux.HandleFunc("GET /classes/{id}/logins", h.roster)
	mux.HandleFunc("POST /classes/{id}/logins", h.issue)
	mux.HandleFunc("POST /classes/{id}/logins/slips", h.slips)
	mux.HandleFunc("GET /children", h.children)
	mux.HandleFunc("POST /children/link", h.link)
	mux.HandleFunc("POST /children/{id}/login", h.childLogin)
	mux.HandleFunc("POST /children/{id}/password", h.childPassword)
}

type loginPages struct {
	site    *Site
	g       *logins.Guard
	baseURL string
}

func (h loginPages) fail(w http.ResponseWriter, r *http.Request, err error) {
	h.site.FailAs(w, r, err, Messages{errs.Forbidden: "logins.err.forbidden", errs.Invalid: "logins.err.class", errs.Conflict: "logins.err.class"})
}

type classLoginsData struct {
	Roster logins.Roster
	Result *logins.Result // after issuing: the codes, shown this once
	Issued []logins.Member
}

func (h loginPages) roster(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ro, err := h.g.Roster(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.site.NewPage(r, "logins.title", &classLoginsData{Roster: ro})
	p.Title = h.site.Catalog.For(p.Lang).T("logins.title") + " · " + ro.ClassName
	h.site.Render(w, r, http.StatusOK, "class_logins", p)
}

func (h loginPages) issue(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	res, err := h.g.Issue(r.Context(), id, r.PostFormValue("reissue") == "1")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := &classLoginsData{Roster: res.Roster, Result: &res}
	for _, f := range res.Families {
		for _, m := range append([]logins.Member{f.Pupil}, f.Guardians...) {
			if m.Code != "" && !seenAccount(d.Issued, m.AccountID) {
				d.Issued = append(d.Issued, m)
			}
		}
	}
	p := h.site.NewPage(r, "logins.title", d)
	p.Title = h.site.Catalog.For(p.Lang).T("logins.title") + " · " + res.ClassName
	// The codes are on this page only: no cache keeps it.
	w.Header().Set("Cache-Control", "no-store")
	h.site.Render(w, r, http.StatusOK, "class_logins", p)
}

func seenAccount(list []logins.Member, id int64) bool {
	for _, m := range list {
		if m.AccountID == id {
			return true
		}
	}
	return false
}

// slips prints the codes the result page carried back (each checked
// against its stored hash) as a PDF in the page's language.
func (h loginPages) slips(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, errs.E(errs.Invalid, "bad form"))
		return
	}
	ids, codes := r.PostForm["account_id"], r.PostForm["code"]
	var list []logins.SlipCode
	for i := range min(len(ids), len(codes), logins.MaxSlipCodes+1) {
		n, _ := strconv.ParseInt(ids[i], 10, 64)
		list = append(list, logins.SlipCode{AccountID: n, Code: codes[i]})
	}
	s, err := h.g.Slips(r.Context(), id, list)
	if err != nil {
		if errs.CodeOf(err) == errs.Invalid {
			h.site.Render(w, r, http.StatusUnprocessableEntity, "error", h.site.NewPage(r, "error.title", "logins.err.slips"))
			return
		}
		h.fail(w, r, err)
		return
	}
	lang, _ := h.site.Prefs(r)
	var buf bytes.Buffer
	if err := logins.WriteSlipsPDF(&buf, s, lang, h.baseURL); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="logins-`+strconv.FormatInt(id, 10)+`.pdf"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

type childrenData struct {
	Items []logins.Child
	Form  *formState
	For   int64 // the child whose form the messages belong to; 0: the link form
}

func (h loginPages) renderChildren(w http.ResponseWriter, r *http.Request, status int, d *childrenData) {
	items, err := h.g.Children(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Items = items
	if d.Form == nil {
		d.Form = newForm()
	}
	h.site.Render(w, r, status, "children", h.site.NewPage(r, "logins.children.title", d))
}

func (h loginPages) children(w http.ResponseWriter, r *http.Request) {
	h.renderChildren(w, r, http.StatusOK, &childrenData{})
}

// formFail puts err beside its fields ("logins.err.<field>.<rule>") or as
// the form's message; false when err is not about the input.
func formFail(f *formState, err error) bool {
	var e *errs.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code {
	case errs.Invalid, errs.Conflict:
		for _, fe := range e.Fields {
			f.Errors[fe.Field] = "logins.err." + fe.Field + "." + fe.Rule
		}
		if len(e.Fields) == 0 {
			f.Message = "logins.err.noaccount"
		}
		return true
	case errs.Forbidden:
		f.Message = "logins.err.manage"
		return true
	}
	return false
}

func (h loginPages) link(w http.ResponseWriter, r *http.Request) {
	d := &childrenData{Form: newForm()}
	_, err := h.g.Link(r.Context(), r.PostFormValue("code"))
	if err != nil {
		if !formFail(d.Form, err) {
			h.fail(w, r, err)
			return
		}
		h.renderChildren(w, r, httpStatus(err), d)
		return
	}
	d.Form.Done = "logins.children.linked"
	h.renderChildren(w, r, http.StatusOK, d)
}

func (h loginPages) childLogin(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := &childrenData{Form: newForm(), For: id}
	d.Form.Values["login"] = r.PostFormValue("login")
	if _, err := h.g.SetChildLogin(r.Context(), id, r.PostFormValue("login")); err != nil {
		if errs.CodeOf(err) == errs.NotFound || !formFail(d.Form, err) {
			h.fail(w, r, err)
			return
		}
		h.renderChildren(w, r, httpStatus(err), d)
		return
	}
	d.Form.Done = "logins.children.login_changed"
	h.renderChildren(w, r, http.StatusOK, d)
}

func (h loginPages) childPassword(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := &childrenData{Form: newForm(), For: id}
	if r.PostFormValue("password") != r.PostFormValue("password2") {
		d.Form.Errors["password2"] = "logins.err.password2.match"
		h.renderChildren(w, r, http.StatusUnprocessableEntity, d)
		return
	}
	if _, err := h.g.SetChildPassword(r.Context(), id, r.PostFormValue("password")); err != nil {
		if errs.CodeOf(err) == errs.NotFound || !formFail(d.Form, err) {
			h.fail(w, r, err)
			return
		}
		h.renderChildren(w, r, httpStatus(err), d)
		return
	}
	d.Form.Done = "logins.children.password_set"
	h.renderChildren(w, r, http.StatusOK, d)
}
