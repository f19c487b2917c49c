package staff

import (
	"context"

	"shkola/internal/errs"
	"shkola/internal/store"
)

// AddQualification validates n and adds it to a person's records inside tx.
func (s *Service) AddQualification(ctx context.Context, tx *store.Tx, personID int64, n NewQualification) (Qualification, error) {
	var v errs.Validation
	s.checkQualification(&n, &v)
	if err := v.Err(); err != nil {
		return Qualification{}, err
	}
	p, err := loadPerson(ctx, tx, personID, "")
	if err != nil {
		return Qualification{}, err
	}
	q := Qualification{PersonID: personID, Kind: n.Kind, Title: n.Title, Issuer: n.Issuer, IssuedOn: n.IssuedOn,
		ValidUntil: n.ValidUntil, Document: n.Document, CreatedAt: s.now()}
	if err := tx.QueryRowContext(ctx, `INSERT INTO qualifications (person_id, kind, title, issuer, issued_on, valid_until, document, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		personID, q.Kind, q.Title, q.Issuer, nullable(q.IssuedOn), nullable(q.ValidUntil), q.Document, q.CreatedAt).Scan(&q.ID); err != nil {
		return Qualification{}, err
	}
	return q, s.record(ctx, tx, entityQualification, q.ID, p.OrgID, store.OpCreate, map[string]any{"person_id": personID, "kind": q.Kind})
}
