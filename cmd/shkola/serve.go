package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"shkola/internal/app"
	"shkola/internal/config"
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
	var demo bool
	cfg, err := parseFlags("serve", args, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&demo, "demo", false, "load the demo region if the database is empty, and use readable text logs")
	})
	if err != nil {
		return err
	}
	cfg.Demo = demo
	log := cfg.Logger()
	// Bind the port first: a port in use must stop us before anything else.
	ln, err := httpx.Listen(cfg.Listen)
	if err != nil {
		return err
	}
	defer ln.Close()
	db, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := app.New(cfg, log, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Shkola is running: open %s/ (database: %s)\n", cfg.BaseURL, db.Location)
	log.Info("serving", "listen", ln.Addr().String(), "base_url", cfg.BaseURL, "engine", string(db.Engine))
	return httpx.Serve(ctx, ln, a.Handler(), cfg.ShutdownFor, log)
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
