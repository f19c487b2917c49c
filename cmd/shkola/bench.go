package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"shkola/internal/bench"
	"shkola/internal/store"
)

// runBench measures the scenarios of internal/bench on fresh databases and
// prints one table (docs/PERFORMANCE.md).
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	o := bench.Options{Progress: stderr}
	var engines, scenarios, cpuProfile, importRows string
	var traceSQL bool
	fs := flag.NewFlagSet("shkola bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.Size, "size", "small", "demo region size: small, district or region")
	fs.Int64Var(&o.Seed, "seed", 1, "demo generator seed")
	fs.StringVar(&engines, "engines", "sqlite,postgres", "engines, comma-separated: sqlite, postgres")
	fs.StringVar(&scenarios, "scenarios", "", "scenarios, comma-separated (default all: "+strings.Join(bench.Names(), ", ")+")")
	fs.DurationVar(&o.Duration, "duration", 10*time.Second, "measured time of each run (each scenario, engine, and its SQL baseline)")
	fs.DurationVar(&o.Warmup, "warmup", 2*time.Second, "unmeasured time before each run")
	fs.IntVar(&o.Concurrency, "concurrency", 4*runtime.GOMAXPROCS(0), "clients at once")
	fs.StringVar(&o.PGAdmin, "pg", bench.DefaultPG, "PostgreSQL server where a fresh database shkola_bench_* is made and dropped")
	fs.BoolVar(&o.Quick, "quick", false, "smoke run: 500ms runs, 100ms warm-up, fewer records set up (unless --duration/--warmup say otherwise)")
	fs.StringVar(&importRows, "import-rows", "", "lines of each import file, comma-separated (default 10000,100000; --quick 500), e.g. 10000,100000,1000000")
	fs.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file (go tool pprof)")
	fs.BoolVar(&traceSQL, "trace", false, "print the SQL statements of one operation of each scenario and its baseline to stderr")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "shkola bench: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	if o.Quick {
		if !flagSet(args, "duration") {
			o.Duration = 500 * time.Millisecond
		}
		if !flagSet(args, "warmup") {
			o.Warmup = 100 * time.Millisecond
		}
	}
	for _, e := range splitList(engines) {
		o.Engines = append(o.Engines, store.Engine(e))
	}
	o.Scenarios = splitList(scenarios)
	for _, v := range splitList(importRows) {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			fmt.Fprintf(stderr, "shkola bench: --import-rows: %q is not a positive number\n", v)
			return errUsage
		}
		o.ImportRows = append(o.ImportRows, n)
	}
	if traceSQL {
		o.Trace = stderr
	}
	if err := o.Check(); err != nil {
		return err
	}
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile) // #nosec G304 -- the operator's own path from the command line: the CLI runs with the operator's rights
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			_ = f.Close() // the error returned below is the one to report
			return err
		}
		defer func() {
			pprof.StopCPUProfile()
			err = errors.Join(err, f.Close())
		}()
	}
	rep, err := bench.Run(ctx, o)
	if err != nil {
		return err
	}
	rep.Print(stdout)
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
