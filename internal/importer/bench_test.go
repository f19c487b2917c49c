package importer_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"shkola/internal/apptest"
	"shkola/internal/identity"
	"shkola/internal/importer"
	"shkola/internal/natid"
	"shkola/internal/org"
	"shkola/internal/store"
)

// BenchmarkImportPupils imports files of pupils, each with a mother and a
// father, into one school (check pass and write pass, all or nothing) and
// reports rows/s and the peak heap, beside the raw baseline: the same rows
// written with prepared INSERTs in one transaction, no checks, no sealing.
// The engine is the test engine (SHKOLA_TEST_DB=postgres for PostgreSQL).
//
//	go test ./internal/importer -run '^$' -bench ImportPupils -benchtime 1x
func BenchmarkImportPupils(b *testing.B) {
	sizes := []int{10000, 100000}
	if v, err := strconv.Atoi(os.Getenv("SHKOLA_BENCH_ROWS")); err == nil && v > 0 {
		sizes = []int{v} // one size while working on it
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			if testing.Short() && n > 10000 {
				b.Skip("short")
			}
			s := apptest.Start(b)
			ctx := context.Background()
			region, err := s.App.Orgs.Create(ctx, org.New{Kind: org.Region, Name: "Регион", Country: org.RU})
			if err != nil {
				b.Fatal(err)
			}
			school, err := s.App.Orgs.Create(ctx, org.New{ParentID: &region.ID, Kind: org.School, Name: "Школа", Country: org.RU})
			if err != nil {
				b.Fatal(err)
			}
			now := time.Now().UTC()
			var year int64
			if err := s.App.DB.W.QueryRow(`INSERT INTO academic_years (org_id, name, starts_on, ends_on, period_kind, status, created_at, updated_at)
				VALUES ($1, '2026/2027', '2026-09-01', '2027-05-31', 'quarter', 'current', $2, $2) RETURNING id`, school.ID, now).Scan(&year); err != nil {
				b.Fatal(err)
			}
			// Classes without a capacity limit, so any size fits.
			for _, name := range []string{"5А", "6А"} {
				if _, err := s.App.DB.W.Exec(`INSERT INTO groups (org_id, year_id, kind, parallel, letter, name, level, created_at, updated_at)
					VALUES ($1, $2, 'class', 5, 'А', $3, 'ru_basic', $4, $4)`, school.ID, year, name, now); err != nil {
					b.Fatal(err)
				}
			}
			admin := identity.With(ctx, &identity.Actor{AccountID: -1, Login: "bench", Grants: []identity.Grant{{Role: identity.SchoolAdmin, OrgID: school.ID}}})
			round := 0
			for b.Loop() {
				// Each round imports new people (another seed).
				b.StopTimer()
				round++
				path := writePupils(b, n, round)
				f, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				stop := peakHeap()
				start := time.Now()
				rep, err := s.App.Importer.Run(admin, importer.Options{Kind: importer.Pupils, OrgID: school.ID, FileName: "bench.csv"}, f)
				took := time.Since(start)
				peak := stop()
				f.Close()
				if err != nil || !rep.Written || rep.Created != n {
					b.Fatalf("import: %v %+v", err, rep.Errors[:min(3, len(rep.Errors))])
				}
				b.StopTimer()
				base := baseline(b, s.App.DB, school.ID, n)
				b.ReportMetric(float64(n)/took.Seconds(), "rows/s")
				b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
				b.ReportMetric(float64(n)/base.Seconds(), "baseline-rows/s")
				b.ReportMetric(base.Seconds()/took.Seconds()*100, "%-of-baseline")
				b.StartTimer()
			}
		})
	}
}

// writePupils writes n rows: a pupil with SNILS, a mother and a father.
func writePupils(b *testing.B, n, seed int) string {
	r := rand.New(rand.NewPCG(uint64(seed), uint64(n)))
	path := filepath.Join(b.TempDir(), "pupils.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "last_name,first_name,middle_name,birth_date,sex,snils,class,admission_date,basis_number,basis_date,"+
		"guardian1_kind,guardian1_last_name,guardian1_first_name,guardian1_birth_date,guardian1_sex,guardian1_snils,"+
		"guardian2_kind,guardian2_last_name,guardian2_first_name,guardian2_birth_date,guardian2_sex,guardian2_snils")
	seen := map[string]bool{}
	sn := func() string {
		for {
			s := natid.GenSNILS(r)
			if !seen[s] {
				seen[s] = true
				return s
			}
		}
	}
	surnames := []string{"Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков", "Фёдоров",
		"Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов", "Степанов", "Николаев"}
	boys := []string{"Иван", "Пётр", "Алексей", "Дмитрий", "Сергей", "Андрей", "Михаил", "Никита", "Артём", "Егор"}
	girls := []string{"Мария", "Анна", "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Юлия", "Дарья"}
	for range n {
		last := surnames[r.IntN(len(surnames))]
		fmt.Fprintf(w, "%s,%s,Петрович,%d-%02d-%02d,m,%s,5А,2026-09-01,12-у,2026-08-30,mother,%sа,%s,%d-%02d-%02d,f,%s,father,%s,%s,%d-%02d-%02d,m,%s\n",
			last, boys[r.IntN(len(boys))], 2009+r.IntN(9), 1+r.IntN(12), 1+r.IntN(28), sn(),
			last, girls[r.IntN(len(girls))], 1975+r.IntN(20), 1+r.IntN(12), 1+r.IntN(28), sn(),
			last, boys[r.IntN(len(boys))], 1970+r.IntN(20), 1+r.IntN(12), 1+r.IntN(28), sn())
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

// peakHeap samples the live heap until the returned func is called.
func peakHeap() func() uint64 {
	var peak atomic.Uint64
	done := make(chan struct{})
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	runtime.GC()
	go func() {
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(done); return peak.Load() }
}

// baseline writes the rows an import writes (three people, two links, an
// enrolment, a membership and a movement per row) with prepared INSERTs in
// one transaction: what the database itself costs.
func baseline(b *testing.B, db *store.DB, orgID int64, n int) time.Duration {
	var classID int64
	if err := db.W.QueryRow("SELECT id FROM groups WHERE org_id = $1 AND name = '6А'", orgID).Scan(&classID); err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	start := time.Now()
	err := db.WithTx(context.Background(), func(tx *store.Tx) error {
		person, err := tx.Prepare(`INSERT INTO persons (org_id, last_name, first_name, middle_name, birth_date, sex, name_key, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`)
		if err != nil {
			return err
		}
		link, err := tx.Prepare(`INSERT INTO guardianships (child_id, guardian_id, kind, starts_on, created_at, created_by) VALUES ($1, $2, $3, $4, $5, 'bench')`)
		if err != nil {
			return err
		}
		enr, err := tx.Prepare(`INSERT INTO enrolments (person_id, org_id, class_id, kind, form_of_study, level, status, starts_on)
			VALUES ($1, $2, $3, 'primary', 'full_time', 'ru_basic', 'active', '2026-09-01') RETURNING id`)
		if err != nil {
			return err
		}
		member, err := tx.Prepare(`INSERT INTO group_members (group_id, person_id, starts_on, created_at) VALUES ($1, $2, '2026-09-01', $3)`)
		if err != nil {
			return err
		}
		mov, err := tx.Prepare(`INSERT INTO movements (person_id, kind, org_id, class_id, enrolment_id, on_date, basis_number, basis_date, author_login, created_at)
			VALUES ($1, 'admission', $2, $3, $4, '2026-09-01', '12-у', '2026-08-30', 'bench', $5)`)
		if err != nil {
			return err
		}
		for i := range n {
			var kid, mum, dad, e int64
			if err := person.QueryRow(orgID, "Петров", "Пётр", "", fmt.Sprintf("2015-%02d-%02d", 1+i%12, 1+i%28), "m", "x", now).Scan(&kid); err != nil {
				return err
			}
			if err := person.QueryRow(orgID, "Петрова", "Анна", "", "1988-03-03", "f", "x", now).Scan(&mum); err != nil {
				return err
			}
			if err := person.QueryRow(orgID, "Петров", "Олег", "", "1986-05-05", "m", "x", now).Scan(&dad); err != nil {
				return err
			}
			if _, err := link.Exec(kid, mum, "mother", "2015-01-01", now); err != nil {
				return err
			}
			if _, err := link.Exec(kid, dad, "father", "2015-01-01", now); err != nil {
				return err
			}
			if err := enr.QueryRow(kid, orgID, classID).Scan(&e); err != nil {
				return err
			}
			if _, err := member.Exec(classID, kid, now); err != nil {
				return err
			}
			if _, err := mov.Exec(kid, orgID, classID, e, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}
