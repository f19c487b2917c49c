package bench

import (
	"fmt"
	"io"
	"runtime"
	"time"
)

// Print writes the report: one line on the conditions, one per dataset, and
// the table.
func (r *Report) Print(w io.Writer) {
	o := r.Options
	fmt.Fprintf(w, "shkola bench %s: size %s, %d clients, %s per run after %s warm-up, %d CPUs (GOMAXPROCS %d), %s, load average %s at start, %s at end\n",
		r.Started.UTC().Format("2006-01-02 15:04 UTC"), o.Size, o.Concurrency, o.Duration, o.Warmup,
		runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), r.LoadStart, r.LoadEnd)
	for _, l := range r.Datasets {
		fmt.Fprintf(w, "%s: demo region generated in %s: %s\n", l.Engine, l.Demo.Took.Round(time.Millisecond), l.Demo)
		fmt.Fprintf(w, "%s: demo steps: %s\n", l.Engine, l.Demo.Timings())
	}
	for _, l := range r.Datasets {
		fmt.Fprintf(w, "%s: idle RSS %d MB (server up with the dataset, before the first scenario)\n", l.Engine, l.Idle.RSS>>20)
	}
	fmt.Fprintln(w)
	const line = "%-22s %-8s %8s %8s %8s %8s %8s %8s %8s %7s %7s\n"
	fmt.Fprintf(w, line, "scenario", "engine", "ops/s", "p50 ms", "p99 ms", "trips/op", "cpu us", "db us", "peak MB", "RSS MB", "vs SQL")
	since, bulk := false, false
	for _, row := range r.Rows {
		name, ratio := row.Scenario, "-"
		if row.Lines > 0 {
			name += " " + lines(row.Lines)
			bulk = true
		}
		if row.Baseline {
			name = "  SQL baseline"
			if row.Lines > 0 {
				name = "  raw bulk insert"
			}
		} else if row.Ratio > 0 {
			ratio = fmt.Sprintf("%.0f%%", 100*row.Ratio)
		}
		m := row.M
		peak := fmt.Sprintf("%d", m.Memory.PeakRSS>>20)
		if m.Memory.PeakSinceStart {
			peak += "*"
			since = true
		}
		cpu, db := m.CPUPerOp()
		dbs := "-"
		if m.CPU.DBKnown {
			dbs = us(db)
		}
		fmt.Fprintf(w, line, name, row.Engine, fmt.Sprintf("%.0f", m.OpsPerSec()), fmt.Sprintf("%.2f", ms(m.P50)),
			fmt.Sprintf("%.2f", ms(m.P99)), trips(m.TripsPerOp()), us(cpu), dbs, peak, fmt.Sprintf("%d", m.Memory.RSS>>20), ratio)
	}
	if bulk {
		fmt.Fprintln(w, "import N: one upload of a file of N lines (a pupil with a mother and a father each); ops/s is lines/s, p50 and p99 the whole file, trips per line;")
		fmt.Fprintln(w, "  raw bulk insert: the same rows in one transaction, COPY on PostgreSQL (its statements go around the counter), prepared INSERTs on SQLite")
	}
	if since {
		fmt.Fprintln(w, "* the peak could not be reset before the run: it is the process's peak so far")
	}
	fmt.Fprintln(w, "\nMemory and \"cpu us\" (processor time per operation, user and system) are the whole process: server, clients and baseline share it;")
	fmt.Fprintln(w, "\"db us\" is the PostgreSQL server's processes for the bench's database, when on this machine. Peak is per run. \"vs SQL\" is")
	fmt.Fprintln(w, "ops/s as a share of the SQL baseline's.")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// us is a processor time in microseconds, or "-" when not measured.
func us(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f", float64(d)/float64(time.Microsecond))
}

// lines names a file size: 1e4 for 10000, else the number.
func lines(n int) string {
	e := 0
	for m := n; m >= 10 && m%10 == 0; m /= 10 {
		e++
	}
	if e >= 3 && n == pow10(e) {
		return fmt.Sprintf("1e%d", e)
	}
	return fmt.Sprintf("%d", n)
}

func pow10(e int) int {
	n := 1
	for range e {
		n *= 10
	}
	return n
}

func trips(v float64) string {
	if v > 0 && v < 1 {
		return fmt.Sprintf("%.2f", v)
	}
	return fmt.Sprintf("%.1f", v)
}
