// Package bench measures the paths people wait on. For each engine it builds
// a fresh database with the demo region, starts the real HTTP server on a
// loopback port in this process, and drives each scenario with concurrent
// clients; then it does the same data work directly in SQL (the baseline),
// so the ratio shows what the application layers cost. `shkola bench` and
// `go test -bench . ./internal/bench` both run it.
//
// Like apptest, this package sits above app: it starts the whole system.
// Nothing but cmd/shkola and its own tests imports it.
package bench

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"shkola/internal/demo"
	"shkola/internal/store"
)

// Options say what to run and how hard.
type Options struct {
	Size        string         // demo size: small, district or region
	Seed        int64          // demo seed
	Engines     []store.Engine // in this order
	Scenarios   []string       // names; empty means all
	Duration    time.Duration  // measured time of each run
	Warmup      time.Duration  // unmeasured time before each run
	Concurrency int            // clients at once
	PGAdmin     string         // PostgreSQL server on which fresh databases are made and dropped
	Quick       bool           // fewer records to set up: the CI smoke run
	ImportRows  []int          // lines of each import file (default 10,000 and 100,000; --quick 500)
	Progress    io.Writer      // what is happening, for the impatient (may be nil)
	// Trace, when set, gets the statements of one operation of each
	// scenario and of its baseline, sent before measuring.
	Trace io.Writer
}

// DefaultPG is the PostgreSQL server of the development machine and CI.
// Without TLS: on loopback it would only add its own cost to every round
// trip (a deployment over a network pays it, and should).
const DefaultPG = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Check validates o and fills defaults; the error names the option.
func (o *Options) Check() error {
	if _, ok := demo.SizeOf(o.Size); !ok {
		return fmt.Errorf("--size %q: use small, district or region", o.Size)
	}
	if len(o.Engines) == 0 {
		return fmt.Errorf("--engines: name at least one of sqlite, postgres")
	}
	for _, e := range o.Engines {
		if e != store.SQLite && e != store.Postgres {
			return fmt.Errorf("--engines: %q is not sqlite or postgres", e)
		}
	}
	known := Names()
	for _, s := range o.Scenarios {
		if !slices.Contains(known, s) {
			return fmt.Errorf("--scenarios: %q is not one of %s", s, strings.Join(known, ", "))
		}
	}
	if o.Duration <= 0 {
		return fmt.Errorf("--duration must be positive")
	}
	if o.Concurrency < 1 {
		return fmt.Errorf("--concurrency must be at least 1")
	}
	if o.PGAdmin == "" {
		o.PGAdmin = DefaultPG
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	return nil
}

func (o *Options) wants(name string) bool {
	return len(o.Scenarios) == 0 || slices.Contains(o.Scenarios, name)
}

// Report is one run of the bench: what the datasets were and the rows.
type Report struct {
	Options Options
	Started time.Time
	// Load averages (/proc/loadavg) at the start and the end: other work on
	// the machine skews the numbers.
	LoadStart, LoadEnd string
	Datasets           []Dataset // how each engine's dataset was made
	Rows               []Row
}

// Dataset is how one engine's dataset was made.
type Dataset struct {
	Engine store.Engine
	Demo   demo.Summary
	// Idle is the process's memory once the dataset is made and the server
	// is up, before any scenario runs (after a garbage collection).
	Idle Memory
}

// Row is one line of the table: a scenario through the application, or its
// SQL baseline, on one engine.
type Row struct {
	Scenario string
	Engine   store.Engine
	Baseline bool
	// Lines is the size of the file of a bulk scenario (import), whose one
	// operation is the whole file and whose rate is lines per second; 0
	// for the others.
	Lines int
	M     Measurement
	// Ratio is the application's operations per second as a share of the
	// baseline's (0 on baseline rows).
	Ratio float64
}

// Run measures every selected scenario on every engine.
func Run(ctx context.Context, o Options) (*Report, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	rep := &Report{Options: o, Started: time.Now(), LoadStart: loadAverage()}
	for _, eng := range o.Engines {
		if err := runEngine(ctx, o, eng, rep); err != nil {
			return rep, fmt.Errorf("%s: %w", eng, err)
		}
	}
	rep.LoadEnd = loadAverage()
	rep.sort()
	return rep, nil
}

func runEngine(ctx context.Context, o Options, eng store.Engine, rep *Report) (err error) {
	fmt.Fprintf(o.Progress, "%s: generating the demo region (size %s)…\n", eng, o.Size)
	env, err := Start(ctx, eng, o)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := env.Close(); err == nil {
			err = cerr
		}
	}()
	fmt.Fprintf(o.Progress, "%s: generated in %s: %s\n", eng, env.Demo.Took.Round(time.Millisecond), env.Demo)
	debug.FreeOSMemory()
	rep.Datasets = append(rep.Datasets, Dataset{Engine: eng, Demo: env.Demo, Idle: ReadMemory()})
	r := Runner{Concurrency: o.Concurrency, Duration: o.Duration, Warmup: o.Warmup, Counter: env.DB.Queries}
	if eng == store.Postgres {
		r.CPU.db = env.DB
	}
	for _, sc := range Scenarios() {
		if !o.wants(sc.Name()) {
			continue
		}
		fmt.Fprintf(o.Progress, "%s: %s: setting up\n", eng, sc.Name())
		if err := sc.Setup(ctx, env); err != nil {
			return fmt.Errorf("%s: setup: %w", sc.Name(), err)
		}
		client := env.Client()
		if b, ok := sc.(bulk); ok {
			rows, err := measureBulk(ctx, o, env, sc.Name(), b, client, r.CPU)
			if err != nil {
				return fmt.Errorf("%s: %w", sc.Name(), err)
			}
			rep.Rows = append(rep.Rows, rows...)
			continue
		}
		if o.Trace != nil {
			if err := trace(ctx, o.Trace, env, sc, client); err != nil {
				return fmt.Errorf("%s: trace: %w", sc.Name(), err)
			}
		}
		fmt.Fprintf(o.Progress, "%s: %s: through the server\n", eng, sc.Name())
		app, err := r.Measure(ctx, func(ctx context.Context, i int) error { return sc.Op(ctx, client, i) })
		if err != nil {
			return fmt.Errorf("%s: %w", sc.Name(), err)
		}
		fmt.Fprintf(o.Progress, "%s: %s: SQL baseline\n", eng, sc.Name())
		base, err := r.Measure(ctx, func(ctx context.Context, i int) error { return sc.Baseline(ctx, env.DB, i) })
		if err != nil {
			return fmt.Errorf("%s: baseline: %w", sc.Name(), err)
		}
		row := Row{Scenario: sc.Name(), Engine: eng, M: app}
		if base.OpsPerSec() > 0 {
			row.Ratio = app.OpsPerSec() / base.OpsPerSec()
		}
		rep.Rows = append(rep.Rows, row, Row{Scenario: sc.Name(), Engine: eng, Baseline: true, M: base})
	}
	return nil
}

// sort orders rows by scenario (in catalogue order), then engine, the
// application before its baseline, so engines sit side by side.
func (r *Report) sort() {
	order := Names()
	engine := func(e store.Engine) int { return slices.Index(r.Options.Engines, e) }
	slices.SortStableFunc(r.Rows, func(a, b Row) int {
		if d := slices.Index(order, a.Scenario) - slices.Index(order, b.Scenario); d != 0 {
			return d
		}
		if d := engine(a.Engine) - engine(b.Engine); d != 0 {
			return d
		}
		if d := a.Lines - b.Lines; d != 0 {
			return d
		}
		switch {
		case a.Baseline == b.Baseline:
			return 0
		case a.Baseline:
			return 1
		}
		return -1
	})
}

// trace writes the statements one operation and one baseline operation
// send. Operation number 0 is never used by a measured run.
func trace(ctx context.Context, w io.Writer, env *Env, sc Scenario, c *Client) error {
	for _, side := range []string{"through the server", "directly in SQL"} {
		fmt.Fprintf(w, "%s %s, one operation %s:\n", env.Engine, sc.Name(), side)
		var mu sync.Mutex // statements may come from other goroutines (none do today)
		n := 0
		env.DB.Queries.Trace(func(kind, query string) {
			mu.Lock()
			defer mu.Unlock()
			n++
			fmt.Fprintf(w, "  %2d %-8s %s\n", n, kind, strings.Join(strings.Fields(query), " "))
		})
		var err error
		if side == "through the server" {
			err = sc.Op(ctx, c, 0)
		} else {
			err = sc.Baseline(ctx, env.DB, 0)
		}
		env.DB.Queries.Trace(nil)
		if err != nil {
			return err
		}
	}
	return nil
}
