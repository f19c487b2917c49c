package web

import (
	"errors"
	"net/http"

	"shkola/internal/account"
	"shkola/internal/errs"
	"shkola/internal/httpx"
	"shkola/internal/identity"
)

// RegisterAccount serves login, logout, activation and the own profile and
// sessions pages.
func (s *Site) RegisterAccount(mux *http.ServeMux, w *account.Web) {
	h := accountPages{site: s, w: w}
	mux.HandleFunc("GET /login", h.loginForm)
	mux.HandleFunc("POST /login", h.login)
	mux.HandleFunc("POST /logout", h.logout)
	mux.HandleFunc("GET /activate", h.activateForm)
	mux.HandleFunc("POST /activate", h.activate)
	mux.HandleFunc("GET /login/totp", h.totpForm)
	mux.HandleFunc("POST /login/totp", h.totp)
	mux.HandleFunc("GET /me/totp", h.totpSetup)
	mux.HandleFunc("POST /me/totp", h.totpConfirm)
	mux.HandleFunc("GET /me", h.profile)
	mux.HandleFunc("POST /me/password", h.changePassword)
	mux.HandleFunc("GET /me/sessions", h.sessions)
	mux.HandleFunc("POST /me/sessions/revoke", h.revoke)
	mux.HandleFunc("POST /me/sessions/everywhere", h.everywhere)
}

type accountPages struct {
	site *Site
	w    *account.Web
}

// formState is a form's values and the message per field.
type formState struct {
	Values  map[string]string
	Errors  map[string]string // field -> message id
	Message string            // message id for the whole form
	Done    string            // message id of a success notice
	Extra   any
}

func newForm() *formState {
	return &formState{Values: map[string]string{}, Errors: map[string]string{}}
}

// fieldErrors turns a domain error into message ids beside its fields; the
// ids name the rule ("account.err.password.min_length").
func (f *formState) fail(err error, fallback string) {
	if errs.CodeOf(err) == errs.TooMany {
		f.Message = "account.err.throttled"
		return
	}
	var e *errs.Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		for _, fe := range e.Fields {
			f.Errors[fe.Field] = "account.err." + fe.Field + "." + fe.Rule
		}
		return
	}
	f.Message = fallback
}

func (h accountPages) render(w http.ResponseWriter, r *http.Request, status int, page, title string, f *formState) {
	h.site.Render(w, r, status, page, h.site.NewPage(r, title, f))
}

func (h accountPages) loginForm(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "login", "account.login.title", newForm())
}

func (h accountPages) login(w http.ResponseWriter, r *http.Request) {
	f := newForm()
	f.Values["login"] = r.PostFormValue("login")
	a := identity.From(r.Context())
	if _, ok := account.CurrentSession(r.Context()); ok {
		// Logging in again ends the session the browser had.
		if err := h.w.S.Logout(r.Context(), false); err != nil {
			h.site.Fail(w, r, err)
			return
		}
	}
	secret, _, err := h.w.S.Login(r.Context(), r.PostFormValue("login"), r.PostFormValue("password"), a.Addr, a.UserAgent)
	if err != nil {
		status := httpStatus(err)
		switch errs.CodeOf(err) {
		case errs.TooMany:
			f.Message = "account.err.throttled"
		case errs.Unauthorized:
			f.Message = "account.err.bad_login"
		default:
			f.Message = "error.internal"
		}
		h.render(w, r, status, "login", "account.login.title", f)
		return
	}
	h.w.SetSession(w, secret)
	http.Redirect(w, r, "/me", http.StatusSeeOther)
}

// httpStatus is the status for err, from the one mapping in httpx.
func httpStatus(err error) int { return httpx.Status(errs.CodeOf(err)) }

func (h accountPages) logout(w http.ResponseWriter, r *http.Request) {
	if err := h.w.S.Logout(r.Context(), false); err != nil {
		h.site.Fail(w, r, err)
		return
	}
	h.w.ClearSession(w)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (h accountPages) activateForm(w http.ResponseWriter, r *http.Request) {
	f := newForm()
	f.Values["code"] = r.URL.Query().Get("code")
	h.render(w, r, http.StatusOK, "activate", "account.activate.title", f)
}

func (h accountPages) activate(w http.ResponseWriter, r *http.Request) {
	f := newForm()
	f.Values["code"] = r.PostFormValue("code")
	if r.PostFormValue("password") != r.PostFormValue("password2") {
		f.Errors["password2"] = "account.err.password2.match"
		h.render(w, r, http.StatusUnprocessableEntity, "activate", "account.activate.title", f)
		return
	}
	if _, err := h.w.S.Activate(r.Context(), r.PostFormValue("code"), r.PostFormValue("password")); err != nil {
		f.fail(err, "error.internal")
		h.render(w, r, httpStatus(err), "activate", "account.activate.title", f)
		return
	}
	f = newForm()
	f.Done = "account.activate.done"
	h.render(w, r, http.StatusOK, "login", "account.login.title", f)
}

// requireLogin sends visitors without a session to the login page.
func (h accountPages) requireLogin(w http.ResponseWriter, r *http.Request) (*identity.Actor, bool) {
	a := identity.From(r.Context())
	if a.AccountID == 0 {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil, false
	}
	return a, true
}

func (h accountPages) profile(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.requireLogin(w, r); !ok {
		return
	}
	h.render(w, r, http.StatusOK, "profile", "account.profile.title", newForm())
}

func (h accountPages) changePassword(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.requireLogin(w, r); !ok {
		return
	}
	f := newForm()
	if r.PostFormValue("new_password") != r.PostFormValue("new_password2") {
		f.Errors["new_password2"] = "account.err.password2.match"
		h.render(w, r, http.StatusUnprocessableEntity, "profile", "account.profile.title", f)
		return
	}
	if err := h.w.S.ChangePassword(r.Context(), r.PostFormValue("current_password"), r.PostFormValue("new_password")); err != nil {
		f.fail(err, "error.internal")
		h.render(w, r, httpStatus(err), "profile", "account.profile.title", f)
		return
	}
	f.Done = "account.password.changed"
	h.render(w, r, http.StatusOK, "profile", "account.profile.title", f)
}

func (h accountPages) sessions(w http.ResponseWriter, r *http.Request) {
	a, ok := h.requireLogin(w, r)
	if !ok {
		return
	}
	list, err := h.w.S.Sessions(r.Context(), a.AccountID, a.SessionID)
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	f := newForm()
	f.Extra = list
	h.render(w, r, http.StatusOK, "sessions", "account.sessions.title", f)
}

func (h accountPages) revoke(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.requireLogin(w, r); !ok {
		return
	}
	if err := h.w.S.RevokeSession(r.Context(), r.PostFormValue("id")); err != nil {
		h.site.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/me/sessions", http.StatusSeeOther)
}

func (h accountPages) everywhere(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.requireLogin(w, r); !ok {
		return
	}
	if err := h.w.S.Logout(r.Context(), true); err != nil {
		h.site.Fail(w, r, err)
		return
	}
	h.w.ClearSession(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (h accountPages) totpForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.requireLogin(w, r); !ok {
		return
	}
	h.render(w, r, http.StatusOK, "login_totp", "account.totp.title", newForm())
}

func (h accountPages) totp(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.requireLogin(w, r); !ok {
		return
	}
	if err := h.w.S.VerifySecondFactor(r.Context(), r.PostFormValue("totp")); err != nil {
		f := newForm()
		f.fail(err, "account.err.throttled")
		h.render(w, r, httpStatus(err), "login_totp", "account.totp.title", f)
		return
	}
	http.Redirect(w, r, "/me", http.StatusSeeOther)
}

func (h accountPages) totpSetup(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.requireLogin(w, r); !ok {
		return
	}
	setup, err := h.w.S.BeginTOTP(r.Context(), "Shkola")
	if errs.CodeOf(err) == errs.Conflict {
		http.Redirect(w, r, "/me", http.StatusSeeOther) // already on
		return
	}
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	f := newForm()
	f.Extra = setup
	h.render(w, r, http.StatusOK, "totp_setup", "account.totp.setup", f)
}

func (h accountPages) totpConfirm(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.requireLogin(w, r); !ok {
		return
	}
	codes, err := h.w.S.ConfirmTOTP(r.Context(), r.PostFormValue("totp"))
	if err != nil {
		// A wrong code: show a fresh secret with the error beside the field.
		setup, serr := h.w.S.BeginTOTP(r.Context(), "Shkola")
		if serr != nil {
			h.site.Fail(w, r, serr)
			return
		}
		f := newForm()
		f.fail(err, "error.internal")
		f.Extra = setup
		h.render(w, r, httpStatus(err), "totp_setup", "account.totp.setup", f)
		return
	}
	f := newForm()
	f.Done = "account.totp.enabled"
	f.Extra = codes
	h.render(w, r, http.StatusOK, "totp_codes", "account.totp.codes", f)
}
