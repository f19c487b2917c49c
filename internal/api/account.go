package api

import (
	"net/http"

	"shkola/internal/account"
	"shkola/internal/errs"
	"shkola/internal/identity"
)

// RegisterAccount serves the caller's own account and sessions. Bearer
// tokens only: the session middleware never lets a cookie authenticate
// under /api/.
func RegisterAccount(rt *Router, svc *account.Service, adm *account.Admin) {
	h := accountAdmin{adm: adm}
	rt.Handle("GET", "/accounts", h.list)
	rt.Handle("POST", "/accounts", h.create)
	rt.Handle("GET", "/accounts/{id}", h.get)
	rt.Handle("POST", "/accounts/{id}/disable", h.disable(true))
	rt.Handle("POST", "/accounts/{id}/enable", h.disable(false))
	rt.Handle("POST", "/accounts/{id}/reset", h.reset)
	rt.Handle("GET", "/me", func(w http.ResponseWriter, r *http.Request) {
		a, ok := bearerAccount(w, r)
		if !ok {
			return
		}
		acc, err := svc.Get(r.Context(), a.AccountID)
		if err != nil {
			Fail(w, r, err)
			return
		}
		Write(w, r, http.StatusOK, acc)
	})
	rt.Handle("GET", "/me/sessions", func(w http.ResponseWriter, r *http.Request) {
		a, ok := bearerAccount(w, r)
		if !ok {
			return
		}
		list, err := svc.Sessions(r.Context(), a.AccountID, a.SessionID)
		if err != nil {
			Fail(w, r, err)
			return
		}
		Write(w, r, http.StatusOK, map[string]any{"items": list})
	})
	rt.Handle("DELETE", "/me/sessions/{id}", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := bearerAccount(w, r); !ok {
			return
		}
		// Another account's session id answers 404, like an unknown one.
		if err := svc.RevokeSession(r.Context(), r.PathValue("id")); err != nil {
			Fail(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// bearerAccount is the account behind the bearer token, or a 401.
func bearerAccount(w http.ResponseWriter, r *http.Request) (*identity.Actor, bool) {
	a := identity.From(r.Context())
	if a.AccountID == 0 {
		Fail(w, r, errs.E(errs.Unauthorized, "send Authorization: Bearer <token>"))
		return nil, false
	}
	return a, true
}

type accountAdmin struct{ adm *account.Admin }

func (h accountAdmin) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, err := ParsePage(q)
	if err != nil {
		Fail(w, r, err)
		return
	}
	f, err := Filters(q, map[string]func(string) bool{"q": func(s string) bool { return len(s) > 0 && len(s) <= 64 }})
	if err != nil {
		Fail(w, r, err)
		return
	}
	items, err := h.adm.List(r.Context(), f["q"], page.After, page.Limit)
	if err != nil {
		Fail(w, r, err)
		return
	}
	WritePage(w, r, items, page.Limit, func(v account.Account) int64 { return v.ID })
}

func (h accountAdmin) create(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Login string        `json:"login"`
		Role  identity.Role `json:"role"`
		OrgID int64         `json:"org_id"`
	}
	if err := Decode(r, &in); err != nil {
		Fail(w, r, err)
		return
	}
	var v errs.Validation
	if !in.Role.Valid() {
		v.Add("role", "enum", "unknown role")
	}
	if in.OrgID <= 0 {
		v.Add("org_id", "required", "the organisation the role applies to")
	}
	if err := v.Err(); err != nil {
		Fail(w, r, err)
		return
	}
	acc, code, err := h.adm.Create(r.Context(), in.Login, identity.Grant{Role: in.Role, OrgID: in.OrgID})
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusCreated, map[string]any{"account": acc, "activation_code": code})
}

func (h accountAdmin) get(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	acc, err := h.adm.Get(r.Context(), id)
	writeVersioned(w, r, acc, acc.Version, err)
}

func (h accountAdmin) disable(disabled bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := PathID(r, "id")
		if err == nil {
			err = h.adm.SetDisabled(r.Context(), id, disabled)
		}
		if err != nil {
			Fail(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func (h accountAdmin) reset(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	var code string
	if err == nil {
		code, err = h.adm.ResetPassword(r.Context(), id)
	}
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, map[string]string{"code": code})
}
