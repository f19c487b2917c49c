package main

import (
	"context"
	"flag"
	"fmt"
	"io"
)

// runGifted recomputes the gifted attribute. Opening the application
// already recomputes every flag computed with another rule or, for a rule
// with a time window, on an earlier day; --all recomputes everybody.
func runGifted(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var all bool
	cfg, err := parseFlags("gifted", args, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&all, "all", false, "recompute every pupil, not only those whose flag is out of date")
	})
	if err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, cfg.Logger())
	if err != nil {
		return err
	}
	defer a.DB.Close()
	n, err := a.Portfolio.S.RecomputeAll(ctx, all)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "gifted attribute up to date under the rule %q (%d pupils recomputed now)\n", a.Portfolio.S.Rule.Text(), n)
	return nil
}
