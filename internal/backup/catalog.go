package backup

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strings"

	"shkola/internal/store"
)

// querier is what catalogue and data reads need: a transaction or a pool.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// kind is what a column holds, as far as converting values between engines
// needs to know.
type kind int

const (
	kindOther kind = iota
	kindBool
	kindInt
	kindFloat
	kindText
	kindBytes
	kindTime
)

type column struct {
	name string
	kind kind
}

// tableInfo is one table as the database catalogue describes it. Table and
// column names used in SQL always come from here, never from an archive.
type tableInfo struct {
	name    string
	columns []column
	pk      []string
	rowid   bool // SQLite table without a declared key: order by rowid
	// alwaysIdentity: PostgreSQL GENERATED ALWAYS identity, which needs
	// OVERRIDING SYSTEM VALUE to take the archived ids.
	alwaysIdentity bool
}

func (t tableInfo) columnNames() []string {
	out := make([]string, len(t.columns))
	for i, c := range t.columns {
		out[i] = c.name
	}
	return out
}

func (t tableInfo) column(name string) (column, bool) {
	for _, c := range t.columns {
		if c.name == name {
			return c, true
		}
	}
	return column{}, false
}

func (t tableInfo) orderBy() string {
	if len(t.pk) > 0 {
		q := make([]string, len(t.pk))
		for i, c := range t.pk {
			q[i] = quoteIdent(c)
		}
		return strings.Join(q, ", ")
	}
	if t.rowid {
		return "rowid"
	}
	return ""
}

// catalog reads table and key metadata; each engine has its own catalogue.
type catalog struct {
	q      querier
	engine store.Engine
}

// tables lists the tables of the database, leaving out only the engine's own
// (sqlite_sequence and friends; PostgreSQL's live in other schemas).
func (c catalog) tables(ctx context.Context) ([]string, error) {
	query := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`
	if c.engine == store.Postgres {
		query = `SELECT table_name FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	return c.strings(ctx, query)
}

func (c catalog) strings(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := c.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, errors.Join(rows.Err(), rows.Close())
}

// table describes one table: its insertable columns and its primary key.
func (c catalog) table(ctx context.Context, name string) (tableInfo, error) {
	if c.engine == store.Postgres {
		return c.pgTable(ctx, name)
	}
	return c.sqliteTable(ctx, name)
}

func (c catalog) sqliteTable(ctx context.Context, name string) (tableInfo, error) {
	t := tableInfo{name: name}
	// table_info leaves out generated columns, which cannot be inserted.
	rows, err := c.q.QueryContext(ctx, "SELECT name, type, pk FROM pragma_table_info($1) ORDER BY cid", name)
	if err != nil {
		return t, err
	}
	defer rows.Close()
	pk := map[int]string{}
	for rows.Next() {
		var col, typ string
		var pkPos int
		if err := rows.Scan(&col, &typ, &pkPos); err != nil {
			return t, err
		}
		t.columns = append(t.columns, column{name: col, kind: sqliteKind(typ)})
		if pkPos > 0 {
			pk[pkPos] = col
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return t, err
	}
	for i := 1; i <= len(pk); i++ {
		t.pk = append(t.pk, pk[i])
	}
	t.rowid = len(t.pk) == 0
	return t, nil
}

// sqliteKind follows SQLite's type affinity rules, plus the declared types
// modernc/sqlite reads as times.
func sqliteKind(decl string) kind {
	d := strings.ToUpper(decl)
	switch {
	case d == "DATE" || d == "DATETIME" || d == "TIMESTAMP":
		return kindTime
	case strings.Contains(d, "BOOL"):
		return kindBool
	case strings.Contains(d, "INT"):
		return kindInt
	case strings.Contains(d, "CHAR") || strings.Contains(d, "CLOB") || strings.Contains(d, "TEXT"):
		return kindText
	case strings.Contains(d, "BLOB"):
		return kindBytes
	case strings.Contains(d, "REAL") || strings.Contains(d, "FLOA") || strings.Contains(d, "DOUB"):
		return kindFloat
	}
	return kindOther
}

func (c catalog) pgTable(ctx context.Context, name string) (tableInfo, error) {
	t := tableInfo{name: name}
	rows, err := c.q.QueryContext(ctx, `SELECT column_name, data_type, is_generated, COALESCE(identity_generation, '')
		FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, name)
	if err != nil {
		return t, err
	}
	defer rows.Close()
	for rows.Next() {
		var col, typ, generated, identity string
		if err := rows.Scan(&col, &typ, &generated, &identity); err != nil {
			return t, err
		}
		if generated == "ALWAYS" {
			continue // computed by the database, cannot be inserted
		}
		if identity == "ALWAYS" {
			t.alwaysIdentity = true
		}
		t.columns = append(t.columns, column{name: col, kind: pgKind(typ)})
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return t, err
	}
	t.pk, err = c.strings(ctx, `SELECT kcu.column_name
		FROM information_schema.table_constraints tc
		JOIN information_schema.key_column_usage kcu
			ON kcu.constraint_schema = tc.constraint_schema AND kcu.constraint_name = tc.constraint_name
		WHERE tc.table_schema = current_schema() AND tc.table_name = $1 AND tc.constraint_type = 'PRIMARY KEY'
		ORDER BY kcu.ordinal_position`, name)
	return t, err
}

func pgKind(typ string) kind {
	switch {
	case typ == "boolean":
		return kindBool
	case typ == "smallint" || typ == "integer" || typ == "bigint":
		return kindInt
	case typ == "real" || typ == "double precision":
		return kindFloat
	case typ == "bytea":
		return kindBytes
	case typ == "date" || strings.HasPrefix(typ, "timestamp"):
		return kindTime
	case typ == "text" || strings.HasPrefix(typ, "character") || typ == "json" || typ == "jsonb":
		return kindText
	}
	return kindOther
}

// references maps each table to the tables its foreign keys point at.
func (c catalog) references(ctx context.Context, tables []string) (map[string][]string, error) {
	refs := map[string][]string{}
	if c.engine == store.Postgres {
		rows, err := c.q.QueryContext(ctx, `SELECT c.relname, p.relname
			FROM pg_constraint k
			JOIN pg_class c ON c.oid = k.conrelid
			JOIN pg_class p ON p.oid = k.confrelid
			JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE k.contype = 'f' AND n.nspname = current_schema()`)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var from, to string
			if err := rows.Scan(&from, &to); err != nil {
				return nil, err
			}
			refs[from] = append(refs[from], to)
		}
		return refs, errors.Join(rows.Err(), rows.Close())
	}
	for _, t := range tables {
		to, err := c.strings(ctx, `SELECT "table" FROM pragma_foreign_key_list($1)`, t)
		if err != nil {
			return nil, err
		}
		refs[t] = to
	}
	return refs, nil
}

// loadOrder sorts tables so that every table comes after the tables it
// references. References to itself are left to row order; a cycle between
// tables is broken by name (SQLite defers the check to commit; PostgreSQL
// would report the violation).
func loadOrder(tables []string, refs map[string][]string) []string {
	in := map[string]bool{}
	for _, t := range tables {
		in[t] = true
	}
	sorted := append([]string(nil), tables...)
	sort.Strings(sorted)
	done := map[string]bool{}
	var out []string
	for len(out) < len(sorted) {
		progressed := false
		for _, t := range sorted {
			if done[t] {
				continue
			}
			ready := true
			for _, r := range refs[t] {
				if r != t && in[r] && !done[r] {
					ready = false
					break
				}
			}
			if ready {
				done[t] = true
				out = append(out, t)
				progressed = true
			}
		}
		if !progressed {
			for _, t := range sorted {
				if !done[t] {
					done[t] = true
					out = append(out, t)
					break
				}
			}
		}
	}
	return out
}

// quoteIdent quotes a catalogue name for SQL; both engines use double quotes.
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
