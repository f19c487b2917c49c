// Package app wires Shkola together: it opens the store, runs every domain's
// migrations, builds the services and the HTTP handler. It is the only
// package that knows all the others; cmd/shkola and the tests start here.
package app

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"

	"shkola/internal/api"
	"shkola/internal/audit"
	"shkola/internal/config"
	"shkola/internal/httpx"
	"shkola/internal/org"
	"shkola/internal/store"
	"shkola/internal/web"
)

// App is one running instance of Shkola.
type App struct {
	Cfg     *config.Config
	Log     *slog.Logger
	DB      *store.DB
	Site    *web.Site
	Doc     api.Document
	API     *api.Router
	Metrics *httpx.Metrics
	Orgs    *org.Service
	handler http.Handler
}

// Migrations lists every domain's migration set in dependency order: a
// domain comes after the domains whose tables it references.
func Migrations() []store.MigrationSet {
	return []store.MigrationSet{
		store.PlatformMigrations(),
		org.Migrations(),
		audit.Migrations(),
	}
}

// Open connects to the configured database and brings its schema up to date.
func Open(ctx context.Context, cfg *config.Config, log *slog.Logger) (*store.DB, error) {
	db, err := store.Open(ctx, cfg.DB, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	n, err := db.Migrate(ctx, Migrations())
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate %s: %w", db.Location, err)
	}
	if n > 0 {
		log.Info("migrations applied", "count", n, "database", db.Location)
	}
	return db, nil
}

// New builds the application on an open, migrated database.
func New(cfg *config.Config, log *slog.Logger, db *store.DB) (*App, error) {
	site, err := web.NewSite(cfg.Secure())
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	doc, err := api.LoadDocument()
	if err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	pools := map[string]*sql.DB{"writer": db.W}
	if db.R != db.W {
		pools["reader"] = db.R
	}
	a := &App{Cfg: cfg, Log: log, DB: db, Site: site, Doc: doc, Metrics: httpx.NewMetrics(pools)}
	a.Orgs = org.NewService(db)
	mux := http.NewServeMux()
	a.API = api.NewRouter(mux)
	a.routes(mux)
	a.handler = httpx.Chain(mux,
		httpx.WithRequestID(log),
		a.Metrics.Middleware,
		httpx.AccessLog,
		httpx.Recover,
		httpx.SecurityHeaders(cfg.Secure()),
		httpx.LimitBody(cfg.MaxBody),
		httpx.CrossOrigin,
	)
	return a, nil
}

// Handler is the whole HTTP surface.
func (a *App) Handler() http.Handler { return a.handler }
