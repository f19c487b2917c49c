package portfolio

import (
	"context"
	"database/sql"
	"regexp"
	"slices"
	"strings"

	"shkola/internal/audit"
	"shkola/internal/crypt"
	"shkola/internal/errs"
	"shkola/internal/store"
)

// Certificate is a final certificate of education (аттестат об основном /
// среднем общем образовании; свідоцтво). Series and number identify a
// document of the person, so they are sealed at rest like identity
// documents, shown only to those who may read certificates, and every read
// of them is audited.
type Certificate struct {
	ID       int64  `json:"id"`
	PersonID int64  `json:"person_id"`
	OrgID    int64  `json:"org_id"`
	Kind     string `json:"kind"`
	Series   string `json:"series,omitempty"`
	Number   string `json:"number"`
	IssuedOn string `json:"issued_on"`
	Honours  bool   `json:"honours"`
	Version  int64  `json:"version"`
}

// NewCertificate is a certificate as submitted (the kind is in the path).
type NewCertificate struct {
	Series   string `json:"series"`
	Number   string `json:"number"`
	IssuedOn string `json:"issued_on"`
	Honours  bool   `json:"honours"`
}

var certNumber = regexp.MustCompile(`^[0-9A-Za-zА-ЯЁа-яёІЇЄҐіїєґ-]{1,30}$`)

// ValidateCertificate checks a certificate of kind.
func (s *Service) ValidateCertificate(kind string, n *NewCertificate) error {
	var v errs.Validation
	n.Series = strings.ToUpper(strings.Join(strings.Fields(n.Series), ""))
	n.Number = strings.Join(strings.Fields(n.Number), "")
	if !slices.Contains(CertificateKinds(), kind) {
		v.Add("kind", "enum", "basic or secondary")
	}
	switch {
	case n.Number == "":
		v.Add("number", "required", "required")
	case !certNumber.MatchString(n.Number):
		v.Add("number", "format", "letters, digits and hyphens, at most 30")
	}
	if n.Series != "" && !certNumber.MatchString(n.Series) || len([]rune(n.Series)) > 12 {
		v.Add("series", "format", "letters, digits and hyphens, at most 12")
	}
	s.checkDate(&v, "issued_on", n.IssuedOn)
	return v.Err()
}

func certAAD(field string, id int64) string { return crypt.AAD("certificate."+field, id) }

// Certificates reads and unseals a pupil's certificates.
func (s *Service) Certificates(ctx context.Context, q store.Querier, personID int64) ([]Certificate, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, person_id, org_id, kind, series_enc, number_enc, issued_on, honours, version
		FROM certificates WHERE person_id = $1 ORDER BY kind`, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Certificate{}
	for rows.Next() {
		var c Certificate
		var series sql.NullString
		var number string
		if err := rows.Scan(&c.ID, &c.PersonID, &c.OrgID, &c.Kind, &series, &number, &c.IssuedOn, &c.Honours, &c.Version); err != nil {
			return nil, err
		}
		if c.Number, err = s.Keys.DecryptString(number, certAAD("number", c.ID)); err != nil {
			return nil, err
		}
		if series.Valid && series.String != "" {
			if c.Series, err = s.Keys.DecryptString(series.String, certAAD("series", c.ID)); err != nil {
				return nil, err
			}
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// HasCertificates reports whether a pupil has any certificate (so reading
// one is audited only when there is something to show).
func (s *Service) HasCertificates(ctx context.Context, q store.Querier, personID int64) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM certificates WHERE person_id = $1", personID).Scan(&n)
	return n > 0, err
}

// SetCertificateTx writes (or replaces) the pupil's certificate of kind,
// sealing series and number to the row.
func (s *Service) SetCertificateTx(ctx context.Context, tx *store.Tx, p Pupil, kind string, n NewCertificate, af AuditFunc) (Certificate, error) {
	if err := s.ValidateCertificate(kind, &n); err != nil {
		return Certificate{}, err
	}
	now := s.now()
	var id int64
	op, action := store.OpUpdate, audit.RecordUpdate
	err := tx.QueryRowContext(ctx, "SELECT id FROM certificates WHERE person_id = $1 AND kind = $2"+tx.Engine.ForUpdate(), p.ID, kind).Scan(&id)
	switch {
	case store.IsNoRows(err):
		op, action = store.OpCreate, audit.RecordCreate
		if err := tx.QueryRowContext(ctx, `INSERT INTO certificates (person_id, org_id, kind, number_enc, issued_on, honours, created_at, updated_at)
			VALUES ($1, $2, $3, '', $4, $5, $6, $6) RETURNING id`, p.ID, p.OrgID, kind, n.IssuedOn, n.Honours, now).Scan(&id); err != nil {
			return Certificate{}, err
		}
	case err != nil:
		return Certificate{}, err
	}
	number, err := s.Keys.EncryptString(n.Number, certAAD("number", id))
	if err != nil {
		return Certificate{}, err
	}
	var series any
	if n.Series != "" {
		if series, err = s.Keys.EncryptString(n.Series, certAAD("series", id)); err != nil {
			return Certificate{}, err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE certificates SET series_enc = $1, number_enc = $2, issued_on = $3, honours = $4,
		version = version + 1, updated_at = $5 WHERE id = $6`, series, number, n.IssuedOn, n.Honours, now, id); err != nil {
		return Certificate{}, err
	}
	if err := record(ctx, tx, now, CertificateEntity, id, p.OrgID, op, map[string]any{"person_id": p.ID, "kind": kind}); err != nil {
		return Certificate{}, err
	}
	changes := []audit.FieldChange{{Field: "number", New: "(changed)"}, {Field: "issued_on", New: n.IssuedOn}, {Field: "honours", New: n.Honours}}
	if err := write(ctx, tx, af, entry(action, CertificateEntity, id, p.OrgID, p.ID, changes)); err != nil {
		return Certificate{}, err
	}
	all, err := s.Certificates(ctx, tx, p.ID)
	if err != nil {
		return Certificate{}, err
	}
	for _, c := range all {
		if c.ID == id {
			return c, nil
		}
	}
	return Certificate{}, errs.E(errs.Internal, "certificate vanished")
}
