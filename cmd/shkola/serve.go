package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"shkola/internal/app"
	"shkola/internal/audit"
	"shkola/internal/config"
	"shkola/internal/demo"
	"shkola/internal/httpx"
)

// errUsage means the flag package has already told the user what is wrong.
var errUsage = errors.New("usage")

// parseFlags parses the common configuration flags plus any extra ones.
func parseFlags(name string, args []string, stderr io.Writer, extra func(*flag.FlagSet)) (*config.Config, error) {
	fs := flag.NewFlagSet("shkola "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := &config.Config{}
	config.Register(fs, cfg)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, errUsage
		}
		return nil, errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "shkola %s: unexpected argument %q\n", name, fs.Arg(0))
		return nil, errUsage
	}
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	return cfg, nil
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var withDemo bool
	cfg, err := parseFlags("serve", args, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&withDemo, "demo", false, "load the demo region if the database is empty, and use readable text logs")
	})
	if err != nil {
		return err
	}
	cfg.Demo = withDemo
	if withDemo && os.Getenv("SHKOLA_LOG_FORMAT") == "" && !flagSet(args, "log-format") {
		cfg.LogFormat = "text" // a person is watching the terminal
	}
	log := cfg.Logger()
	// Bind the port first: a port in use must stop us before anything else.
	ln, err := httpx.Listen(cfg.Listen)
	if err != nil {
		return err
	}
	defer ln.Close()
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	var loaded *demo.Summary
	if cfg.Demo {
		if loaded, err = loadDemo(ctx, a); err != nil {
			return err
		}
	}
	if loaded != nil {
		fmt.Fprintf(stdout, "demo region loaded (seed %d, size %s) in %s: %s\n", cfg.DemoSeed, cfg.DemoSize, loaded.Took.Round(1e6), loaded)
		printLogins(stdout, *loaded)
	}
	stopBackground := a.Background(ctx)
	defer stopBackground()
	fmt.Fprintf(stdout, "Shkola is running: open %s/ (database: %s)\n", cfg.BaseURL, a.DB.Location)
	log.Info("serving", "listen", ln.Addr().String(), "base_url", cfg.BaseURL, "engine", string(a.DB.Engine))
	return httpx.Serve(ctx, ln, a.Handler(), cfg.ShutdownFor, log)
}

// loadDemo generates the demo region when the database is empty; on a
// database that already has data it does nothing. The load is audited.
func loadDemo(ctx context.Context, a *app.App) (*demo.Summary, error) {
	empty, err := demo.Empty(ctx, a.DB)
	if err != nil || !empty {
		return nil, err
	}
	sum, err := demo.Generate(ctx, a.DB, demo.Options{Seed: a.Cfg.DemoSeed, Size: a.Cfg.DemoSize, Accounts: a.Accounts,
		People: a.People, Contingent: a.Contingent.S, Portfolio: a.Portfolio.S, Progress: func(st demo.StepTime) {
			a.Log.Info("demo step done", "step", st.Name, "took", st.Took.Round(time.Millisecond).String(), "trips", st.Trips)
		}})
	if err != nil {
		return nil, err
	}
	err = a.Audit.Write(ctx, audit.Entry{Action: audit.Import, Outcome: audit.Success, ObjectType: "demo",
		Detail: fmt.Sprintf("demo region seed %d size %s: %s", a.Cfg.DemoSeed, a.Cfg.DemoSize, sum)})
	return &sum, err
}

// flagSet reports whether args name flag explicitly.
func flagSet(args []string, name string) bool {
	for _, a := range args {
		a = strings.TrimLeft(a, "-")
		if a == name || strings.HasPrefix(a, name+"=") {
			return true
		}
	}
	return false
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags("migrate", args, stderr, nil)
	if err != nil {
		return err
	}
	db, err := app.Open(ctx, cfg, cfg.Logger())
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(stdout, "database %s is up to date\n", db.Location)
	return nil
}

// openApp opens and migrates the database and builds the application on it.
func openApp(ctx context.Context, cfg *config.Config, log *slog.Logger) (*app.App, error) {
	db, err := app.Open(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	a, err := app.New(cfg, log, db)
	if err != nil {
		_ = db.Close() // the error returned below is the one to report
		return nil, err
	}
	return a, nil
}
