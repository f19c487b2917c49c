package app

import (
	"context"
	"net/http"
	"time"

	"shkola/internal/api"
	"shkola/internal/errs"
	"shkola/internal/httpx"
	"shkola/internal/org"
)

// routes registers every handler. Each domain adds one line here that calls
// its own registration function in api and web.
func (a *App) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", a.ready)
	mux.Handle("GET /metrics", a.Metrics.Handler())

	a.API.Handle("GET", "/openapi.json", api.ServeDocument(a.Doc))
	api.RegisterOrg(a.API, a.OrgDir)
	api.RegisterAccount(a.API, a.Accounts, a.Admin)
	api.RegisterAudit(a.API, a.AuditRd)
	api.RegisterPerson(a.API, a.People)
	api.RegisterCalendar(a.API, a.Calendar)
	api.RegisterClasses(a.API, a.Classes)
	api.RegisterContingent(a.API, a.Contingent)
	api.RegisterStaff(a.API, a.Staff)
	api.RegisterDirectory(a.API, a.Dirs)
	api.RegisterLogins(a.API, a.Logins, a.Cfg.BaseURL)
	api.RegisterNotify(a.API, a.Notify)
	api.RegisterSchedule(a.API, a.Schedule)
	api.RegisterJournal(a.API, a.Journal)
	api.RegisterPortfolio(a.API, a.Portfolio)
	api.RegisterImports(a.API, a.Importer)
	api.RegisterExports(a.API, mux, api.Lists{People: a.People, Orgs: a.OrgDir, Classes: a.Classes, Staff: a.Staff, Contingent: a.Contingent, Export: a.Export})
	api.RegisterDiary(a.API, a.Diary)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		api.Fail(w, r, errs.E(errs.NotFound, "no such API route"))
	})

	mux.Handle("GET /static/", a.Site.Static())
	mux.HandleFunc("POST /prefs", a.Site.SetPrefs)
	a.Site.RegisterOrg(mux, a.OrgDir)
	a.Site.RegisterAccount(mux, a.Sessions)
	a.Site.RegisterAudit(mux, a.AuditRd)
	a.Site.RegisterAccountAdmin(mux, a.Admin)
	a.Site.RegisterPerson(mux, a.People)
	a.Site.RegisterClasses(mux, a.Calendar, a.Classes)
	a.Site.RegisterContingent(mux, a.Contingent)
	a.Site.RegisterStaff(mux, a.Staff, a.OrgDir, a.Dirs.S)
	a.Site.RegisterDirectory(mux, a.Dirs)
	a.Site.RegisterLogins(mux, a.Logins, a.Cfg.BaseURL)
	a.Site.RegisterNotify(mux, a.Notify)
	a.Site.RegisterSchedule(mux, a.Schedule, a.Calendar, a.Dirs.S)
	a.Site.RegisterJournal(mux, a.Journal, a.Dirs.S)
	a.Site.RegisterPortfolio(mux, a.Portfolio, a.Dirs.S)
	a.Site.RegisterImports(mux, a.Importer)
	a.Site.RegisterDiary(mux, a.Diary)
	mux.HandleFunc("GET /{$}", a.home)
	mux.HandleFunc("/", a.notFound)
}

func (a *App) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := a.DB.Ping(ctx); err != nil {
		httpx.Logger(ctx).Warn("not ready", "err", err)
		http.Error(w, "database unreachable\n", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ready\n"))
}

func (a *App) home(w http.ResponseWriter, r *http.Request) {
	n, err := a.Orgs.CountKind(r.Context(), org.School)
	if err != nil {
		httpx.Logger(r.Context()).Warn("count schools", "err", err)
	}
	a.Site.Render(w, r, http.StatusOK, "home", a.Site.NewPage(r, "home.title", struct{ Schools int }{n}))
}

func (a *App) notFound(w http.ResponseWriter, r *http.Request) {
	a.Site.Render(w, r, http.StatusNotFound, "error", a.Site.NewPage(r, "error.title", "error.notfound"))
}
