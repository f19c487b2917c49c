package org

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"shkola/internal/errs"
	"shkola/internal/store"
)

// Service reads and changes organisations. Access checks are not its
// concern yet; the HTTP edge calls it from one handler per operation, where
// they will be added.
type Service struct {
	DB  *store.DB
	Now func() time.Time
	// Actor names who is acting, for the history; nil records nobody.
	Actor func(context.Context) string
}

// NewService returns a service on db with the wall clock.
func NewService(db *store.DB) *Service { return &Service{DB: db, Now: time.Now} }

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

func (s *Service) actor(ctx context.Context) string {
	if s.Actor == nil {
		return ""
	}
	return s.Actor(ctx)
}

const columns = `o.id, o.parent_id, o.kind, o.name, o.short_name, o.country, o.inn, o.ogrn, o.edrpou, o.address, o.status, o.version, o.created_at, o.updated_at`

func scan(row interface{ Scan(...any) error }) (Organisation, error) {
	var o Organisation
	var parent sql.NullInt64
	var inn, ogrn, edrpou sql.NullString
	if err := row.Scan(&o.ID, &parent, &o.Kind, &o.Name, &o.ShortName, &o.Country, &inn, &ogrn, &edrpou,
		&o.Address, &o.Status, &o.Version, &o.CreatedAt, &o.UpdatedAt); err != nil {
		return o, err
	}
	if parent.Valid {
		p := parent.Int64
		o.ParentID = &p
	}
	o.INN, o.OGRN, o.EDRPOU = inn.String, ogrn.String, edrpou.String
	o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	return o, nil
}

func get(ctx context.Context, q store.Querier, id int64, suffix string) (Organisation, error) {
	o, err := scan(q.QueryRowContext(ctx, `SELECT `+columns+` FROM organisations o WHERE o.id = $1`+suffix, id))
	if errors.Is(err, sql.ErrNoRows) {
		return o, errs.E(errs.NotFound, "organisation %d not found", id)
	}
	return o, err
}

// Get returns one organisation.
func (s *Service) Get(ctx context.Context, id int64) (Organisation, error) {
	return get(ctx, s.DB.Read(), id, "")
}

// Count returns how many organisations there are.
func (s *Service) Count(ctx context.Context) (int, error) {
	var n int
	err := s.DB.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM organisations").Scan(&n)
	return n, err
}

// Create validates n and inserts it under its parent.
func (s *Service) Create(ctx context.Context, n New) (Organisation, error) {
	var out Organisation
	err := s.DB.WithTx(ctx, func(tx *store.Tx) error {
		b, err := s.NewBatch(ctx, tx)
		if err != nil {
			return err
		}
		defer b.Close()
		out, err = b.Create(ctx, n)
		return err
	})
	return out, err
}

// CountKind returns how many active organisations of kind there are.
func (s *Service) CountKind(ctx context.Context, k Kind) (int, error) {
	var n int
	err := s.DB.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM organisations WHERE kind = $1 AND status = 'active'", k).Scan(&n)
	return n, err
}
