package api

import (
	"net/http"

	"shkola/internal/account"
	"shkola/internal/errs"
	"shkola/internal/identity"
)

// RegisterAccount serves the caller's own account. Bearer tokens only: the
// session middleware never lets a cookie authenticate under /api/.
func RegisterAccount(rt *Router, svc *account.Service) {
	rt.Handle("GET", "/me", func(w http.ResponseWriter, r *http.Request) {
		a := identity.From(r.Context())
		if a.AccountID == 0 {
			Fail(w, r, errs.E(errs.Unauthorized, "send Authorization: Bearer <token>"))
			return
		}
		acc, err := svc.Get(r.Context(), a.AccountID)
		if err != nil {
			Fail(w, r, err)
			return
		}
		Write(w, r, http.StatusOK, acc)
	})
}
