package bench

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"shkola/internal/registry"
	"shkola/internal/store"
)

// The raw baseline of the import: what the database itself costs to take
// the rows an import writes, with none of the application's work (no
// parsing, checks, sealing, change log or audit). The sealed SNILS is a
// placeholder as long as a real one and its blind index a unique string as
// long as a real one, so the rows and indexes are as wide. Ids are taken
// first (as the importer does), then each table is written in bulk: COPY
// on PostgreSQL, prepared INSERTs on SQLite, all in one transaction,
// rawChunk lines at a time so memory stays flat.

const rawChunk = 10000

// rawRows is one chunk of lines as the rows of each table.
type rawRows struct {
	persons, links, enrolments, members, movements [][]any
}

var (
	rawPersonCols    = []string{"id", "org_id", "last_name", "first_name", "middle_name", "birth_date", "sex", "citizenship", "name_key", "snils_enc", "snils_idx", "created_at", "updated_at"}
	rawLinkCols      = []string{"id", "child_id", "guardian_id", "kind", "starts_on", "created_at", "created_by"}
	rawEnrolmentCols = []string{"id", "person_id", "org_id", "class_id", "kind", "form_of_study", "level", "status", "starts_on"}
	rawMemberCols    = []string{"group_id", "person_id", "starts_on", "created_at"}
	rawMovementCols  = []string{"id", "person_id", "kind", "org_id", "class_id", "enrolment_id", "on_date", "basis_number", "basis_date", "author_login", "created_at"}
)

// rows builds the rows of lines [from, to) of f, given their reserved ids.
func (s *importPupils) rows(f file, from, to int, persons, links, enrolments, movements []int64, now time.Time) rawRows {
	var r rawRows
	basis := s.basisDate()
	for i := from; i < to; i++ {
		l := s.line(f, i)
		k := i - from
		var ids [3]int64
		for j, p := range l.people {
			ids[j] = persons[3*k+j]
			r.persons = append(r.persons, []any{ids[j], s.school, p.last, p.first, p.middle, p.birth, p.sex, "RU",
				registry.NameKey(p.last, p.first), sealedPlaceholder, rawIndex(f.first + int64(3*i+j)), now, now})
		}
		birth := l.people[0].birth
		r.links = append(r.links,
			[]any{links[2*k], ids[0], ids[1], "mother", birth, now, "bench"},
			[]any{links[2*k+1], ids[0], ids[2], "father", birth, now, "bench"})
		r.enrolments = append(r.enrolments, []any{enrolments[k], ids[0], s.school, s.classID, "primary", "full_time", "ru_basic", "active", s.date})
		r.members = append(r.members, []any{s.classID, ids[0], s.date, now})
		r.movements = append(r.movements, []any{movements[k], ids[0], "admission", s.school, s.classID, enrolments[k], s.date, basisNumber, basis, "bench", now})
	}
	return r
}

// rawIndex is a unique stand-in for a blind index, as long as one (64).
func rawIndex(serial int64) string {
	return fmt.Sprintf("raw-%060d", serial)
}

// raw writes the lines of f into the tables in one transaction.
func (s *importPupils) raw(ctx context.Context, db *store.DB, f file) error {
	now := time.Now().UTC().Truncate(time.Microsecond)
	if db.Engine == store.Postgres {
		return s.rawCopy(ctx, db, f, now)
	}
	return db.WithTx(ctx, func(tx *store.Tx) error {
		ins := map[string]*sql.Stmt{}
		for table, cols := range map[string][]string{"persons": rawPersonCols, "guardianships": rawLinkCols, "enrolments": rawEnrolmentCols,
			"group_members": rawMemberCols, "movements": rawMovementCols} {
			st, err := tx.PrepareContext(ctx, "INSERT INTO "+table+" ("+strings.Join(cols, ", ")+") VALUES ("+strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")+")")
			if err != nil {
				return err
			}
			defer st.Close()
			ins[table] = st
		}
		for from := 0; from < f.n; from += rawChunk {
			to := min(f.n, from+rawChunk)
			c := to - from
			var ids [4][]int64
			for i, t := range []struct {
				table string
				n     int
			}{{"persons", 3 * c}, {"guardianships", 2 * c}, {"enrolments", c}, {"movements", c}} {
				var err error
				if ids[i], err = tx.ReserveIDs(ctx, t.table, t.n); err != nil {
					return err
				}
			}
			r := s.rows(f, from, to, ids[0], ids[1], ids[2], ids[3], now)
			for _, t := range []struct {
				table string
				rows  [][]any
			}{{"persons", r.persons}, {"guardianships", r.links}, {"enrolments", r.enrolments}, {"group_members", r.members}, {"movements", r.movements}} {
				for _, row := range t.rows {
					if _, err := ins[t.table].ExecContext(ctx, row...); err != nil {
						return fmt.Errorf("%s: %w", t.table, err)
					}
				}
			}
		}
		return nil
	})
}

// rawCopy is raw on PostgreSQL: COPY through pgx on one connection, in
// one transaction.
func (s *importPupils) rawCopy(ctx context.Context, db *store.DB, f file, now time.Time) error {
	conn, err := db.W.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		sc, ok := store.DriverConn(dc).(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("not a pgx connection: %T", dc)
		}
		tx, err := sc.Conn().Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx) //nolint:errcheck // after Commit it does nothing
		for from := 0; from < f.n; from += rawChunk {
			to := min(f.n, from+rawChunk)
			c := to - from
			var ids [4][]int64
			for i, t := range []struct {
				table string
				n     int
			}{{"persons", 3 * c}, {"guardianships", 2 * c}, {"enrolments", c}, {"movements", c}} {
				if ids[i], err = pgIDs(ctx, tx, t.table, t.n); err != nil {
					return err
				}
			}
			r := s.rows(f, from, to, ids[0], ids[1], ids[2], ids[3], now)
			for _, t := range []struct {
				table string
				cols  []string
				rows  [][]any
			}{{"persons", rawPersonCols, r.persons}, {"guardianships", rawLinkCols, r.links}, {"enrolments", rawEnrolmentCols, r.enrolments},
				{"group_members", rawMemberCols, r.members}, {"movements", rawMovementCols, r.movements}} {
				if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.table}, t.cols, pgx.CopyFromRows(t.rows)); err != nil {
					return fmt.Errorf("copy %s: %w", t.table, err)
				}
			}
		}
		return tx.Commit(ctx)
	})
}

// pgIDs draws n ids from the sequence of table's id column.
func pgIDs(ctx context.Context, tx pgx.Tx, table string, n int) ([]int64, error) {
	rows, err := tx.Query(ctx, "SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)", table, n)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}
