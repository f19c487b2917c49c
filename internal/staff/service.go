package staff

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"time"

	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Service reads and writes staff records without access checks: the HTTP
// edge holds a Guard, trusted internal callers (the demo, imports) use the
// Service and its transaction-level methods directly.
type Service struct {
	DB  *store.DB
	Now func() time.Time
	// Known decides which position and subject codes are accepted; nil
	// uses the shipped lists (Positions, Subjects). App wires the reference
	// directory here once it exists.
	Known KnownFunc
}

// NewService returns a service on db with the wall clock.
func NewService(db *store.DB) *Service { return &Service{DB: db, Now: time.Now} }

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// today is the date employments are current on.
func (s *Service) today() string { return s.Now().UTC().Format(dateLayout) }

const employmentColumns = `e.id, e.person_id, e.org_id, o.name, e.position, e.rate, e.starts_on, e.ends_on, e.basis, e.end_basis,
	e.version, e.created_at, e.updated_at`

func (s *Service) scanEmployment(row interface{ Scan(...any) error }) (Employment, error) {
	var e Employment
	var ends sql.NullString
	var rate string
	if err := row.Scan(&e.ID, &e.PersonID, &e.OrgID, &e.OrgName, &e.Position, &rate, &e.StartsOn, &ends, &e.Basis, &e.EndBasis,
		&e.Version, &e.CreatedAt, &e.UpdatedAt); err != nil {
		return e, err
	}
	e.Rate, e.EndsOn = Rate(rate), ends.String
	e.CreatedAt, e.UpdatedAt = e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	today := s.today()
	e.Current = e.StartsOn <= today && (e.EndsOn == "" || e.EndsOn >= today)
	return e, nil
}

func (s *Service) employment(ctx context.Context, q store.Querier, id int64, suffix string) (Employment, error) {
	e, err := s.scanEmployment(q.QueryRowContext(ctx, `SELECT `+employmentColumns+`
		FROM employments e JOIN organisations o ON o.id = e.org_id WHERE e.id = $1`+suffix, id))
	if store.IsNoRows(err) {
		return e, errs.E(errs.NotFound, "employment %d not found", id)
	}
	return e, err
}

// Employment returns one employment.
func (s *Service) Employment(ctx context.Context, id int64) (Employment, error) {
	return s.employment(ctx, s.DB.Read(), id, "")
}

// Employments returns every employment of a person, the latest first.
func (s *Service) Employments(ctx context.Context, personID int64) ([]Employment, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+employmentColumns+`
		FROM employments e JOIN organisations o ON o.id = e.org_id WHERE e.person_id = $1 ORDER BY e.starts_on DESC, e.id DESC`, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Employment{}
	for rows.Next() {
		e, err := s.scanEmployment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Subjects returns the subjects a person may teach, in the order of the
// directory.
func (s *Service) Subjects(ctx context.Context, personID int64) ([]string, error) {
	return subjectsOf(ctx, s.DB.Read(), personID)
}

func subjectsOf(ctx context.Context, q store.Querier, personID int64) ([]string, error) {
	rows, err := q.QueryContext(ctx, "SELECT subject FROM staff_subjects WHERE person_id = $1", personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		got = append(got, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return sortSubjects(got), nil
}

// sortSubjects orders codes as the directory lists them, unknown ones last.
func sortSubjects(codes []string) []string {
	out := make([]string, 0, len(codes))
	for _, c := range Subjects() {
		if contains(codes, c) {
			out = append(out, c)
		}
	}
	for _, c := range codes {
		if !contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// Qualifications returns a person's qualification records, the latest first.
func (s *Service) Qualifications(ctx context.Context, personID int64) ([]Qualification, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT id, person_id, kind, title, issuer, issued_on, valid_until, document, created_at
		FROM qualifications WHERE person_id = $1 ORDER BY COALESCE(issued_on, '') DESC, id DESC`, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Qualification{}
	for rows.Next() {
		var q Qualification
		var issued, valid sql.NullString
		if err := rows.Scan(&q.ID, &q.PersonID, &q.Kind, &q.Title, &q.Issuer, &issued, &valid, &q.Document, &q.CreatedAt); err != nil {
			return nil, err
		}
		q.IssuedOn, q.ValidUntil, q.CreatedAt = issued.String, valid.String, q.CreatedAt.UTC()
		out = append(out, q)
	}
	return out, rows.Err()
}

// person is what staff rules need of a person record.
type person struct {
	ID                              int64
	OrgID                           int64
	LastName, FirstName, MiddleName string
	BirthDate                       string
	MergedInto                      int64
}

func loadPerson(ctx context.Context, q store.Querier, id int64, suffix string) (person, error) {
	var p person
	var merged sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT id, org_id, last_name, first_name, middle_name, birth_date, merged_into FROM persons WHERE id = $1`+suffix, id).
		Scan(&p.ID, &p.OrgID, &p.LastName, &p.FirstName, &p.MiddleName, &p.BirthDate, &merged)
	if store.IsNoRows(err) {
		return p, errs.E(errs.NotFound, "person %d not found", id)
	}
	p.MergedInto = merged.Int64
	return p, err
}

// employmentOrgs lists the organisations of a person's employments: all of
// them, or only those current today.
func (s *Service) employmentOrgs(ctx context.Context, personID int64, currentOnly bool) ([]int64, error) {
	query := "SELECT DISTINCT org_id FROM employments WHERE person_id = $1"
	args := []any{personID}
	if currentOnly {
		today := s.today()
		query += " AND starts_on <= $2 AND (ends_on IS NULL OR ends_on >= $2)"
		args = append(args, today)
	}
	rows, err := s.DB.Read().QueryContext(ctx, query+" ORDER BY org_id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// record writes a change row: identifiers and versions, no personal data.
func (s *Service) record(ctx context.Context, tx *store.Tx, entity string, id, orgID int64, op string, data map[string]any) error {
	js, err := json.Marshal(data)
	if err != nil {
		return err
	}
	var org *int64
	if orgID != 0 {
		org = &orgID
	}
	err = tx.Record(ctx, store.Change{At: s.now(), Entity: entity, EntityID: strconv.FormatInt(id, 10), Op: op, OrgID: org,
		Actor: identity.From(ctx).Login, Data: js})
	return err
}
