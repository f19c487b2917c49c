package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"shkola/internal/directory"
	"shkola/internal/errs"
	"shkola/internal/identity"
)

// RegisterDirectory serves the reference directories: a list, a page per
// directory (with the add and import forms for those who may change it) and
// a page per entry with its versions and the edit form. Reading is public;
// the menu item is for staff and authorities, who use the codes at work.
func (s *Site) RegisterDirectory(mux *http.ServeMux, g *directory.Guard) {
	s.Nav = append(s.Nav, NavItem{Key: "nav.directories", Path: "/directories",
		Roles: []identity.Role{identity.Teacher, identity.ClassTeacher, identity.SchoolAdmin, identity.Medical,
			identity.MunicipalOfficer, identity.RegionalOfficer, identity.Inspector, identity.Operator}})
	h := directoryPages{site: s, g: g}
	mux.HandleFunc("GET /directories", h.list)
	mux.HandleFunc("GET /directories/{name}", h.show)
	mux.HandleFunc("POST /directories/{name}", h.create)
	mux.HandleFunc("POST /directories/{name}/import", h.importFile)
	mux.HandleFunc("GET /directories/{name}/{code}", h.entry)
	mux.HandleFunc("POST /directories/{name}/{code}/edit", h.edit)
}

type directoryPages struct {
	site *Site
	g    *directory.Guard
}

// tr is the visitor's translator, for messages put together in Go.
func (h directoryPages) tr(r *http.Request) *Translator {
	lang, _ := h.site.Prefs(r)
	return h.site.Catalog.For(lang)
}

type directorySummaryRow struct {
	Name, Title     string
	Entries, Active int
}

func (h directoryPages) list(w http.ResponseWriter, r *http.Request) {
	sums, err := h.g.Directories(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.site.NewPage(r, "directory.list.title", nil)
	rows := make([]directorySummaryRow, 0, len(sums))
	for _, sm := range sums {
		rows = append(rows, directorySummaryRow{Name: sm.Name, Title: p.T.T("directory.name." + sm.Name), Entries: sm.Entries, Active: sm.Active})
	}
	p.Data = rows
	h.site.Render(w, r, http.StatusOK, "directories", p)
}

// entryForm is the add or edit form: values as typed and a translated
// message beside each field that broke a rule.
type entryForm struct {
	Values  map[string]string
	Errors  map[string]string
	Message string
}

func newEntryForm() *entryForm {
	return &entryForm{Values: map[string]string{"active": "on"}, Errors: map[string]string{}}
}

type entryRow struct {
	Code, Name, Attrs string
	Sort              int
	Active            bool
	Version           int64
}

type problemRow struct {
	Row          int
	Column, Text string
}

// importView is the preview of a checked file, or the result of a written one.
type importView struct {
	Report   directory.ImportReport
	Problems []problemRow
	Data     string // the checked file, sent back to write it
	Written  bool
}

type directoryData struct {
	Name, Title string
	All         bool // retired entries shown too
	Entries     []entryRow
	CanChange   bool
	Form        *entryForm
	Import      *importView
	Columns     string
}

// page renders a directory's page; form and imp carry a form's state after
// a post (nil: fresh). Those who may change the directory always see the
// retired entries too.
func (h directoryPages) page(w http.ResponseWriter, r *http.Request, status int, form *entryForm, imp *importView) {
	ctx := r.Context()
	name := r.PathValue("name")
	all := r.URL.Query().Get("all") == "1"
	can := h.g.CanChange(ctx)
	entries, err := h.g.List(ctx, name, all || can)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.site.NewPage(r, "directory.list.title", nil)
	d := &directoryData{Name: name, Title: p.T.T("directory.name." + name), All: all || can, CanChange: can, Form: form, Import: imp,
		Columns: strings.Join(directory.Columns(), ",")}
	if d.Form == nil {
		d.Form = newEntryForm()
	}
	for _, e := range entries {
		d.Entries = append(d.Entries, entryRow{Code: e.Code, Name: directory.Name(e, p.Lang), Attrs: attrsText(p.T, e.Attrs),
			Sort: e.Sort, Active: e.Active, Version: e.Version})
	}
	p.Title, p.Data = d.Title, d
	h.site.Render(w, r, status, "directory", p)
}

func (h directoryPages) show(w http.ResponseWriter, r *http.Request) {
	h.page(w, r, http.StatusOK, nil, nil)
}

// attrsText shows attributes as "weight: 2; excused: yes" in the reader's
// language.
func attrsText(t *Translator, a map[string]any) string {
	names := make([]string, 0, len(a))
	for k := range a {
		names = append(names, k)
	}
	sort.Strings(names)
	parts := make([]string, 0, len(names))
	for _, k := range names {
		v := fmt.Sprint(a[k])
		if b, ok := a[k].(bool); ok {
			v = t.T("directory.bool." + strconv.FormatBool(b))
		}
		parts = append(parts, t.T("directory.attr."+k)+": "+v)
	}
	return strings.Join(parts, "; ")
}

// readForm reads the entry fields of a posted form; what cannot even be
// parsed is marked beside its field.
func readForm(r *http.Request, t *Translator, f *entryForm, withCode bool) (directory.New, bool) {
	keys := []string{"name_ru", "name_uk", "name_en", "attrs", "sort", "active"}
	if withCode {
		keys = append(keys, "code")
	}
	for _, k := range keys {
		f.Values[k] = r.PostFormValue(k)
	}
	n := directory.New{Code: strings.TrimSpace(f.Values["code"]), NameRU: f.Values["name_ru"], NameUK: f.Values["name_uk"], NameEN: f.Values["name_en"]}
	active := f.Values["active"] == "on"
	n.Active = &active
	ok := true
	if s := strings.TrimSpace(f.Values["sort"]); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil {
			f.Errors["sort"], ok = t.T("directory.rule.format"), false
		}
		n.Sort = v
	}
	a, err := directory.ParseAttrs(f.Values["attrs"])
	if err != nil {
		f.Errors["attrs"], ok = t.T("directory.rule.json"), false
	}
	n.Attrs = a
	return n, ok
}

// formErrors puts a domain error's fields beside the form's fields
// ("attrs.weight" beside attrs); an error without fields becomes the form's
// message.
func formErrors(t *Translator, f *entryForm, err error) {
	var e *errs.Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		for _, fe := range e.Fields {
			field, attr, _ := strings.Cut(fe.Field, ".")
			msg := t.T("directory.rule."+fe.Rule, map[string]any{"Attr": attr})
			if attr != "" {
				msg = attr + ": " + msg
			}
			if prev := f.Errors[field]; prev != "" {
				msg = prev + " " + msg
			}
			f.Errors[field] = msg
		}
		return
	}
	switch errs.CodeOf(err) {
	case errs.Precondition:
		f.Message = t.T("directory.err.stale")
	case errs.Forbidden:
		f.Message = t.T("directory.err.forbidden")
	default:
		f.Message = t.T("error.internal")
	}
}

func (h directoryPages) create(w http.ResponseWriter, r *http.Request) {
	t := h.tr(r)
	f := newEntryForm()
	n, ok := readForm(r, t, f, true)
	if !ok {
		h.page(w, r, http.StatusUnprocessableEntity, f, nil)
		return
	}
	e, err := h.g.Create(r.Context(), r.PathValue("name"), n)
	if err != nil {
		if h.denied(w, r, err) {
			return
		}
		formErrors(t, f, err)
		h.page(w, r, httpStatus(err), f, nil)
		return
	}
	http.Redirect(w, r, "/directories/"+url.PathEscape(e.Directory)+"/"+url.PathEscape(e.Code), http.StatusSeeOther)
}

// importFile checks an uploaded file (mode "check": nothing is written, the
// page previews each row or lists the problems) or writes a checked one
// (mode "write", the file sent back from the preview).
func (h directoryPages) importFile(w http.ResponseWriter, r *http.Request) {
	t := h.tr(r)
	var data string
	if file, _, err := r.FormFile("file"); err == nil {
		b, err := io.ReadAll(io.LimitReader(file, directory.MaxImportBytes+1))
		_ = file.Close() // read-only: the read error below is the one to report
		if err != nil {
			h.fail(w, r, err)
			return
		}
		data = string(b)
	} else {
		data = r.PostFormValue("data")
	}
	write := r.PostFormValue("mode") == "write"
	rep, err := h.g.Import(r.Context(), r.PathValue("name"), strings.NewReader(data), !write)
	if err != nil && h.denied(w, r, err) {
		return
	}
	if strings.TrimSpace(data) == "" {
		f := newEntryForm()
		f.Message = t.T("directory.err.file")
		h.page(w, r, http.StatusUnprocessableEntity, f, nil)
		return
	}
	view := &importView{Report: rep, Data: data, Written: write && err == nil}
	for _, p := range rep.Problems {
		view.Problems = append(view.Problems, problemRow{Row: p.Row, Column: p.Column, Text: t.T("directory.rule."+p.Rule, map[string]any{"Attr": p.Column})})
	}
	status := http.StatusOK
	if err != nil {
		if len(view.Problems) == 0 { // not a problem of the file
			f := newEntryForm()
			formErrors(t, f, err)
			h.page(w, r, httpStatus(err), f, nil)
			return
		}
		status = http.StatusUnprocessableEntity
	}
	h.page(w, r, status, nil, view)
}

type entryData struct {
	Directory, Title string
	Entry            directory.Entry
	Name             string
	Attrs            string
	CanChange        bool
	Form             *entryForm
	Versions         []versionRow
}

type versionRow struct {
	Version                int64
	When, Who              string
	NameRU, NameUK, NameEN string
	Attrs                  string
	Sort                   int
	Active                 bool
}

func (h directoryPages) entryPage(w http.ResponseWriter, r *http.Request, status int, form *entryForm) {
	ctx := r.Context()
	name, code := r.PathValue("name"), r.PathValue("code")
	e, err := h.g.Get(ctx, name, code)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hist, err := h.g.History(ctx, name, code)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.site.NewPage(r, "directory.entry.title", nil)
	d := &entryData{Directory: name, Title: p.T.T("directory.name." + name), Entry: e, Name: directory.Name(e, p.Lang),
		Attrs: attrsText(p.T, e.Attrs), CanChange: h.g.CanChange(ctx), Form: form}
	if d.Form == nil {
		d.Form = newEntryForm()
		d.Form.Values = map[string]string{"name_ru": e.NameRU, "name_uk": e.NameUK, "name_en": e.NameEN,
			"attrs": directory.FormatAttrs(e.Attrs), "sort": strconv.Itoa(e.Sort)}
		if e.Active {
			d.Form.Values["active"] = "on"
		}
	}
	d.Form.Values["version"] = strconv.FormatInt(e.Version, 10)
	for i := len(hist) - 1; i >= 0; i-- { // newest first
		v := hist[i]
		if v.ChangedBy == "migration" { // the initial data, shown as such
			v.ChangedBy = ""
		}
		d.Versions = append(d.Versions, versionRow{Version: v.Version, When: v.ChangedAt.UTC().Format(time.DateTime) + " UTC", Who: v.ChangedBy,
			NameRU: v.NameRU, NameUK: v.NameUK, NameEN: v.NameEN, Attrs: attrsText(p.T, v.Attrs), Sort: v.Sort, Active: v.Active})
	}
	p.Title, p.Data = d.Name, d
	h.site.Render(w, r, status, "directory_entry", p)
}

func (h directoryPages) entry(w http.ResponseWriter, r *http.Request) {
	h.entryPage(w, r, http.StatusOK, nil)
}

func (h directoryPages) edit(w http.ResponseWriter, r *http.Request) {
	t := h.tr(r)
	f := newEntryForm()
	n, ok := readForm(r, t, f, false)
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil || version < 1 {
		f.Message, ok = t.T("directory.err.stale"), false
	}
	if !ok {
		h.entryPage(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	p := directory.Patch{NameRU: &n.NameRU, NameUK: &n.NameUK, NameEN: &n.NameEN, Attrs: &n.Attrs, Sort: &n.Sort, Active: n.Active}
	e, err := h.g.Update(r.Context(), r.PathValue("name"), r.PathValue("code"), version, p)
	if err != nil {
		if h.denied(w, r, err) {
			return
		}
		formErrors(t, f, err)
		h.entryPage(w, r, httpStatus(err), f)
		return
	}
	http.Redirect(w, r, "/directories/"+url.PathEscape(e.Directory)+"/"+url.PathEscape(e.Code), http.StatusSeeOther)
}

// denied answers a refused change: a visitor is sent to log in, someone who
// may not change directories gets a page saying so. It reports whether it
// answered.
func (h directoryPages) denied(w http.ResponseWriter, r *http.Request, err error) bool {
	switch errs.CodeOf(err) {
	case errs.Unauthorized:
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return true
	case errs.Forbidden, errs.NotFound:
		h.fail(w, r, err)
		return true
	}
	return false
}

func (h directoryPages) fail(w http.ResponseWriter, r *http.Request, err error) {
	h.site.FailAs(w, r, err, Messages{errs.NotFound: "directory.notfound", errs.Forbidden: "directory.err.forbidden"})
}
