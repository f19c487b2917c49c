package web

import (
	"errors"
	"net/http"
	"strconv"

	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/importer"
)

// RegisterImports serves the import page: choose a kind and a file, see
// every row's errors (a dry run), then confirm with the same file.
func (s *Site) RegisterImports(mux *http.ServeMux, imp *importer.Service) {
	s.Nav = append(s.Nav, NavItem{Key: "nav.imports", Path: "/imports",
		Roles: []identity.Role{identity.SchoolAdmin, identity.MunicipalOfficer, identity.RegionalOfficer}})
	h := importPages{site: s, imp: imp}
	mux.HandleFunc("GET /imports", h.form)
	mux.HandleFunc("POST /imports", h.upload)
}

type importPages struct {
	site *Site
	imp  *importer.Service
}

type importData struct {
	Kinds  []importer.Kind
	Kind   string
	OrgID  string
	Mode   string
	Report *importer.Report
	// Confirm is set when the checked file may be imported.
	Confirm bool
	Error   string // message id of a refusal
	Columns map[string][]importer.Column
}

func (h importPages) data(r *http.Request) *importData {
	d := &importData{Kinds: importer.Kinds(), Kind: r.FormValue("kind"), OrgID: r.FormValue("org_id"), Mode: r.FormValue("mode")}
	if d.OrgID == "" {
		if a := identity.From(r.Context()); len(a.Grants) > 0 {
			d.OrgID = strconv.FormatInt(a.Grants[0].OrgID, 10)
		}
	}
	if d.Kind == "" {
		d.Kind = string(importer.Pupils)
	}
	if d.Mode == "" {
		d.Mode = "all_or_nothing"
	}
	d.Columns = map[string][]importer.Column{}
	for _, k := range importer.Kinds() {
		d.Columns[string(k)] = importer.Layout(k)
	}
	return d
}

func (h importPages) form(w http.ResponseWriter, r *http.Request) {
	if !identity.From(r.Context()).Authenticated() {
		http.Redirect(w, r, "/login?next=/imports", http.StatusSeeOther)
		return
	}
	h.site.Render(w, r, http.StatusOK, "imports", h.site.NewPage(r, "import.title", h.data(r)))
}

// upload checks the file (dry run) or, with confirm set to the hash of the
// checked file, imports it. The file is read from the multipart form.
func (h importPages) upload(w http.ResponseWriter, r *http.Request) {
	d := h.data(r)
	org, _ := strconv.ParseInt(d.OrgID, 10, 64)
	confirm := r.FormValue("confirm")
	f, hdr, err := r.FormFile("file")
	if err != nil {
		d.Error = "import.err.file"
		h.site.Render(w, r, http.StatusUnprocessableEntity, "imports", h.site.NewPage(r, "import.title", d))
		return
	}
	defer f.Close()
	rep, err := h.imp.Run(r.Context(), importer.Options{Kind: importer.Kind(d.Kind), OrgID: org, DryRun: confirm == "",
		ValidOnly: d.Mode == "valid_only", FileName: hdr.Filename, ExpectSHA256: confirm}, f)
	switch {
	case errs.CodeOf(err) == errs.NotFound || errs.CodeOf(err) == errs.Forbidden || errs.CodeOf(err) == errs.Unauthorized:
		d.Error = "import.err.denied"
	case errs.CodeOf(err) == errs.Invalid:
		d.Error = "import.err.invalid"
		var e *errs.Error
		if errors.As(err, &e) && len(e.Fields) > 0 && e.Fields[0].Field == "file" {
			d.Error = "import.err.changed"
		}
	case err != nil:
		h.site.Fail(w, r, err)
		return
	}
	status := http.StatusOK
	if d.Error != "" {
		status = http.StatusUnprocessableEntity
	} else {
		d.Report = &rep
		d.Confirm = rep.DryRun && rep.Created > 0 && (rep.Failed == 0 || d.Mode == "valid_only")
	}
	h.site.Render(w, r, status, "imports", h.site.NewPage(r, "import.title", d))
}
