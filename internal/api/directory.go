package api

import (
	"mime"
	"net/http"
	"net/url"

	"shkola/internal/directory"
	"shkola/internal/errs"
)

// RegisterDirectory serves the reference directories: read by anyone,
// changed (one entry at a time or by CSV import) by regional officers.
func RegisterDirectory(rt *Router, g *directory.Guard) {
	h := directoryHandlers{g: g}
	rt.Handle("GET", "/directories", h.directories)
	rt.Handle("GET", "/directories/{name}", h.list)
	rt.Handle("POST", "/directories/{name}", h.create)
	rt.Handle("POST", "/directories/{name}/import", h.importCSV)
	rt.Handle("GET", "/directories/{name}/{code}", h.get)
	rt.Handle("PUT", "/directories/{name}/{code}", h.update)
	rt.Handle("GET", "/directories/{name}/{code}/history", h.history)
}

type directoryHandlers struct{ g *directory.Guard }

func isBool(s string) bool { return s == "true" || s == "false" }

func (h directoryHandlers) directories(w http.ResponseWriter, r *http.Request) {
	if _, err := Filters(r.URL.Query(), nil); err != nil {
		Fail(w, r, err)
		return
	}
	items, err := h.g.Directories(r.Context())
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, List[directory.Summary]{Items: items})
}

func (h directoryHandlers) list(w http.ResponseWriter, r *http.Request) {
	f, err := Filters(r.URL.Query(), map[string]func(string) bool{"include_inactive": isBool})
	if err != nil {
		Fail(w, r, err)
		return
	}
	items, err := h.g.List(r.Context(), r.PathValue("name"), f["include_inactive"] == "true")
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, List[directory.Entry]{Items: items})
}

func (h directoryHandlers) get(w http.ResponseWriter, r *http.Request) {
	e, err := h.g.Get(r.Context(), r.PathValue("name"), r.PathValue("code"))
	writeVersioned(w, r, e, e.Version, err)
}

func (h directoryHandlers) create(w http.ResponseWriter, r *http.Request) {
	var n directory.New
	if err := Decode(r, &n); err != nil {
		Fail(w, r, err)
		return
	}
	e, err := h.g.Create(r.Context(), r.PathValue("name"), n)
	if err != nil {
		Fail(w, r, err)
		return
	}
	SetVersion(w, e.Version)
	w.Header().Set("Location", Prefix+"/directories/"+url.PathEscape(e.Directory)+"/"+url.PathEscape(e.Code))
	Write(w, r, http.StatusCreated, e)
}

func (h directoryHandlers) update(w http.ResponseWriter, r *http.Request) {
	var p directory.Patch
	if err := Decode(r, &p); err != nil {
		Fail(w, r, err)
		return
	}
	version, err := IfMatch(r)
	if err != nil {
		Fail(w, r, err)
		return
	}
	e, err := h.g.Update(r.Context(), r.PathValue("name"), r.PathValue("code"), version, p)
	writeVersioned(w, r, e, e.Version, err)
}

func (h directoryHandlers) history(w http.ResponseWriter, r *http.Request) {
	items, err := h.g.History(r.Context(), r.PathValue("name"), r.PathValue("code"))
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, List[directory.Version]{Items: items})
}

// importCSV takes the file as the body (text/csv). Problems come back as
// problem+json naming "row N: column" and the rule; nothing is written then.
func (h directoryHandlers) importCSV(w http.ResponseWriter, r *http.Request) {
	f, err := Filters(r.URL.Query(), map[string]func(string) bool{"dry_run": isBool})
	if err != nil {
		Fail(w, r, err)
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "text/csv" {
		Fail(w, r, errs.Field(errs.Invalid, "Content-Type", "format", "send the file as text/csv"))
		return
	}
	rep, err := h.g.Import(r.Context(), r.PathValue("name"), r.Body, f["dry_run"] == "true")
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, rep)
}
