package web

import (
	"net/http"
	"strconv"

	"shkola/internal/account"
	"shkola/internal/errs"
	"shkola/internal/identity"
)

// RegisterAccountAdmin serves account administration within one's scope.
func (s *Site) RegisterAccountAdmin(mux *http.ServeMux, adm *account.Admin) {
	h := accountAdminPages{site: s, adm: adm}
	s.Nav = append(s.Nav, NavItem{Key: "nav.accounts", Path: "/admin/accounts",
		Roles: []identity.Role{identity.SchoolAdmin, identity.MunicipalOfficer, identity.RegionalOfficer, identity.Inspector, identity.Operator}})
	mux.HandleFunc("GET /admin/accounts", h.list)
	mux.HandleFunc("POST /admin/accounts", h.create)
	mux.HandleFunc("POST /admin/accounts/{id}/{op}", h.act)
}

type accountAdminPages struct {
	site *Site
	adm  *account.Admin
}

type accountAdminData struct {
	*formState
	Items []account.Account
	Roles []identity.Role
	Code  string // a one-time code just issued, shown once
	For   string // whose code it is
}

func (h accountAdminPages) page(w http.ResponseWriter, r *http.Request, status int, d accountAdminData) {
	items, err := h.adm.List(r.Context(), r.URL.Query().Get("q"), 0, 200)
	if err != nil {
		h.deny(w, r, err)
		return
	}
	d.Items, d.Roles = items, identity.Roles
	if d.formState == nil {
		d.formState = newForm()
	}
	h.site.Render(w, r, status, "accounts", h.site.NewPage(r, "accounts.title", d))
}

// deny answers an error that is not a form's.
func (h accountAdminPages) deny(w http.ResponseWriter, r *http.Request, err error) {
	h.site.Fail(w, r, err)
}

func (h accountAdminPages) list(w http.ResponseWriter, r *http.Request) {
	h.page(w, r, http.StatusOK, accountAdminData{})
}

func (h accountAdminPages) create(w http.ResponseWriter, r *http.Request) {
	f := newForm()
	for _, k := range []string{"login", "role", "org_id"} {
		f.Values[k] = r.PostFormValue(k)
	}
	orgID, _ := strconv.ParseInt(f.Values["org_id"], 10, 64)
	role := identity.Role(f.Values["role"])
	switch {
	case !role.Valid():
		f.Errors["role"] = "accounts.err.role"
	case orgID <= 0:
		f.Errors["org_id"] = "accounts.err.org_id"
	}
	if len(f.Errors) > 0 {
		h.page(w, r, http.StatusUnprocessableEntity, accountAdminData{formState: f})
		return
	}
	acc, code, err := h.adm.Create(r.Context(), f.Values["login"], identity.Grant{Role: role, OrgID: orgID})
	if err != nil {
		if errs.CodeOf(err) == errs.Unauthorized {
			h.deny(w, r, err)
			return
		}
		f.fail(err, "accounts.err.scope")
		for k, v := range f.Errors { // rule ids of this page
			f.Errors[k] = "accounts.err." + v[len("account.err."):]
		}
		h.page(w, r, httpStatus(err), accountAdminData{formState: f})
		return
	}
	h.page(w, r, http.StatusCreated, accountAdminData{Code: code, For: acc.Login})
}

func (h accountAdminPages) act(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.site.Fail(w, r, errs.E(errs.NotFound, "not found"))
		return
	}
	d := accountAdminData{}
	switch r.PathValue("op") {
	case "disable":
		err = h.adm.SetDisabled(r.Context(), id, true)
	case "enable":
		err = h.adm.SetDisabled(r.Context(), id, false)
	case "reset":
		d.Code, err = h.adm.ResetPassword(r.Context(), id)
		d.For = "#" + strconv.FormatInt(id, 10)
	default:
		err = errs.E(errs.NotFound, "not found")
	}
	if err != nil {
		h.deny(w, r, err)
		return
	}
	if d.Code != "" {
		h.page(w, r, http.StatusOK, d)
		return
	}
	http.Redirect(w, r, "/admin/accounts", http.StatusSeeOther)
}
