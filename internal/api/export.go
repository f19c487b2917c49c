package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"shkola/internal/calendar"
	"shkola/internal/classes"
	"shkola/internal/contingent"
	"shkola/internal/errs"
	"shkola/internal/export"
	"shkola/internal/httpx"
	"shkola/internal/org"
	"shkola/internal/registry"
	"shkola/internal/staff"
	"shkola/internal/tabular"
)

// Exports: every list a user can see is downloadable as CSV or XLSX at
// /api/v1/exports/<the list's path>?format=csv|xlsx with the list's own
// filters. The rows come from the very guarded list calls the list routes
// use, page after page (so the same scope, filtered in SQL, and the same
// fields: what the list leaves out the export leaves out), up to
// export.MaxRows.

// Lists holds the guarded services the exports read.
type Lists struct {
	People     *registry.People
	Orgs       *org.Guard
	Classes    *classes.Guard
	Staff      *staff.Guard
	Contingent *contingent.Guard
	Export     *export.Service
}

// exportPage returns one page of items and the cursor of the next ("" at
// the end).
type exportPage func(ctx context.Context, cursor string) ([]any, string, error)

type exportSpec struct {
	name    string
	columns []string // JSON paths of an item: "org.name", "posts[].position"
	filters map[string]func(string) bool
	// build turns the path id (0 when none) and the filters into the pager.
	build func(id int64, f map[string]string) exportPage
}

// RegisterExports serves the export routes under the API, and the same
// handlers on mux under /exports/… for the UI's download links (there the
// session cookie authenticates, and query parameters of the page that are
// not filters of the list, such as its cursor, are left out).
func RegisterExports(rt *Router, mux *http.ServeMux, l Lists) {
	const page = 500
	idCursor := func(after string) int64 { n, _ := strconv.ParseInt(after, 10, 64); return n }
	next := func(n int, last int64) string {
		if n < page {
			return ""
		}
		return strconv.FormatInt(last, 10)
	}
	specs := map[string]exportSpec{
		"/exports/persons": {name: "persons", filters: personFilters(),
			columns: []string{"id", "org_id", "last_name", "first_name", "middle_name", "birth_date", "sex", "class"},
			build: func(_ int64, f map[string]string) exportPage {
				orgID, _ := strconv.ParseInt(f["org_id"], 10, 64)
				classID, _ := strconv.ParseInt(f["class_id"], 10, 64)
				return func(ctx context.Context, c string) ([]any, string, error) {
					items, err := l.People.List(ctx, registry.Filter{Q: f["q"], SNILS: f["snils"], Document: f["document"], BirthDate: f["birth_date"],
						OrgID: orgID, ClassID: classID, Merged: f["merged"] == "true", After: idCursor(c), Limit: page})
					if err != nil || len(items) == 0 {
						return nil, "", err
					}
					return anys(items), next(len(items), items[len(items)-1].ID), nil
				}
			}},
		"/exports/organisations": {name: "organisations", filters: orgFilters(),
			columns: []string{"id", "parent_id", "kind", "name", "short_name", "country", "inn", "ogrn", "edrpou", "address", "status"},
			build: func(_ int64, f map[string]string) exportPage {
				parent, _ := strconv.ParseInt(f["parent"], 10, 64)
				within, _ := strconv.ParseInt(f["within"], 10, 64)
				return func(ctx context.Context, c string) ([]any, string, error) {
					items, err := l.Orgs.List(ctx, org.Filter{Kind: org.Kind(f["kind"]), Status: org.Status(f["status"]), Parent: parent, Within: within,
						Q: f["q"], After: idCursor(c), Limit: page})
					if err != nil || len(items) == 0 {
						return nil, "", err
					}
					return anys(items), next(len(items), items[len(items)-1].ID), nil
				}
			}},
		"/exports/organisations/{id}/staff": {name: "staff", filters: staffFilters(),
			columns: []string{"person_id", "last_name", "first_name", "middle_name", "posts[].position", "posts[].rate", "subjects[]"},
			build: func(id int64, f map[string]string) exportPage {
				return func(ctx context.Context, c string) ([]any, string, error) {
					filter := staff.Filter{OrgID: id, Position: f["position"], Subject: f["subject"], Q: f["q"], Limit: page}
					if c != "" {
						cur, err := staff.ParseCursor(c)
						if err != nil {
							return nil, "", err
						}
						filter.After = cur
					}
					items, err := l.Staff.List(ctx, filter)
					if err != nil || len(items) == 0 {
						return nil, "", err
					}
					n := ""
					if cur := staff.NextCursor(items, page); cur != nil {
						n = cur.String()
					}
					return anys(items), n, nil
				}
			}},
		"/exports/organisations/{id}/movements": {name: "movements",
			filters: map[string]func(string) bool{"from": isDate, "to": isDate, "kind": func(s string) bool { return contingent.Kind(s).Valid() }},
			columns: []string{"id", "date", "kind", "person.id", "person.last_name", "person.first_name", "person.middle_name", "person.birth_date",
				"org.name", "class.name", "from_class.name", "other_org.name", "other_place", "destination", "basis_number", "basis_date", "reason", "author"},
			build: func(id int64, f map[string]string) exportPage {
				return func(ctx context.Context, c string) ([]any, string, error) {
					items, err := l.Contingent.Register(ctx, id, contingent.RegisterFilter{From: f["from"], To: f["to"], Kind: contingent.Kind(f["kind"]),
						After: idCursor(c), Limit: page})
					if err != nil || len(items) == 0 {
						return nil, "", err
					}
					return anys(items), next(len(items), items[len(items)-1].ID), nil
				}
			}},
		"/exports/organisations/{id}/whereabouts-unknown": {name: "whereabouts",
			columns: []string{"id", "person.id", "person.last_name", "person.first_name", "person.middle_name", "person.birth_date",
				"from_org.name", "to_org.name", "status", "departed_on", "days_open"},
			build: func(id int64, _ map[string]string) exportPage {
				return func(ctx context.Context, c string) ([]any, string, error) {
					items, err := l.Contingent.Whereabouts(ctx, id, idCursor(c), page)
					if err != nil || len(items) == 0 {
						return nil, "", err
					}
					return anys(items), next(len(items), items[len(items)-1].ID), nil
				}
			}},
		"/exports/classes/{id}/members": {name: "class_members", filters: map[string]func(string) bool{"on": calendar.ValidDate},
			columns: []string{"person_id", "last_name", "first_name", "middle_name", "starts_on", "ends_on"},
			build: func(id int64, f map[string]string) exportPage {
				return func(ctx context.Context, c string) ([]any, string, error) {
					if c != "" {
						return nil, "", nil // one page: a class is small
					}
					items, err := l.Classes.Members(ctx, id, f["on"])
					return anys(items), "", err
				}
			}},
	}
	for path, spec := range specs {
		rt.Handle("GET", path, exportHandler(spec, l.Export, strings.Contains(path, "{id}"), false))
		if mux != nil {
			mux.Handle("GET "+path, exportHandler(spec, l.Export, strings.Contains(path, "{id}"), true))
		}
	}
}

func anys[T any](items []T) []any {
	out := make([]any, len(items))
	for i := range items {
		out[i] = items[i]
	}
	return out
}

func exportHandler(spec exportSpec, exp *export.Service, hasID, lenient bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var id int64
		if hasID {
			var err error
			if id, err = PathID(r, "id"); err != nil {
				Fail(w, r, err)
				return
			}
		}
		q := r.URL.Query()
		format := q.Get("format")
		q.Del("format")
		if lenient {
			for k := range q {
				if _, ok := spec.filters[k]; !ok || q.Get(k) == "" {
					q.Del(k)
				}
			}
		}
		f, err := Filters(q, spec.filters)
		if err == nil && !tabular.Valid(format) {
			err = errs.Field(errs.Invalid, "format", "enum", "csv or xlsx")
		}
		if err != nil {
			Fail(w, r, err)
			return
		}
		pager := spec.build(id, f)
		ctx := r.Context()
		// The first page decides access (404 out of scope) before anything
		// is recorded or sent.
		items, cursor, err := pager(ctx, "")
		if err != nil {
			Fail(w, r, err)
			return
		}
		orgID := id
		if v, ok := f["org_id"]; ok && !hasID {
			orgID, _ = strconv.ParseInt(v, 10, 64)
		}
		if spec.name == "class_members" {
			orgID = 0
		}
		if err := exp.Begin(ctx, spec.name, format, orgID); err != nil {
			Fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", tabular.ContentType(format))
		w.Header().Set("Content-Disposition", `attachment; filename="`+spec.name+"-"+time.Now().UTC().Format("20060102")+"."+format+`"`)
		w.Header().Set("Cache-Control", "no-store")
		if err := writeExport(ctx, w, spec, format, items, cursor, pager); err != nil {
			// Headers are gone: the download ends short, and the log says why.
			httpx.Logger(ctx).Error("export", "list", spec.name, "err", err)
		}
	}
}

func writeExport(ctx context.Context, w http.ResponseWriter, spec exportSpec, format string, items []any, cursor string, pager exportPage) error {
	t, err := tabular.New(w, format, spec.name)
	if err != nil {
		return err
	}
	if err := t.Row(spec.columns); err != nil {
		return err
	}
	rows := 0
	cells := make([]string, len(spec.columns))
	for {
		for _, it := range items {
			if rows >= export.MaxRows {
				return t.Close()
			}
			doc, err := asDoc(it)
			if err != nil {
				return err
			}
			for i, c := range spec.columns {
				cells[i] = cell(doc, strings.Split(c, "."))
			}
			if err := t.Row(cells); err != nil {
				return err
			}
			rows++
		}
		if cursor == "" || rows >= export.MaxRows {
			return t.Close()
		}
		if items, cursor, err = pager(ctx, cursor); err != nil {
			return err
		}
	}
}

// asDoc is an item as its JSON shows it: an export holds exactly the
// fields the list answers with.
func asDoc(it any) (map[string]any, error) {
	b, err := json.Marshal(it)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc map[string]any
	return doc, dec.Decode(&doc)
}

// cell reads a path of a JSON document as text; "name[]" joins the
// elements of an array with "; ".
func cell(v any, path []string) string {
	if len(path) == 0 {
		switch x := v.(type) {
		case nil:
			return ""
		case string:
			return x
		case json.Number:
			return x.String()
		case bool:
			return strconv.FormatBool(x)
		case []any:
			parts := make([]string, 0, len(x))
			for _, e := range x {
				parts = append(parts, cell(e, nil))
			}
			return strings.Join(parts, "; ")
		}
		b, _ := json.Marshal(v)
		return string(b)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	key, each := strings.CutSuffix(path[0], "[]")
	if !each {
		return cell(m[key], path[1:])
	}
	arr, _ := m[key].([]any)
	parts := make([]string, 0, len(arr))
	for _, e := range arr {
		parts = append(parts, cell(e, path[1:]))
	}
	return strings.Join(parts, "; ")
}
