package bench_test

import (
	"bytes"
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"shkola/internal/bench"
	"shkola/internal/store"
	"shkola/internal/store/storetest"
)

func options() bench.Options {
	return bench.Options{Size: "small", Seed: 1, Engines: []store.Engine{storetest.Engine()}, Duration: 50 * time.Millisecond,
		Concurrency: 2, PGAdmin: storetest.AdminURL(), Quick: true}
}

// The whole pipeline on the engine under test, with runs short enough for
// go test: every scenario answers correctly through the server and in SQL,
// round trips are counted, and the table has a line for each.
func TestRunMeasuresEveryScenario(t *testing.T) {
	o := options()
	rep, err := bench.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	names := bench.Names()
	if len(rep.Rows) != 2*len(names) {
		t.Fatalf("%d rows for %d scenarios", len(rep.Rows), len(names))
	}
	trips := map[string]float64{}
	for i, row := range rep.Rows {
		if row.Scenario != names[i/2] || row.Baseline != (i%2 == 1) || row.Engine != o.Engines[0] {
			t.Errorf("row %d is %s/%s baseline=%v", i, row.Scenario, row.Engine, row.Baseline)
		}
		m := row.M
		// A bulk scenario (Lines > 0) is one timed run of its file, however
		// short; the others run for the whole Duration.
		tooShort := row.Lines == 0 && m.Elapsed < o.Duration
		if m.Ops == 0 || m.Elapsed <= 0 || tooShort || m.P50 <= 0 || m.P50 > m.P99 {
			t.Errorf("%s baseline=%v: %d ops in %s, p50 %s p99 %s", row.Scenario, row.Baseline, m.Ops, m.Elapsed, m.P50, m.P99)
		}
		if !row.Baseline && row.Ratio <= 0 {
			t.Errorf("%s: no ratio to the baseline", row.Scenario)
		}
		if m.Memory.RSS <= 0 || m.Memory.PeakRSS < m.Memory.RSS {
			t.Errorf("%s: memory %+v", row.Scenario, m.Memory)
		}
		key := row.Scenario
		if row.Baseline {
			key += "/sql"
		}
		trips[key] = m.TripsPerOp()
	}
	// The baselines are what they say; the application's counts are
	// measured, so only their lower bounds are certain: a token lookup
	// and its grants, the policy, the transaction with change and audit.
	for key, want := range map[string]float64{"person-create/sql": 1, "person-read/sql": 2, "org-list/sql": 1, "org-list": 1, "diary-week/sql": 1} {
		if trips[key] != want {
			t.Errorf("%s: %.2f round trips per operation, want %.0f", key, trips[key], want)
		}
	}
	// The diary week page: the session with its grants, the badge, the week
	// with the access answer. Its statements stay prepared on each
	// connection (the store's cache on SQLite, pgx's on PostgreSQL) without
	// a prepare of their own: nothing is prepared explicitly.
	for _, row := range rep.Rows {
		if row.Scenario != "diary-week" || row.Baseline {
			continue
		}
		if per := row.M.TripsPerOp(); per < 2 || per > 3 || row.M.Queries.Prepares != 0 {
			t.Errorf("diary-week: %.2f round trips per page with %d prepares, at most 3 allowed", per, row.M.Queries.Prepares)
		}
	}
	if trips["person-create"] < 8 || trips["person-read"] < 4 {
		t.Errorf("application round trips not counted: %v", trips)
	}
	var out bytes.Buffer
	rep.Print(&out)
	for _, want := range append(names, "SQL baseline", "trips/op", "demo region generated") {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}

func TestOptionsAreChecked(t *testing.T) {
	for _, tc := range []struct {
		change func(*bench.Options)
		want   string
	}{
		{func(o *bench.Options) { o.Size = "huge" }, "--size"},
		{func(o *bench.Options) { o.Engines = []store.Engine{"mysql"} }, "--engines"},
		{func(o *bench.Options) { o.Scenarios = []string{"registry-import"} }, "--scenarios"},
		{func(o *bench.Options) { o.Concurrency = 0 }, "--concurrency"},
		{func(o *bench.Options) { o.Duration = 0 }, "--duration"},
	} {
		o := options()
		tc.change(&o)
		if err := o.Check(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("want an error naming %s, got %v", tc.want, err)
		}
	}
}

// BenchmarkScenarios runs each scenario through the server ("app") and as
// SQL ("sql") on the engine of SHKOLA_TEST_DB at size small:
//
//	go test -bench . ./internal/bench
//	SHKOLA_TEST_DB=postgres go test -bench . ./internal/bench
func BenchmarkScenarios(b *testing.B) {
	ctx := context.Background()
	o := options()
	o.Quick = false
	o.Concurrency = 8
	env, err := bench.Start(ctx, storetest.Engine(), o)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := env.Close(); err != nil {
			b.Error(err)
		}
	})
	for _, sc := range bench.Scenarios() {
		b.Run(sc.Name(), func(b *testing.B) {
			if err := sc.Setup(ctx, env); err != nil {
				b.Fatal(err)
			}
			var seq atomic.Int64 // operation numbers stay unique across b.N rounds
			client := env.Client()
			b.Run("app", func(b *testing.B) {
				parallel(b, env, &seq, func(i int) error { return sc.Op(ctx, client, i) })
			})
			b.Run("sql", func(b *testing.B) {
				parallel(b, env, &seq, func(i int) error { return sc.Baseline(ctx, env.DB, i) })
			})
		})
	}
}

// parallel runs op b.N times on 4 goroutines per CPU (the bench command's
// default) and reports database round trips per operation.
func parallel(b *testing.B, env *bench.Env, seq *atomic.Int64, op func(i int) error) {
	b.SetParallelism(4)
	before := env.DB.Queries.Read()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := op(int(seq.Add(1))); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(env.DB.Queries.Read().Sub(before).RoundTrips())/float64(b.N), "trips/op")
}
