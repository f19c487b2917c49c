// Package demo generates a deterministic synthetic region: the same seed and
// size always give the same rows. Demo, tests and benchmarks all use it; each
// domain appends its own step (a file here) to the pipeline in steps().
package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"shkola/internal/account"
	"shkola/internal/contingent"
	"shkola/internal/org"
	"shkola/internal/portfolio"
	"shkola/internal/registry"
	"shkola/internal/store"
)

// Options choose the seed and the size.
type Options struct {
	Seed int64
	Size string // small, district, region
	// Accounts, when set, makes the demo accounts (one per role to try).
	Accounts *account.Service
	// People and Contingent, when set, fill the classes with pupils and
	// guardians and give them a history of movements (they need the key
	// ring that seals identifiers, so a bare database gets none).
	People     *registry.People
	Contingent *contingent.Service
	// Portfolio, when set, gives pupils achievements, exam results and
	// certificates (the gifted attribute computed by its configured rule).
	Portfolio *portfolio.Service
	// Progress, when set, is told each step as it finishes (a region
	// takes minutes).
	Progress func(StepTime)
}

// Size is how much of each thing a named size makes.
type Size struct {
	Municipalities      int
	SchoolsPerMunicipal int
	PreschoolsPerMuni   int
}

// SizeOf returns the named dataset size.
func SizeOf(name string) (Size, bool) {
	switch name {
	case "small":
		return Size{Municipalities: 2, SchoolsPerMunicipal: 2, PreschoolsPerMuni: 1}, true
	case "district":
		return Size{Municipalities: 2, SchoolsPerMunicipal: 10, PreschoolsPerMuni: 3}, true
	case "region":
		return Size{Municipalities: 25, SchoolsPerMunicipal: 12, PreschoolsPerMuni: 4}, true
	}
	return Size{}, false
}

// Epoch is the fixed "now" of generated data, so output does not depend on
// the day it is generated.
func Epoch() time.Time { return time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC) }

// Summary says what was generated.
type Summary struct {
	Counts map[string]int
	Took   time.Duration
	// Steps is the time of each step, in the order they ran, so a slow
	// generation shows where its time went.
	Steps []StepTime
	// Logins are the demo accounts (login, password, role, where) to print.
	Logins []Login
}

// Login is a demo account a person can try.
type Login struct {
	Login, Password, Role, Org string
}

// StepTime is how long one step of the generation took.
type StepTime struct {
	Name  string
	Took  time.Duration
	Trips int64 // statements and round trips sent to the database (store.QueryCounter)
}

// String is the step for people: "people 1.2s (4664 trips)".
func (st StepTime) String() string {
	return fmt.Sprintf("%s %s (%d trips)", st.Name, st.Took.Round(time.Millisecond), st.Trips)
}

// Timings is the steps' times for people: "organisations 12ms (40 trips), …".
func (s Summary) Timings() string {
	parts := make([]string, len(s.Steps))
	for i, st := range s.Steps {
		parts[i] = st.String()
	}
	return strings.Join(parts, ", ")
}

// String is the summary for people: "4 schools, 2 municipalities…".
func (s Summary) String() string {
	keys := make([]string, 0, len(s.Counts))
	for k := range s.Counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d %s", s.Counts[k], k)
	}
	return strings.Join(parts, ", ")
}

// Gen is the state the steps share.
type Gen struct {
	R          *rand.Rand
	Accounts   *account.Service
	People     *registry.People
	Contingent *contingent.Service
	Portfolio  *portfolio.Service
	Size       Size
	Names      *Names
	Sum        *Summary
	// usedSNILS are the SNILS generated so far, so no two people share one.
	usedSNILS map[string]bool

	Region         org.Organisation
	Municipalities []org.Organisation
	Schools        []org.Organisation
	Preschools     []org.Organisation
}

// Step is one stage of generation, run in the shared transaction.
type Step struct {
	Name string
	Run  func(ctx context.Context, g *Gen, tx *store.Tx) error
}

// steps is the pipeline; later domains append theirs.
func steps() []Step {
	return []Step{
		{"organisations", genOrganisations},
		{"classes", genClasses},
		{"people", genPeople},
		{"staff", genStaff},
		{"teaching", genTeaching},
		{"accounts", genAccounts},
		{"announcements", genAnnouncements},
		{"schedule", genSchedule},
		{"journal", genJournal},
		{"portfolio", genPortfolio},
	}
}

// Generate fills db with the demo region in one transaction: a failure
// leaves the database as it was.
func Generate(ctx context.Context, db *store.DB, opt Options) (Summary, error) {
	size, ok := SizeOf(opt.Size)
	if !ok {
		return Summary{}, fmt.Errorf("demo size %q: use small, district or region", opt.Size)
	}
	start := time.Now()
	sum := Summary{Counts: map[string]int{}}
	g := &Gen{R: rand.New(rand.NewPCG(uint64(opt.Seed), 0x5348_4b4f_4c41)), Size: size, Sum: &sum, Accounts: opt.Accounts, // #nosec G115 G404 -- the demo region is deterministic on purpose (same seed, same region); the seed's bits are reused as they are
		People: opt.People, Contingent: opt.Contingent, usedSNILS: map[string]bool{}}
	g.Names = NewNames(g.R)
	g.Portfolio = opt.Portfolio
	var cachePages int64
	err := db.WithTx(ctx, func(tx *store.Tx) error {
		// Millions of lessons and journal rows: PostgreSQL checks their
		// foreign keys once at the end, not with a query per row. The
		// steps only add rows to these tables.
		restore, err := tx.SuspendForeignKeys(ctx, "lessons", "homework", "marks", "attendance", "period_marks")
		if err != nil {
			return err
		}
		if tx.Engine == store.SQLite {
			// SQLite's default page cache (2 MB) is smaller than the
			// blind indexes of a region's people (random keys): every insert
			// read a page back and spilled another. A larger cache while the
			// region is written; the default again after the commit.
			if err := tx.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&cachePages); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "PRAGMA cache_size = -65536"); err != nil {
				return err
			}
		}
		timed := func(name string, run func() error) error {
			t, trips := time.Now(), db.Queries.Read()
			if err := run(); err != nil {
				return fmt.Errorf("demo %s: %w", name, err)
			}
			st := StepTime{Name: name, Took: time.Since(t), Trips: db.Queries.Read().Sub(trips).RoundTrips()}
			sum.Steps = append(sum.Steps, st)
			if opt.Progress != nil {
				opt.Progress(st)
			}
			return nil
		}
		for _, s := range steps() {
			if err := timed(s.Name, func() error { return s.Run(ctx, g, tx) }); err != nil {
				return err
			}
		}
		if tx.Engine == store.Postgres { // the keys checked at last take a while
			return timed("foreign keys", func() error { return restore(ctx) })
		}
		return restore(ctx)
	})
	if cachePages != 0 {
		// The writer is one connection: the one that wrote the region.
		// Its pages are clean now and given back.
		_, cerr := db.W.ExecContext(ctx, "PRAGMA cache_size = "+strconv.FormatInt(cachePages, 10))
		if cerr == nil {
			_, cerr = db.W.ExecContext(ctx, "PRAGMA shrink_memory")
		}
		err = errors.Join(err, cerr)
	}
	if err == nil && db.Engine == store.Postgres {
		// A bulk load leaves PostgreSQL's statistics describing empty
		// tables until autovacuum gets to them, and the planner then
		// starts the diary's "current class" from every class of the
		// region instead of the pupil's memberships (7-11 ms against 1-3
		// ms per week at district). As after any restore: ANALYZE.
		t := time.Now()
		if _, err = db.W.ExecContext(ctx, "ANALYZE"); err == nil {
			st := StepTime{Name: "statistics", Took: time.Since(t), Trips: 1}
			sum.Steps = append(sum.Steps, st)
			if opt.Progress != nil {
				opt.Progress(st)
			}
		}
	}
	sum.Took = time.Since(start)
	return sum, err
}

// Empty reports whether the database has no organisations yet, the signal
// that a demo may be loaded.
func Empty(ctx context.Context, db *store.DB) (bool, error) {
	var n int
	err := db.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM organisations").Scan(&n)
	return n == 0, err
}
