package web

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"shkola/internal/errs"
	"shkola/internal/org"
)

// RegisterOrg serves the organisation directory pages and puts the list in
// the main menu. Like the API, the pages are read-only and public for now;
// access checks will wrap these two handlers.
func (s *Site) RegisterOrg(mux *http.ServeMux, svc *org.Guard) {
	s.Nav = append(s.Nav, NavItem{Key: "nav.orgs", Path: "/orgs"})
	h := orgPages{site: s, svc: svc}
	mux.HandleFunc("GET /orgs", h.list)
	mux.HandleFunc("GET /orgs/{id}", h.card)
}

type orgPages struct {
	site *Site
	svc  *org.Guard
}

const orgPageSize = 50

type orgListData struct {
	Q, Kind string
	Kinds   []org.Kind
	Within  *org.Organisation
	Items   []org.Organisation
	Next    string // URL of the next page, "" on the last
	First   string // URL of the first page when not on it
}

func (h orgPages) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := &orgListData{Q: strings.TrimSpace(q.Get("q")), Kinds: org.Kinds()}
	// The form only offers valid values; anything else is ignored rather
	// than answered with an error page.
	if k := org.Kind(q.Get("kind")); k.Valid() {
		d.Kind = string(k)
	}
	if len([]rune(d.Q)) > 200 {
		d.Q = string([]rune(d.Q)[:200])
	}
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	within, _ := strconv.ParseInt(q.Get("within"), 10, 64)
	if within > 0 {
		o, err := h.svc.Get(r.Context(), within)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.Within = &o
	}
	items, err := h.svc.List(r.Context(), org.Filter{Kind: org.Kind(d.Kind), Q: d.Q, Within: within, After: max(after, 0), Limit: orgPageSize})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Items = items
	link := func(after int64) string {
		v := url.Values{}
		if d.Q != "" {
			v.Set("q", d.Q)
		}
		if d.Kind != "" {
			v.Set("kind", d.Kind)
		}
		if within > 0 {
			v.Set("within", strconv.FormatInt(within, 10))
		}
		if after > 0 {
			v.Set("after", strconv.FormatInt(after, 10))
		}
		if len(v) == 0 {
			return "/orgs"
		}
		return "/orgs?" + v.Encode()
	}
	if len(items) == orgPageSize {
		d.Next = link(items[len(items)-1].ID)
	}
	if after > 0 {
		d.First = link(0)
	}
	h.site.Render(w, r, http.StatusOK, "orgs", h.site.NewPage(r, "org.list.title", d))
}

type orgCardData struct {
	Org       org.Organisation
	Ancestors []org.Organisation
	Children  []org.Organisation
	More      bool // more children than shown
	History   []historyRow
}

type historyRow struct {
	Version int64
	When    string
	Who     string
	Changes []changeRow
}

type changeRow struct{ Field, Old, New string }

func (h orgPages) card(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		h.fail(w, r, errs.E(errs.NotFound, "not found"))
		return
	}
	ctx := r.Context()
	o, err := h.svc.Get(ctx, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := &orgCardData{Org: o}
	if d.Ancestors, err = h.svc.Ancestors(ctx, id); err != nil {
		h.fail(w, r, err)
		return
	}
	const shown = 100
	if d.Children, err = h.svc.List(ctx, org.Filter{Parent: id, Limit: shown + 1}); err != nil {
		h.fail(w, r, err)
		return
	}
	if len(d.Children) > shown {
		d.Children, d.More = d.Children[:shown], true
	}
	hist, err := h.svc.History(ctx, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.site.NewPage(r, "org.card.title", d)
	p.Title = o.Name
	for i := len(hist) - 1; i >= 0; i-- { // newest first
		d.History = append(d.History, toHistoryRow(p.T, hist[i]))
	}
	h.site.Render(w, r, http.StatusOK, "org", p)
}

// toHistoryRow turns a history entry into translated text: field labels and
// coded values (kind, status) in the visitor's language.
func toHistoryRow(t *Translator, e org.HistoryEntry) historyRow {
	row := historyRow{Version: e.Version, When: e.ChangedAt.UTC().Format(time.DateTime) + " UTC", Who: e.ChangedBy}
	names := make([]string, 0, len(e.Changes))
	for k := range e.Changes {
		names = append(names, k)
	}
	sort.Strings(names)
	value := func(field string, v any) string {
		if v == nil {
			return ""
		}
		s := fmt.Sprint(v)
		switch field {
		case "kind", "status", "country":
			return t.T("org." + field + "." + s)
		}
		return s
	}
	for _, k := range names {
		c := e.Changes[k]
		row.Changes = append(row.Changes, changeRow{Field: t.T("org.field." + k), Old: value(k, c.Old), New: value(k, c.New)})
	}
	return row
}

func (h orgPages) fail(w http.ResponseWriter, r *http.Request, err error) {
	h.site.FailAs(w, r, err, Messages{errs.NotFound: "org.notfound"})
}
