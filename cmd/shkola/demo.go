package main

import (
	"context"
	"fmt"
	"io"

	"shkola/internal/demo"
)

// runDemo fills the configured database with the demo region.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags("demo", args, stderr, nil)
	if err != nil {
		return err
	}
	cfg.Demo = true // a demo database gets generated keys like serve --demo
	log := cfg.Logger()
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	sum, err := loadDemo(ctx, a)
	if err != nil {
		return err
	}
	if sum == nil {
		return fmt.Errorf("database %s already has organisations; the demo region goes only into an empty database", a.DB.Location)
	}
	fmt.Fprintf(stdout, "demo region (seed %d, size %s) loaded into %s in %s: %s\n", cfg.DemoSeed, cfg.DemoSize, a.DB.Location, sum.Took.Round(1e6), sum)
	fmt.Fprintf(stdout, "steps: %s\n", sum.Timings())
	printLogins(stdout, *sum)
	return nil
}

func printLogins(w io.Writer, sum demo.Summary) {
	if len(sum.Logins) == 0 {
		return
	}
	fmt.Fprintln(w, "demo logins (login / password — role, where):")
	for _, l := range sum.Logins {
		fmt.Fprintf(w, "  %-14s %-18s %s, %s\n", l.Login, l.Password, l.Role, l.Org)
	}
	fmt.Fprintln(w, "administrators, officers and the operator set up a second factor (TOTP app) at their first login")
}
