package store

import (
	"context"
	"database/sql/driver"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"modernc.org/sqlite"
)

// closeLog prepares on the driver's connection and notes each statement
// closed, so a test sees what the cache finalizes and when.
type closeLog struct {
	driver.ConnPrepareContext
	closed []string
}

func (l *closeLog) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	st, err := l.ConnPrepareContext.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return &loggedStmt{Stmt: st, log: l, query: query}, nil
}

type loggedStmt struct {
	driver.Stmt
	log   *closeLog
	query string
}

func (s *loggedStmt) Close() error {
	s.log.closed = append(s.log.closed, s.query)
	return s.Stmt.Close()
}

func (s *loggedStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
}

func (s *loggedStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func openSQLiteConn(t *testing.T) driver.Conn {
	t.Helper()
	conn, err := (&sqlite.Driver{}).Open(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

func args(vs ...int64) []driver.NamedValue {
	out := make([]driver.NamedValue, len(vs))
	for i, v := range vs {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return out
}

// The cache keeps statements up to its budget of text, dropping the least
// recently used; a statement dropped while its Rows are open is closed
// when they close (its Rows read on undisturbed), every statement is closed
// exactly once, and the rest with the cache.
func TestStmtCacheEvictsLeastRecentlyUsed(t *testing.T) {
	ctx := context.Background()
	conn := openSQLiteConn(t)
	for _, q := range []string{"CREATE TABLE t (x INTEGER)", "INSERT INTO t (x) VALUES (1), (2), (3)"} {
		if _, err := conn.(driver.ExecerContext).ExecContext(ctx, q, nil); err != nil {
			t.Fatal(err)
		}
	}
	const (
		sel   = "SELECT x FROM t WHERE x >= ? ORDER BY x"
		count = "SELECT count(*) FROM t WHERE x < ?"
		other = "SELECT max(x) FROM t WHERE x > ?"
	)
	qc := &QueryCounter{}
	sc := newStmtCache(conn, qc, len(sel)+len(count), 1<<10)
	log := &closeLog{ConnPrepareContext: sc.prep}
	sc.prep = log
	exec := func(q string) {
		t.Helper()
		if _, err := sc.ExecContext(ctx, q, args(2)); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	readAll := func(rows driver.Rows) []int64 {
		t.Helper()
		var out []int64
		dest := make([]driver.Value, 1)
		for rows.Next(dest) == nil {
			out = append(out, dest[0].(int64))
		}
		return out
	}

	rows, err := sc.QueryContext(ctx, sel, args(1))
	if err != nil {
		t.Fatal(err)
	}
	dest := make([]driver.Value, 1)
	if err := rows.Next(dest); err != nil || dest[0] != int64(1) {
		t.Fatalf("first row %v %v", dest[0], err)
	}
	exec(count)
	exec(other) // no room: sel goes, the least recently used, while busy
	if len(log.closed) != 0 || len(sc.m) != 2 || sc.m[sel] != nil {
		t.Fatalf("after eviction of the busy statement: closed %q, kept %d", log.closed, len(sc.m))
	}
	if got := readAll(rows); !slices.Equal(got, []int64{2, 3}) {
		t.Fatalf("the evicted statement's rows read on %v", got)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(log.closed, []string{sel}) {
		t.Fatalf("closed %q once its rows closed, want sel", log.closed)
	}
	// Back in, it pushes out count, unused the longest.
	if rows, err = sc.QueryContext(ctx, sel, args(3)); err != nil {
		t.Fatal(err)
	}
	if got := readAll(rows); !slices.Equal(got, []int64{3}) {
		t.Fatalf("sel again: %v", got)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(log.closed, []string{sel, count}) {
		t.Fatalf("closed %q, want sel and count", log.closed)
	}
	if sc.bytes != len(sel)+len(other) || sc.bytes > sc.budget {
		t.Fatalf("%d bytes kept of a budget of %d", sc.bytes, sc.budget)
	}
	if err := sc.Close(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(log.closed)
	if want := []string{count, other, sel, sel}; !slices.Equal(log.closed, want) {
		t.Fatalf("closed %q, want each prepared statement once: %q", log.closed, want)
	}
	if want := (StmtCounts{Kept: 4, Evicted: 2}); qc.Statements() != want {
		t.Fatalf("counted %+v, want %+v", qc.Statements(), want)
	}
}

// Texts too long to keep, and scripts, run unkept; so does everything on a
// driver that lacks prepared statements with contexts.
func TestStmtCacheKeepsOnlyWhatPays(t *testing.T) {
	ctx := context.Background()
	conn := openSQLiteConn(t)
	qc := &QueryCounter{}
	sc := newStmtCache(conn, qc, 1<<10, 64)
	t.Cleanup(func() { _ = sc.Close() })
	long := "SELECT 1" + strings.Repeat(" ", 64)
	for _, q := range []string{long, "CREATE TABLE a (x); CREATE TABLE b (x)", "SELECT 2;", "SELECT 3 ;; "} {
		if _, err := sc.ExecContext(ctx, q, nil); err != nil {
			t.Fatalf("%q: %v", q, err)
		}
	}
	if want := (StmtCounts{Kept: 2, OneOff: 2}); qc.Statements() != want || len(sc.m) != 2 {
		t.Fatalf("counted %+v with %d kept, want %+v", qc.Statements(), len(sc.m), want)
	}
	if newStmtCache(struct{ driver.Conn }{conn}, qc, 1<<10, 64) != nil {
		t.Fatal("a cache over a connection without PrepareContext")
	}
}

// database/sql finds a Rows' optional abilities by type assertion, so the
// cache's Rows has every method the driver's has.
func TestKeptRowsAnswersAsTheDriversRows(t *testing.T) {
	conn := openSQLiteConn(t)
	rows, err := conn.(driver.QueryerContext).QueryContext(context.Background(), "SELECT 1", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	have, kept := reflect.TypeOf(rows), reflect.TypeFor[*keptRows]()
	for i := range have.NumMethod() {
		if m := have.Method(i); m.IsExported() {
			if _, ok := kept.MethodByName(m.Name); !ok {
				t.Errorf("keptRows lacks %s of %s", m.Name, have)
			}
		}
	}
}
