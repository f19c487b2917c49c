package directory

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Service reads and changes directories. It checks no access: other domains
// call Has and List from inside their own checked operations, and the HTTP
// edge holds a Guard.
type Service struct {
	DB  *store.DB
	Now func() time.Time // nil: the wall clock
}

// NewService returns a service on db with the wall clock.
func NewService(db *store.DB) *Service { return &Service{DB: db, Now: time.Now} }

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC().Truncate(time.Microsecond)
	}
	return s.Now().UTC().Truncate(time.Microsecond)
}

// actor names who changed an entry, for its history.
func actor(ctx context.Context) string { return identity.From(ctx).Login }

func unknown(name string) error { return errs.E(errs.NotFound, "there is no directory %q", name) }

const columns = `id, directory, code, name_ru, name_uk, name_en, attrs, sort, active, version, updated_at`

func scan(row interface{ Scan(...any) error }) (Entry, error) {
	var e Entry
	var attrs string
	if err := row.Scan(&e.id, &e.Directory, &e.Code, &e.NameRU, &e.NameUK, &e.NameEN, &attrs, &e.Sort, &e.Active,
		&e.Version, &e.UpdatedAt); err != nil {
		return e, err
	}
	e.UpdatedAt = e.UpdatedAt.UTC()
	var err error
	e.Attrs, err = decodeAttrs(attrs)
	return e, err
}

func get(ctx context.Context, q store.Querier, directory, code, suffix string) (Entry, error) {
	e, err := scan(q.QueryRowContext(ctx, `SELECT `+columns+` FROM ref_entries WHERE directory = $1 AND code = $2`+suffix, directory, code))
	if errors.Is(err, sql.ErrNoRows) {
		return e, errs.E(errs.NotFound, "%s has no entry %q", directory, code)
	}
	return e, err
}

// Get returns one entry, active or not.
func (s *Service) Get(ctx context.Context, directory, code string) (Entry, error) {
	if !Known(directory) {
		return Entry{}, unknown(directory)
	}
	return get(ctx, s.DB.Read(), directory, code, "")
}

// Has reports whether code is an active entry of directory: what a domain
// asks before storing a code. An unknown directory is an error (a bug in
// the caller), not a "no".
func (s *Service) Has(ctx context.Context, directory, code string) (bool, error) {
	if !Known(directory) {
		return false, unknown(directory)
	}
	var one int
	err := s.DB.Read().QueryRowContext(ctx, `SELECT 1 FROM ref_entries WHERE directory = $1 AND code = $2 AND active = $3`,
		directory, code, true).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// Codes returns the active codes of directory as a set, for a caller that
// checks many values at once (an import of pupils) with one query.
func (s *Service) Codes(ctx context.Context, directory string) (map[string]bool, error) {
	list, err := s.List(ctx, directory, false)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(list))
	for _, e := range list {
		out[e.Code] = true
	}
	return out, nil
}

// List returns the entries of directory in display order (sort, then code);
// retired entries only when includeInactive.
func (s *Service) List(ctx context.Context, directory string, includeInactive bool) ([]Entry, error) {
	if !Known(directory) {
		return nil, unknown(directory)
	}
	return list(ctx, s.DB.Read(), directory, includeInactive, "")
}

func list(ctx context.Context, q store.Querier, directory string, includeInactive bool, suffix string) ([]Entry, error) {
	query := `SELECT ` + columns + ` FROM ref_entries WHERE directory = $1`
	args := []any{directory}
	if !includeInactive {
		query += ` AND active = $2`
		args = append(args, true)
	}
	rows, err := q.QueryContext(ctx, query+` ORDER BY sort, code`+suffix, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Entry{}
	for rows.Next() {
		e, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Directories lists every directory with its number of entries.
func (s *Service) Directories(ctx context.Context) ([]Summary, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT directory, COUNT(*), SUM(CASE WHEN active THEN 1 ELSE 0 END)
		FROM ref_entries GROUP BY directory`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	counts := map[string]Summary{}
	for rows.Next() {
		var sm Summary
		if err := rows.Scan(&sm.Name, &sm.Entries, &sm.Active); err != nil {
			return nil, err
		}
		counts[sm.Name] = sm
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]Summary, 0, len(Names()))
	for _, n := range Names() {
		sm := counts[n]
		sm.Name = n
		out = append(out, sm)
	}
	return out, nil
}

// History returns every version of an entry, oldest first.
func (s *Service) History(ctx context.Context, directory, code string) ([]Version, error) {
	e, err := s.Get(ctx, directory, code)
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT version, name_ru, name_uk, name_en, attrs, sort, active, changed_at, changed_by
		FROM ref_history WHERE entry_id = $1 ORDER BY version`, e.id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Version{}
	for rows.Next() {
		var v Version
		var attrs string
		if err := rows.Scan(&v.Version, &v.NameRU, &v.NameUK, &v.NameEN, &attrs, &v.Sort, &v.Active, &v.ChangedAt, &v.ChangedBy); err != nil {
			return nil, err
		}
		v.ChangedAt = v.ChangedAt.UTC()
		if v.Attrs, err = decodeAttrs(attrs); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
