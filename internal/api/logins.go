package api

import (
	"bytes"
	"net/http"

	"shkola/internal/errs"
	"shkola/internal/logins"
)

// RegisterLogins serves the issuing of a class's logins with the printed
// slips, and a guardian's children with their accounts.
func RegisterLogins(rt *Router, g *logins.Guard, baseURL string) {
	h := loginHandlers{g: g, baseURL: baseURL}
	rt.Handle("GET", "/classes/{id}/logins", ByID(http.StatusOK, func(r *http.Request, id int64) (logins.Roster, error) {
		return g.Roster(r.Context(), id)
	}))
	rt.Handle("POST", "/classes/{id}/logins", h.issue)
	rt.Handle("POST", "/classes/{id}/logins/slips", h.slips)
	rt.Handle("GET", "/me/children", func(w http.ResponseWriter, r *http.Request) {
		items, err := g.Children(r.Context())
		if err != nil {
			Fail(w, r, err)
			return
		}
		Write(w, r, http.StatusOK, List[logins.Child]{Items: items})
	})
	rt.Handle("POST", "/me/children/link", h.link)
	rt.Handle("POST", "/me/children/{id}/login", h.childLogin)
	rt.Handle("POST", "/me/children/{id}/password", h.childPassword)
}

type loginHandlers struct {
	g       *logins.Guard
	baseURL string
}

func (h loginHandlers) issue(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var in struct {
		Reissue bool `json:"reissue"`
	}
	if r.ContentLength != 0 {
		if err := Decode(r, &in); err != nil {
			Fail(w, r, err)
			return
		}
	}
	out, err := h.g.Issue(r.Context(), id, in.Reissue)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, out) // Write answers no-store: the codes are in it
}

func (h loginHandlers) slips(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var in struct {
		Codes []logins.SlipCode `json:"codes"`
		Lang  string            `json:"lang"`
	}
	if err := Decode(r, &in); err != nil {
		Fail(w, r, err)
		return
	}
	switch in.Lang {
	case "", "ru", "uk", "en":
	default:
		Fail(w, r, errs.Field(errs.Invalid, "lang", "enum", "one of ru, uk, en"))
		return
	}
	s, err := h.g.Slips(r.Context(), id, in.Codes)
	if err != nil {
		Fail(w, r, err)
		return
	}
	writePDF(w, r, s, in.Lang, h.baseURL)
}

// writePDF answers the slips as a PDF download that no cache keeps.
func writePDF(w http.ResponseWriter, r *http.Request, s logins.Slips, lang, baseURL string) {
	var buf bytes.Buffer
	if err := logins.WriteSlipsPDF(&buf, s, lang, baseURL); err != nil {
		Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="logins.pdf"`)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}

func (h loginHandlers) link(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Code string `json:"code"`
	}
	if err := Decode(r, &in); err != nil {
		Fail(w, r, err)
		return
	}
	c, err := h.g.Link(r.Context(), in.Code)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, c)
}

func (h loginHandlers) childLogin(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var in struct {
		Login string `json:"login"`
	}
	if err := Decode(r, &in); err != nil {
		Fail(w, r, err)
		return
	}
	c, err := h.g.SetChildLogin(r.Context(), id, in.Login)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, c)
}

func (h loginHandlers) childPassword(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var in struct {
		Password string `json:"password"`
	}
	if err := Decode(r, &in); err != nil {
		Fail(w, r, err)
		return
	}
	c, err := h.g.SetChildPassword(r.Context(), id, in.Password)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, c)
}
