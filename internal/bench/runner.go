package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"shkola/internal/store"
)

// Runner drives an operation with concurrent workers for a while.
type Runner struct {
	Concurrency int
	Duration    time.Duration
	Warmup      time.Duration
	Counter     *store.QueryCounter // the database's, for round trips per operation
	CPU         cpuMeter

	seq atomic.Int64 // operation numbers, unique across every run of this Runner
}

// Measurement is what one run saw.
type Measurement struct {
	Ops      int
	Elapsed  time.Duration
	P50, P99 time.Duration
	Queries  store.QueryCounts // during the measured part
	Memory   Memory            // of the whole process: server, clients and baseline alike
	CPU      CPU               // during the measured part
}

// CPUPerOp is the process's and the database's processor time per
// operation (the database's 0 when not known).
func (m Measurement) CPUPerOp() (process, db time.Duration) {
	if m.Ops == 0 {
		return 0, 0
	}
	return m.CPU.Process / time.Duration(m.Ops), m.CPU.DB / time.Duration(m.Ops)
}

// OpsPerSec is the throughput.
func (m Measurement) OpsPerSec() float64 {
	if m.Elapsed <= 0 {
		return 0
	}
	return float64(m.Ops) / m.Elapsed.Seconds()
}

// TripsPerOp is the database round trips per operation.
func (m Measurement) TripsPerOp() float64 {
	if m.Ops == 0 {
		return 0
	}
	return float64(m.Queries.RoundTrips()) / float64(m.Ops)
}

// Measure warms up, then runs op on Concurrency workers until Duration has
// passed, and reports throughput, latency percentiles, round trips and
// memory. The first failing operation stops the run and is the error.
func (r *Runner) Measure(ctx context.Context, op func(ctx context.Context, i int) error) (Measurement, error) {
	if r.Warmup > 0 {
		if _, _, err := r.drive(ctx, r.Warmup, op); err != nil {
			return Measurement{}, fmt.Errorf("warm-up: %w", err)
		}
	}
	// Hand freed memory back so the peak is this run's own.
	debug.FreeOSMemory()
	resetPeak := ResetPeakRSS()
	cpu0 := r.CPU.read(ctx)
	before := r.Counter.Read()
	lat, elapsed, err := r.drive(ctx, r.Duration, op)
	if err != nil {
		return Measurement{}, err
	}
	m := Measurement{Ops: len(lat), Elapsed: elapsed, Queries: r.Counter.Read().Sub(before), Memory: ReadMemory()}
	m.CPU = r.CPU.read(ctx).since(cpu0) // after the counter: its query is not the scenario's
	m.Memory.PeakSinceStart = resetPeak != nil
	slices.Sort(lat)
	m.P50, m.P99 = percentile(lat, 0.50), percentile(lat, 0.99)
	return m, nil
}

// drive runs op on the workers for d and returns every latency and the
// time from start until the last operation finished.
func (r *Runner) drive(ctx context.Context, d time.Duration, op func(ctx context.Context, i int) error) ([]time.Duration, time.Duration, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	workers := max(1, r.Concurrency)
	lats := make([][]time.Duration, workers)
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			own := make([]time.Duration, 0, 1024)
			for ctx.Err() == nil {
				i := int(r.seq.Add(1))
				t0 := time.Now()
				if err := op(ctx, i); err != nil {
					if ctx.Err() == nil {
						cancel(fmt.Errorf("operation %d: %w", i, err))
					}
					break
				}
				t1 := time.Now()
				own = append(own, t1.Sub(t0))
				if !t1.Before(deadline) {
					break
				}
			}
			lats[w] = own
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return nil, 0, err
	}
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	var all []time.Duration
	for _, l := range lats {
		all = append(all, l...)
	}
	return all, elapsed, nil
}

// percentile of sorted latencies (nearest rank).
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// bulk is a scenario whose operation is one file of many lines (the
// import): it is measured once per size rather than for a duration, the
// baseline first, so the application writes into the larger tables.
type bulk interface {
	Sizes(o Options) []int
	// prepare writes a file of n lines to the bench's directory.
	prepare(n int) (file, error)
	upload(ctx context.Context, c *Client, f file) error
	raw(ctx context.Context, db *store.DB, f file) error
}

// measureBulk measures each size of a bulk scenario through the server and
// as its baseline, on the same lines.
func measureBulk(ctx context.Context, o Options, env *Env, name string, b bulk, c *Client, cpu cpuMeter) ([]Row, error) {
	var out []Row
	for _, n := range b.Sizes(o) {
		fmt.Fprintf(o.Progress, "%s: %s: writing a file of %d lines\n", env.Engine, name, n)
		f, err := b.prepare(n)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(o.Progress, "%s: %s: %d lines directly in SQL\n", env.Engine, name, n)
		base, err := measureOnce(ctx, env.DB.Queries, cpu, n, func() error { return b.raw(ctx, env.DB, f) })
		if err != nil {
			return nil, fmt.Errorf("baseline of %d lines: %w", n, err)
		}
		fmt.Fprintf(o.Progress, "%s: %s: %d lines through the server\n", env.Engine, name, n)
		app, err := measureOnce(ctx, env.DB.Queries, cpu, n, func() error { return b.upload(ctx, c, f) })
		if err != nil {
			return nil, fmt.Errorf("%d lines: %w", n, err)
		}
		if err := os.Remove(f.path); err != nil {
			return nil, err
		}
		row := Row{Scenario: name, Engine: env.Engine, Lines: n, M: app}
		if base.OpsPerSec() > 0 {
			row.Ratio = app.OpsPerSec() / base.OpsPerSec()
		}
		out = append(out, row, Row{Scenario: name, Engine: env.Engine, Lines: n, Baseline: true, M: base})
	}
	return out, nil
}

// measureOnce times one run of op over n lines: its rate is lines per
// second, both percentiles are the whole run, round trips are per line.
func measureOnce(ctx context.Context, qc *store.QueryCounter, cpu cpuMeter, n int, op func() error) (Measurement, error) {
	debug.FreeOSMemory()
	resetPeak := ResetPeakRSS()
	cpu0 := cpu.read(ctx)
	before := qc.Read()
	start := time.Now()
	if err := op(); err != nil {
		return Measurement{}, err
	}
	took := time.Since(start)
	m := Measurement{Ops: n, Elapsed: took, P50: took, P99: took, Queries: qc.Read().Sub(before), Memory: ReadMemory()}
	m.CPU = cpu.read(ctx).since(cpu0)
	m.Memory.PeakSinceStart = resetPeak != nil
	return m, nil
}
