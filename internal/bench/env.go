package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"shkola/internal/app"
	"shkola/internal/config"
	"shkola/internal/demo"
	"shkola/internal/httpx"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Env is one engine's prepared world: a fresh database holding the demo
// region, the application on it, and its HTTP server on a loopback port.
// Scenarios read what they need from it in Setup.
type Env struct {
	Engine store.Engine
	Size   string
	Quick  bool
	App    *app.App
	DB     *store.DB
	URL    string       // the server's base URL
	Demo   demo.Summary // what the generator made and how long it took
	// School is the region's first school; AdminToken is an API bearer token
	// of a school administrator there (made for the bench, not a demo login).
	School     int64
	AdminToken string

	concurrency int
	dir         string // the bench's temporary directory (import files)
	serial      atomic.Int64
	hc          *http.Client
	cleanup     []func() error // run in reverse by Close
}

// Start makes the database, loads the demo region into it and starts the
// server. Close undoes all of it.
func Start(ctx context.Context, eng store.Engine, o Options) (env *Env, err error) {
	env = &Env{Engine: eng, Size: o.Size, Quick: o.Quick, concurrency: max(1, o.Concurrency)}
	defer func() {
		if err != nil {
			err = errors.Join(err, env.Close())
			env = nil
		}
	}()
	dir, err := os.MkdirTemp("", "shkola-bench-*")
	if err != nil {
		return env, err
	}
	env.dir = dir
	env.onClose(func() error { return os.RemoveAll(dir) })
	dbURL := filepath.Join(dir, "bench.db")
	if eng == store.Postgres {
		if dbURL, err = env.createPG(ctx, o.PGAdmin); err != nil {
			return env, err
		}
	}
	cfg := &config.Config{DB: dbURL, DataDir: dir, Listen: "127.0.0.1:0", LogLevel: "info", LogFormat: "json",
		Demo: true, DemoSize: o.Size, DemoSeed: o.Seed, MaxBody: 1 << 20, ShutdownFor: 5 * time.Second,
		// Import files of a million lines are about 300 MB.
		MaxUpload: 1 << 30}
	if err := cfg.Check(); err != nil {
		return env, err
	}
	// Logs are formatted as in production (that is part of the cost) and
	// thrown away.
	log := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	db, err := app.Open(ctx, cfg, log)
	if err != nil {
		return env, err
	}
	env.DB = db
	env.onClose(db.Close)
	if env.App, err = app.New(cfg, log, db); err != nil {
		return env, err
	}
	progress := func(st demo.StepTime) {
		if o.Progress != nil {
			fmt.Fprintf(o.Progress, "%s: demo %s\n", eng, st)
		}
	}
	if env.Demo, err = demo.Generate(ctx, db, demo.Options{Seed: o.Seed, Size: o.Size, Progress: progress, Accounts: env.App.Accounts,
		People: env.App.People, Contingent: env.App.Contingent.S, Portfolio: env.App.Portfolio.S}); err != nil {
		return env, err
	}
	if err := env.serve(ctx, log); err != nil {
		return env, err
	}
	return env, env.schoolAdmin(ctx)
}

// onClose schedules fn for Close.
func (e *Env) onClose(fn func() error) { e.cleanup = append(e.cleanup, fn) }

// Close stops the server, closes the database and removes it.
func (e *Env) Close() error {
	var err error
	for i := len(e.cleanup) - 1; i >= 0; i-- {
		err = errors.Join(err, e.cleanup[i]())
	}
	e.cleanup = nil
	return err
}

// createPG makes a database of its own on the server at admin and returns
// its URL; Close drops it.
func (e *Env) createPG(ctx context.Context, admin string) (string, error) {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "shkola_bench_" + hex.EncodeToString(b)
	a, err := sql.Open("pgx", admin)
	if err != nil {
		return "", fmt.Errorf("postgres %s: %w", admin, err)
	}
	defer a.Close()
	if _, err := a.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("postgres at %s (--pg): create database: %w", admin, err)
	}
	e.onClose(func() error {
		a, err := sql.Open("pgx", admin)
		if err != nil {
			return err
		}
		defer a.Close()
		_, err = a.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		return err
	})
	u, err := url.Parse(admin)
	if err != nil {
		return "", fmt.Errorf("--pg: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// serve starts the application's handler with the production server
// settings on a loopback port.
func (e *Env) serve(ctx context.Context, log *slog.Logger) error {
	ln, err := httpx.Listen("127.0.0.1:0")
	if err != nil {
		return err
	}
	e.URL = "http://" + ln.Addr().String()
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan error, 1)
	go func() { done <- httpx.Serve(sctx, ln, e.App.Handler(), 5*time.Second, log) }()
	e.hc = &http.Client{Timeout: time.Minute, Transport: &http.Transport{
		Proxy:               nil, // loopback, never a proxy from the environment
		MaxIdleConnsPerHost: e.concurrency + 4,
		DisableCompression:  true,
		IdleConnTimeout:     time.Minute,
	}}
	e.onClose(func() error {
		e.hc.CloseIdleConnections()
		cancel()
		return <-done
	})
	return nil
}

// schoolAdmin makes the bench's own school administrator and its token.
func (e *Env) schoolAdmin(ctx context.Context) error {
	if err := e.DB.Read().QueryRowContext(ctx, "SELECT id FROM organisations WHERE kind = 'school' ORDER BY id LIMIT 1").Scan(&e.School); err != nil {
		return fmt.Errorf("no school in the demo region: %w", err)
	}
	acc, _, err := e.App.Accounts.Create(ctx, "bench.admin", []identity.Grant{{Role: identity.SchoolAdmin, OrgID: e.School}})
	if err != nil {
		return err
	}
	e.AdminToken, err = e.App.Accounts.IssueToken(ctx, acc.ID, "bench")
	return err
}

// Client is an HTTP client of the server, safe for concurrent use.
func (e *Env) Client() *Client { return &Client{base: e.URL, hc: e.hc} }

// Unique returns a number never returned before on this engine, for
// identifiers that must not repeat across scenarios (SNILS, logins).
func (e *Env) Unique() int64 { return e.serial.Add(1) }

// UniqueBlock reserves n consecutive numbers as Unique would and returns
// the first.
func (e *Env) UniqueBlock(n int) int64 { return e.serial.Add(int64(n)) - int64(n) + 1 }

// Parallel runs fn(i) for i in [0, n) on the bench's concurrency, for
// setting up records; it stops at the first error.
func (e *Env) Parallel(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(e.concurrency, max(n, 1)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(ctx, i); err != nil {
					cancel(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return context.Cause(ctx) // nil unless fn failed or ctx ended
}
