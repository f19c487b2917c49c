package web

import (
	"net/http"
	"strconv"
	"time"

	"shkola/internal/audit"
	"shkola/internal/identity"
)

// RegisterAudit serves the audit search page and its CSV export.
func (s *Site) RegisterAudit(mux *http.ServeMux, r *audit.Reader) {
	h := auditPages{site: s, r: r}
	s.Nav = append(s.Nav, NavItem{Key: "nav.audit", Path: "/audit",
		Roles: []identity.Role{identity.SchoolAdmin, identity.MunicipalOfficer, identity.RegionalOfficer, identity.Inspector}})
	mux.HandleFunc("GET /audit", h.search)
	mux.HandleFunc("GET /audit/export.csv", h.export)
}

type auditPages struct {
	site *Site
	r    *audit.Reader
}

type auditData struct {
	Q     map[string]string
	Items []audit.Record
	Query string
}

// filter reads the search form; dates are days (YYYY-MM-DD), "to" inclusive.
func auditFormFilter(r *http.Request) (audit.Filter, map[string]string) {
	q := r.URL.Query()
	vals := map[string]string{}
	for _, k := range []string{"login", "person", "object_type", "object_id", "action", "from", "to"} {
		if v := q.Get(k); len(v) <= 100 {
			vals[k] = v
		}
	}
	f := audit.Filter{Login: vals["login"], ObjectType: vals["object_type"], ObjectID: vals["object_id"]}
	if id, err := strconv.ParseInt(vals["person"], 10, 64); err == nil && id > 0 {
		f.PersonID = id
	}
	if a := audit.Action(vals["action"]); a.Valid() {
		f.Action = a
	}
	if d, err := time.Parse("2006-01-02", vals["from"]); err == nil {
		f.From = d
	}
	if d, err := time.Parse("2006-01-02", vals["to"]); err == nil {
		f.To = d.AddDate(0, 0, 1)
	}
	return f, vals
}

func (h auditPages) search(w http.ResponseWriter, r *http.Request) {
	f, vals := auditFormFilter(r)
	recs, _, err := h.r.Search(r.Context(), f, 0, 200)
	if err != nil {
		h.deny(w, r, err)
		return
	}
	h.site.Render(w, r, http.StatusOK, "audit", h.site.NewPage(r, "audit.title", auditData{Q: vals, Items: recs, Query: r.URL.RawQuery}))
}

func (h auditPages) export(w http.ResponseWriter, r *http.Request) {
	f, _ := auditFormFilter(r)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="audit.csv"`)
	if _, err := h.r.Export(r.Context(), w, f); err != nil {
		w.Header().Del("Content-Disposition")
		h.deny(w, r, err)
	}
}

// deny answers an error that is not a form's.
func (h auditPages) deny(w http.ResponseWriter, r *http.Request, err error) { h.site.Fail(w, r, err) }
