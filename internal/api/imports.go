package api

import (
	"net/http"
	"strconv"

	"shkola/internal/errs"
	"shkola/internal/importer"
	"shkola/internal/tabular"
)

// RegisterImports serves registry imports: the template of each kind, and
// the upload itself (the file is the request body, streamed to a temporary
// file; kind, organisation and mode are query parameters).
func RegisterImports(rt *Router, s *importer.Service) {
	rt.Handle("GET", "/imports/template", importTemplate)
	rt.Handle("GET", "/imports/layouts", func(w http.ResponseWriter, r *http.Request) {
		out := map[string][]importer.Column{}
		for _, k := range importer.Kinds() {
			out[string(k)] = importer.Layout(k)
		}
		Write(w, r, http.StatusOK, out)
	})
	rt.Handle("POST", "/imports", func(w http.ResponseWriter, r *http.Request) {
		f, err := Filters(r.URL.Query(), map[string]func(string) bool{
			"kind":      func(s string) bool { return importer.Kind(s).Valid() },
			"org_id":    positiveID,
			"dry_run":   isBool,
			"mode":      func(s string) bool { return s == "all_or_nothing" || s == "valid_only" },
			"file_name": func(s string) bool { return len(s) > 0 && len(s) <= 200 },
		})
		if err != nil {
			Fail(w, r, err)
			return
		}
		var v errs.Validation
		if f["kind"] == "" {
			v.Add("kind", "required", "one of pupils, guardians, staff, classes")
		}
		if f["org_id"] == "" {
			v.Add("org_id", "required", "the organisation to import into")
		}
		if err := v.Err(); err != nil {
			Fail(w, r, err)
			return
		}
		org, _ := strconv.ParseInt(f["org_id"], 10, 64)
		rep, err := s.Run(r.Context(), importer.Options{Kind: importer.Kind(f["kind"]), OrgID: org, DryRun: f["dry_run"] == "true",
			ValidOnly: f["mode"] == "valid_only", FileName: f["file_name"]}, r.Body)
		if err != nil {
			Fail(w, r, err)
			return
		}
		Write(w, r, ReportStatus(rep), rep)
	})
}

// ReportStatus is the status an import report is answered with: 200 for a
// dry run, 201 when rows were written, 422 when nothing was (the body is
// the report with every row's errors either way).
func ReportStatus(rep importer.Report) int {
	switch {
	case rep.DryRun:
		return http.StatusOK
	case rep.Written:
		return http.StatusCreated
	case rep.ErrorCount > 0:
		return http.StatusUnprocessableEntity
	}
	return http.StatusOK
}

func importTemplate(w http.ResponseWriter, r *http.Request) {
	f, err := Filters(r.URL.Query(), map[string]func(string) bool{
		"kind":   func(s string) bool { return importer.Kind(s).Valid() },
		"format": tabular.Valid,
	})
	if err == nil && f["kind"] == "" {
		err = errs.Field(errs.Invalid, "kind", "required", "one of pupils, guardians, staff, classes")
	}
	if err != nil {
		Fail(w, r, err)
		return
	}
	format := f["format"]
	if format == "" {
		format = tabular.CSV
	}
	w.Header().Set("Content-Type", tabular.ContentType(format))
	w.Header().Set("Content-Disposition", `attachment; filename="`+f["kind"]+`-template.`+format+`"`)
	if err := importer.WriteTemplate(w, importer.Kind(f["kind"]), format); err != nil {
		Fail(w, r, err)
	}
}
