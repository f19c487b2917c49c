package bench

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"shkola/internal/store"
	"shkola/internal/store/storetest"
)

// The import's baseline writes what the import writes: for the same file,
// the same people (names, birth dates, sex, organisation, name key, a
// sealed SNILS with its index), the same guardian links, enrolments, class
// memberships and admissions, row for row, so the ratio compares like
// with like.
func TestImportBaselineWritesTheRowsTheServerWrites(t *testing.T) {
	ctx := context.Background()
	o := Options{Size: "small", Seed: 1, Engines: []store.Engine{storetest.Engine()}, Duration: time.Millisecond, Concurrency: 2,
		PGAdmin: storetest.AdminURL(), Quick: true}
	if err := o.Check(); err != nil {
		t.Fatal(err)
	}
	env, err := Start(ctx, storetest.Engine(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := env.Close(); err != nil {
			t.Error(err)
		}
	})
	s := &importPupils{}
	if err := s.Setup(ctx, env); err != nil {
		t.Fatal(err)
	}
	const n = 40
	f, err := s.prepare(n)
	if err != nil {
		t.Fatal(err)
	}
	before := maxID(t, env.DB, "persons")
	if err := s.upload(ctx, env.Client(), f); err != nil {
		t.Fatal(err)
	}
	mid := maxID(t, env.DB, "persons")
	if err := s.raw(ctx, env.DB, f); err != nil {
		t.Fatal(err)
	}
	after := maxID(t, env.DB, "persons")
	app := describe(t, env.DB, before, mid)
	raw := describe(t, env.DB, mid, after)
	if len(app) != 8*n {
		t.Fatalf("the import wrote %d rows, want %d (3 people, 2 links, an enrolment, a membership, an admission per line):\n%s",
			len(app), 8*n, strings.Join(app[:min(10, len(app))], "\n"))
	}
	if !slices.Equal(app, raw) {
		for i := range min(len(app), len(raw)) {
			if app[i] != raw[i] {
				t.Fatalf("first difference at %d:\nimport:   %s\nbaseline: %s", i, app[i], raw[i])
			}
		}
		t.Fatalf("the import wrote %d rows, the baseline %d", len(app), len(raw))
	}
}

func maxID(t *testing.T, db *store.DB, table string) int64 {
	t.Helper()
	var id int64
	if err := db.R.QueryRow("SELECT COALESCE(MAX(id), 0) FROM " + table).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// describe lists the rows written for the people with ids in (from, to],
// each person named by its name and birth date instead of its id, sorted.
func describe(t *testing.T, db *store.DB, from, to int64) []string {
	t.Helper()
	name := map[int64]string{}
	var out []string
	add := func(q string, scan func(r interface{ Scan(...any) error }) (string, error)) {
		rows, err := db.R.Query(q, from, to)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			line, err := scan(rows)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, line)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	add(`SELECT id, org_id, last_name, first_name, middle_name, birth_date, sex, citizenship, name_key, snils_enc IS NOT NULL, LENGTH(snils_idx)
		FROM persons WHERE id > $1 AND id <= $2`, func(r interface{ Scan(...any) error }) (string, error) {
		var id, org, idxLen int64
		var last, first, middle, birth, sex, cit, key string
		var sealed bool
		err := r.Scan(&id, &org, &last, &first, &middle, &birth, &sex, &cit, &key, &sealed, &idxLen)
		name[id] = last + " " + first + " " + birth
		return fmt.Sprintf("person %d %s %s %s %s %s %s %s sealed=%v idx=%d", org, last, first, middle, birth, sex, cit, key, sealed, idxLen), err
	})
	add(`SELECT child_id, guardian_id, kind, starts_on, ends_on IS NULL FROM guardianships WHERE child_id > $1 AND child_id <= $2`,
		func(r interface{ Scan(...any) error }) (string, error) {
			var child, guardian int64
			var kind, starts string
			var current bool
			err := r.Scan(&child, &guardian, &kind, &starts, &current)
			return fmt.Sprintf("link %s <- %s %s from %s current=%v", name[child], name[guardian], kind, starts, current), err
		})
	add(`SELECT person_id, org_id, class_id, kind, form_of_study, level, status, starts_on FROM enrolments WHERE person_id > $1 AND person_id <= $2`,
		func(r interface{ Scan(...any) error }) (string, error) {
			var person, org, class int64
			var kind, form, level, status, starts string
			err := r.Scan(&person, &org, &class, &kind, &form, &level, &status, &starts)
			return fmt.Sprintf("enrolment %s %d %d %s %s %s %s %s", name[person], org, class, kind, form, level, status, starts), err
		})
	add(`SELECT person_id, group_id, starts_on FROM group_members WHERE person_id > $1 AND person_id <= $2`,
		func(r interface{ Scan(...any) error }) (string, error) {
			var person, group int64
			var starts string
			err := r.Scan(&person, &group, &starts)
			return fmt.Sprintf("member %s %d %s", name[person], group, starts), err
		})
	add(`SELECT m.person_id, m.kind, m.org_id, m.class_id, e.person_id, m.on_date, m.basis_number, m.basis_date FROM movements m
		JOIN enrolments e ON e.id = m.enrolment_id WHERE m.person_id > $1 AND m.person_id <= $2`,
		func(r interface{ Scan(...any) error }) (string, error) {
			var person, org, class, enrolled int64
			var kind, on, number, date string
			err := r.Scan(&person, &kind, &org, &class, &enrolled, &on, &number, &date)
			return fmt.Sprintf("movement %s %s %d %d enrolment of %s %s %s %s", name[person], kind, org, class, name[enrolled], on, number, date), err
		})
	slices.Sort(out)
	return out
}
