// Package web is the server-rendered UI: one layout, pages from embedded
// templates, embedded cache-busted static files, three languages and a
// low-vision mode. Domain pages are added as templates/<page>.html plus a
// handler file here.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"

	"shkola/internal/account"
	"shkola/internal/errs"
	"shkola/internal/httpx"
	"shkola/internal/identity"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// NavItem is one entry of the main navigation.
type NavItem struct {
	// Roles, when set, shows the item only to holders of one of them.
	Roles []identity.Role
	Key   string // message id of the label
	Path  string
}

// Site renders pages.
type Site struct {
	Catalog *Catalog
	pages   map[string]*template.Template
	assets  map[string]string // name -> hashed URL
	Nav     []NavItem
	Secure  bool // cookies get the Secure flag
	// Unread, when set, counts the signed-in person's unread notifications
	// for the badge in the layout (one indexed COUNT per page).
	Unread func(r *http.Request) int
	// bufs keeps render buffers between requests: a page is rendered whole
	// before it is sent, and growing a fresh buffer to its size each time
	// cost a dozen allocations and copies.
	bufs sync.Pool
	// texts are the prepared labels per language (texts.go).
	texts map[string]*pageTexts
}

// maxPooledBuffer: a buffer grown by an unusually large page is left to the
// collector rather than kept for every later page.
const maxPooledBuffer = 256 << 10

// Page is what every template gets.
type Page struct {
	T         *Translator
	L         *layoutText // the layout's labels in Lang
	Lang      string
	LowVision bool
	Title     string
	Path      string
	Nav       []NavLink
	Languages []string
	CSRF      string          // form token: every form carries it in a hidden field
	Query     url.Values      // the request's query: download links keep the list's filters
	Actor     *identity.Actor // who is looking; anonymous when nobody logged in
	Data      any
	Unread    int // unread notifications, shown beside the bell
}

// NewSite parses every page with the layout and hashes the static files.
func NewSite(secure bool) (*Site, error) {
	cat, err := LoadCatalog()
	if err != nil {
		return nil, err
	}
	s := &Site{Catalog: cat, pages: map[string]*template.Template{}, assets: map[string]string{}, Secure: secure,
		Nav: []NavItem{{Key: "nav.home", Path: "/"}}}
	if err := s.hashAssets(); err != nil {
		return nil, err
	}
	if s.texts, err = newPageTexts(cat); err != nil {
		return nil, err
	}
	funcs := template.FuncMap{
		"asset": s.asset,
		"T":     func(t *Translator, id string, data ...any) string { return t.T(id, data...) },
		"N":     func(t *Translator, id string, n int) string { return t.N(id, n) },
		// dict passes several values to a shared template ("key", value, …).
		"dict": func(kv ...any) map[string]any {
			m := make(map[string]any, len(kv)/2)
			for i := 0; i+1 < len(kv); i += 2 {
				k, _ := kv[i].(string)
				m[k] = kv[i+1]
			}
			return m
		},
		"list": func(v ...string) []string { return v },

		// exportHref links a list page to its download (exports.go).
		"exportHref": exportHref,
	}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("layout: %w", err)
	}
	entries, err := fs.ReadDir(templateFiles, "templates")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if e.Name() == "layout.html" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFiles, "templates/"+e.Name())
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", e.Name(), err)
		}
		s.pages[strings.TrimSuffix(e.Name(), ".html")] = t
	}
	return s, nil
}

func (s *Site) hashAssets() error {
	return fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(staticFiles, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		name := strings.TrimPrefix(p, "static/")
		s.assets[name] = "/static/" + hex.EncodeToString(sum[:6]) + "/" + name
		return nil
	})
}

func (s *Site) asset(name string) string {
	if u, ok := s.assets[name]; ok {
		return u
	}
	return "/static/missing/" + name
}

// Static serves /static/<hash>/<name>. The hash makes each version its own
// URL, so files are cached for a year and a new release is fetched at once.
func (s *Site) Static() http.Handler {
	sub, _ := fs.Sub(staticFiles, "static")
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest := strings.TrimPrefix(r.URL.Path, "/static/")
		hash, name, ok := strings.Cut(rest, "/")
		if !ok || s.assets[name] != "/static/"+hash+"/"+name {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + path.Clean(name)
		files.ServeHTTP(w, r2)
	})
}

// Prefs reads the visitor's language and low-vision choice from cookies.
func (s *Site) Prefs(r *http.Request) (lang string, lowVision bool) {
	lang = Languages[0]
	if c, err := r.Cookie("lang"); err == nil && Supported(c.Value) {
		lang = c.Value
	}
	if c, err := r.Cookie("lv"); err == nil && c.Value == "1" {
		lowVision = true
	}
	return lang, lowVision
}

// NewPage fills the common fields of a page for r.
func (s *Site) NewPage(r *http.Request, titleKey string, data any) *Page {
	lang, lv := s.Prefs(r)
	t := s.Catalog.For(lang)
	a := identity.From(r.Context())
	p := &Page{T: t, L: &s.textsFor(lang).layout, Lang: lang, LowVision: lv, Title: t.T(titleKey), Path: r.URL.Path,
		Nav: s.navFor(a, t, r.URL.Path), Languages: Languages, CSRF: account.CSRF(r.Context()), Actor: a, Data: data}
	if s.Unread != nil && a.AccountID != 0 {
		p.Unread = s.Unread(r)
	}
	p.Query = r.URL.Query()
	return p
}

// Render writes page name with status. It renders into a buffer first, so a
// template error becomes a clean 500 rather than half a page.
func (s *Site) Render(w http.ResponseWriter, r *http.Request, status int, name string, p *Page) {
	t, ok := s.pages[name]
	if !ok {
		httpx.Logger(r.Context()).Error("no such page template", "page", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	buf, _ := s.bufs.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	defer func() {
		if buf.Cap() <= maxPooledBuffer {
			buf.Reset()
			s.bufs.Put(buf)
		}
	}()
	if err := t.ExecuteTemplate(buf, "layout.html", p); err != nil {
		httpx.Logger(r.Context()).Error("render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", p.Lang)
	h.Set("Vary", "Cookie")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// Fail answers err as a page: the login page for a visitor, otherwise an
// error page with the status of err's code and a generic message; the
// details of an internal error go only to the log.
func (s *Site) Fail(w http.ResponseWriter, r *http.Request, err error) { s.FailAs(w, r, err, nil) }

// Messages names, per error code, the message key a domain's pages show
// instead of the generic one.
type Messages map[errs.Code]string

// FailAs is Fail with a domain's own messages.
func (s *Site) FailAs(w http.ResponseWriter, r *http.Request, err error, m Messages) {
	code := errs.CodeOf(err)
	if code == errs.Unauthorized {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	key, ok := m[code]
	if !ok {
		switch code {
		case errs.NotFound:
			key = "error.notfound"
		case errs.Forbidden:
			key = "error.forbidden"
		case errs.Invalid, errs.Conflict, errs.Precondition:
			key = "error.badrequest"
		default:
			key = "error.internal"
		}
	}
	status := httpx.Status(code)
	if status >= 500 {
		httpx.Logger(r.Context()).Error("page failed", "err", err)
	}
	s.Render(w, r, status, "error", s.NewPage(r, "error.title", key))
}

// navFor keeps the items the actor has a role for, labelled in t's
// language, and marks the one of path.
func (s *Site) navFor(a *identity.Actor, t *Translator, path string) []NavLink {
	out := make([]NavLink, 0, len(s.Nav))
	for _, it := range s.Nav {
		show := len(it.Roles) == 0
		for _, r := range it.Roles {
			show = show || a.Has(r)
		}
		if show {
			out = append(out, NavLink{Path: it.Path, Label: t.T(it.Key), Current: it.Path == path})
		}
	}
	return out
}
