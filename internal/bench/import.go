package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"shkola/internal/demo"
	"shkola/internal/identity"
	"shkola/internal/org"
	"shkola/internal/store"
)

// importPupils: a school's administrator uploads the registry file of its
// pupils, each with a mother and a father, through POST /api/v1/imports
// (all or nothing: the file is checked whole, then written in one
// transaction that checks every row again). Baseline: the same rows
// (three people, two guardian links, an enrolment, a class membership and
// an admission per line of the file) written raw into the same tables in
// one transaction, with COPY on PostgreSQL and prepared INSERTs on SQLite.
//
// The bench command measures it once per file size (Options.ImportRows),
// each a file of new people, and reports rows per second; Op and Baseline
// (for go test -bench) import a small file each.
type importPupils struct {
	env     *Env
	school  int64
	class   string // the class every pupil is admitted to
	date    string // the admission date: the first day of the school's year
	classID int64
	token   string
}

// opRows is the file size of one Op in go test -bench.
const opRows = 50

func (*importPupils) Name() string { return "import" }

// Setup makes a school of its own with a current year and one class
// without a limit of places (a file of any size fits), and its
// administrator with an API token.
func (s *importPupils) Setup(ctx context.Context, env *Env) error {
	s.env = env
	var parent int64
	var start, end, yearName string
	if err := env.DB.R.QueryRowContext(ctx, `SELECT o.parent_id, y.name, y.starts_on, y.ends_on FROM organisations o
		JOIN academic_years y ON y.org_id = o.id AND y.status = 'current' WHERE o.id = $1`, env.School).Scan(&parent, &yearName, &start, &end); err != nil {
		return fmt.Errorf("the first school's current year: %w", err)
	}
	u := env.Unique()
	sch, err := env.App.Orgs.Create(ctx, org.New{ParentID: &parent, Kind: org.School, Name: fmt.Sprintf("Школа импорта %d", u), Country: org.RU})
	if err != nil {
		return err
	}
	s.school, s.class, s.date = sch.ID, "5И", start
	now := time.Now().UTC()
	err = env.DB.WithTx(ctx, func(tx *store.Tx) error {
		var year int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO academic_years (org_id, name, starts_on, ends_on, period_kind, status, created_at, updated_at)
			VALUES ($1, $2, $3, $4, 'quarter', 'current', $5, $5) RETURNING id`, s.school, yearName, start, end, now).Scan(&year); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `INSERT INTO groups (org_id, year_id, kind, parallel, letter, name, level, created_at, updated_at)
			VALUES ($1, $2, 'class', 5, 'И', $3, 'ru_basic', $4, $4) RETURNING id`, s.school, year, s.class, now).Scan(&s.classID)
	})
	if err != nil {
		return err
	}
	acc, _, err := env.App.Accounts.Create(ctx, fmt.Sprintf("bench.importer%d", u), []identity.Grant{{Role: identity.SchoolAdmin, OrgID: s.school}})
	if err != nil {
		return err
	}
	s.token, err = env.App.Accounts.IssueToken(ctx, acc.ID, "bench")
	return err
}

// Sizes are the file sizes the bench command measures.
func (s *importPupils) Sizes(o Options) []int {
	switch {
	case len(o.ImportRows) > 0:
		return o.ImportRows
	case o.Quick:
		return []int{500}
	}
	return []int{10000, 100000}
}

// file is one generated registry file: n lines of new people, drawn from
// seed, with SNILS numbers from first on.
type file struct {
	n     int
	seed  uint64
	first int64
	path  string
}

func (s *importPupils) prepare(n int) (file, error) { return s.newFile(s.env.dir, n) }

// newFile draws a file of n lines and writes it to dir (not measured).
func (s *importPupils) newFile(dir string, n int) (file, error) {
	f := file{n: n, seed: uint64(s.env.Unique()), first: s.env.UniqueBlock(3 * n)} // #nosec G115 -- a positive counter used as a seed's bits
	f.path = filepath.Join(dir, fmt.Sprintf("pupils-%d-%d.csv", n, f.seed))
	return f, s.writeCSV(f)
}

func (s *importPupils) writeCSV(f file) error {
	out, err := os.Create(f.path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(out, 1<<16)
	fmt.Fprintln(w, "last_name,first_name,middle_name,birth_date,sex,snils,class,admission_date,basis_number,basis_date,"+
		"guardian1_kind,guardian1_last_name,guardian1_first_name,guardian1_middle_name,guardian1_birth_date,guardian1_sex,guardian1_snils,"+
		"guardian2_kind,guardian2_last_name,guardian2_first_name,guardian2_middle_name,guardian2_birth_date,guardian2_sex,guardian2_snils")
	for i := range f.n {
		l := s.line(f, i)
		p, m, d := l.people[0], l.people[1], l.people[2]
		fmt.Fprintf(w, "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,mother,%s,%s,%s,%s,%s,%s,father,%s,%s,%s,%s,%s,%s\n",
			p.last, p.first, p.middle, p.birth, p.sex, p.snils, s.class, s.date, basisNumber, s.basisDate(),
			m.last, m.first, m.middle, m.birth, m.sex, m.snils, d.last, d.first, d.middle, d.birth, d.sex, d.snils)
	}
	if err := w.Flush(); err != nil {
		return errors.Join(err, out.Close())
	}
	return out.Close()
}

const basisNumber = "17-у"

// basisDate is the date of the admission order: the day before the year starts.
func (s *importPupils) basisDate() string {
	d, err := time.Parse("2006-01-02", s.date)
	if err != nil {
		return s.date
	}
	return d.AddDate(0, 0, -1).Format("2006-01-02")
}

type linePerson struct {
	last, first, middle, birth, sex, snils string
}

// line is line i of a file: the pupil, the mother, the father.
type line struct{ people [3]linePerson }

func (s *importPupils) line(f file, i int) line {
	r := rand.New(rand.NewPCG(f.seed, uint64(i))) // #nosec G115 G404 -- the file is drawn deterministically from its seed; i is a line number
	names := demo.NewNames(r)
	var l line
	for k, who := range []struct {
		male bool
		from int
		span int
	}{{r.IntN(2) == 0, 2010, 9}, {false, 1972, 20}, {true, 1968, 20}} {
		n := names.Person(who.male)
		sex := "f"
		if who.male {
			sex = "m"
		}
		birth := time.Date(who.from+r.IntN(who.span), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
		l.people[k] = linePerson{last: n.Last, first: n.First, middle: n.Middle, birth: birth.Format("2006-01-02"), sex: sex,
			snils: snilsFor(f.first + int64(3*i+k))}
	}
	return l
}

// upload sends the file through the API as a school's system would and
// checks that every line was written.
func (s *importPupils) upload(ctx context.Context, c *Client, f file) error {
	body, err := os.Open(f.path)
	if err != nil {
		return err
	}
	defer body.Close()
	q := url.Values{"kind": {"pupils"}, "org_id": {strconv.FormatInt(s.school, 10)}, "file_name": {filepath.Base(f.path)}}
	b, err := c.Upload(ctx, 201, "/api/v1/imports?"+q.Encode(), s.token, "text/csv", body)
	if err != nil {
		return err
	}
	var rep struct {
		Created int  `json:"created"`
		Written bool `json:"written"`
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		return err
	}
	if !rep.Written || rep.Created != f.n {
		return fmt.Errorf("import of %d lines: written %v, created %d", f.n, rep.Written, rep.Created)
	}
	return nil
}

func (s *importPupils) Op(ctx context.Context, c *Client, _ int) error {
	f, err := s.newFile(s.env.dir, opRows)
	if err != nil {
		return err
	}
	defer os.Remove(f.path)
	return s.upload(ctx, c, f)
}

func (s *importPupils) Baseline(ctx context.Context, db *store.DB, _ int) error {
	f := file{n: opRows, seed: uint64(s.env.Unique()), first: s.env.UniqueBlock(3 * opRows)} // #nosec G115 -- a positive counter used as a seed's bits
	return s.raw(ctx, db, f)
}
