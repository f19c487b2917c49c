// Package portfolio is the pupil's portfolio (seed 001 stage 3, seed 003):
// achievements in olympiads, competitions and contests with their confirming
// documents, entered by staff or proposed by the pupil (from 14) or a
// guardian and reviewed by staff; state exam results; final certificates
// with sealed numbers; and the "gifted" attribute, derived by a rule written
// in configuration and recomputed in the transaction of every change.
package portfolio

import (
	"context"
	"embed"
	"encoding/json"
	"strconv"
	"time"

	"shkola/internal/audit"
	"shkola/internal/crypt"
	"shkola/internal/errs"
	"shkola/internal/filestore"
	"shkola/internal/identity"
	"shkola/internal/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations creates the portfolio tables (after registry and filestore).
func Migrations() store.MigrationSet { return store.Embedded("portfolio", migrationFiles) }

// EncryptedColumns lists the sealed columns, for `shkola keys rotate`.
func EncryptedColumns() []crypt.Column {
	return []crypt.Column{
		{Table: "certificates", Key: "id", Column: "series_enc", AADPrefix: "certificate.series"},
		{Table: "certificates", Key: "id", Column: "number_enc", AADPrefix: "certificate.number"},
	}
}

// Resources of the access matrix. The portfolio (achievements, exam
// results, the gifted attribute) is read as a whole; the certificate is a
// resource of its own because its number identifies a document.
const (
	Resource            = "portfolio"   // read
	AchievementResource = "achievement" // create (by staff, confirmed), propose, review, delete
	ExamResource        = "exam"        // create, delete
	CertificateResource = "certificate" // read, update
)

// Entities of the change log and the audit log.
const (
	AchievementEntity = "achievement"
	ExamEntity        = "exam_result"
	CertificateEntity = "certificate"
	GiftedEntity      = "gifted"
)

// Achievement statuses.
const (
	Proposed  = "proposed"
	Confirmed = "confirmed"
	Rejected  = "rejected"
)

// ProposeAge is the age from which a pupil proposes own achievements
// (seed 004: from 14 a pupil adds own data); before it a guardian does.
const ProposeAge = 14

// Kinds lists the kinds of achievement.
func Kinds() []string { return []string{"olympiad", "competition", "contest", "other"} }

// CertificateKinds lists the kinds of final certificate: after grade 9
// (basic general) and after grade 11 (secondary general).
func CertificateKinds() []string { return []string{"basic", "secondary"} }

// KnownFunc answers whether code is an active entry of a reference
// directory (achievement_level, achievement_result, subject, exam_kind).
type KnownFunc func(ctx context.Context, directory, code string) (bool, error)

// AuditFunc writes the audit entry of a change in the changing transaction;
// nil audits nothing (trusted callers: the demo).
type AuditFunc func(ctx context.Context, tx *store.Tx, e audit.Entry) error

// Service reads and changes portfolios without access checks; the edge
// holds a Guard.
type Service struct {
	DB    *store.DB
	Keys  *crypt.Keyring
	Files *filestore.Store
	// Rule is the gifted rule (SHKOLA_GIFTED_RULE), parsed at start.
	Rule *Rule
	// Known checks directory codes; nil accepts the shipped codes.
	Known KnownFunc
	Now   func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC().Truncate(time.Microsecond)
	}
	return s.Now().UTC().Truncate(time.Microsecond)
}

func (s *Service) today() string { return s.now().Format(dateLayout) }

const dateLayout = "2006-01-02"

// Pupil is the person a portfolio belongs to, as far as this domain needs.
type Pupil struct {
	ID         int64  `json:"id"`
	OrgID      int64  `json:"org_id"`
	LastName   string `json:"last_name"`
	FirstName  string `json:"first_name"`
	MiddleName string `json:"middle_name,omitempty"`
	BirthDate  string `json:"-"`
}

// Age is the pupil's age in whole years on a day.
func (p Pupil) Age(on time.Time) int {
	born, err := time.Parse(dateLayout, p.BirthDate)
	if err != nil {
		return 0
	}
	age := on.Year() - born.Year()
	if on.Month() < born.Month() || (on.Month() == born.Month() && on.Day() < born.Day()) {
		age--
	}
	return age
}

// Name is the pupil's full name.
func (p Pupil) Name() string {
	n := p.LastName + " " + p.FirstName
	if p.MiddleName != "" {
		n += " " + p.MiddleName
	}
	return n
}

// LoadPupil reads the person a portfolio belongs to; a merged record or an
// unknown id is not found.
func LoadPupil(ctx context.Context, q store.Querier, id int64) (Pupil, error) {
	p := Pupil{ID: id}
	err := q.QueryRowContext(ctx, `SELECT org_id, last_name, first_name, middle_name, birth_date FROM persons
		WHERE id = $1 AND merged_into IS NULL`, id).Scan(&p.OrgID, &p.LastName, &p.FirstName, &p.MiddleName, &p.BirthDate)
	if store.IsNoRows(err) {
		return p, errs.E(errs.NotFound, "not found")
	}
	return p, err
}

// record writes a change row: identifiers and codes, never names or values.
func record(ctx context.Context, tx *store.Tx, at time.Time, entity string, id, orgID int64, op string, data map[string]any) error {
	js, err := json.Marshal(data)
	if err != nil {
		return err
	}
	org := orgID
	err = tx.Record(ctx, store.Change{At: at, Entity: entity, EntityID: strconv.FormatInt(id, 10), Op: op, OrgID: &org,
		Actor: identity.From(ctx).Login, Data: js})
	return err
}

func write(ctx context.Context, tx *store.Tx, af AuditFunc, e audit.Entry) error {
	if af == nil {
		return nil
	}
	return af(ctx, tx, e)
}

func entry(action audit.Action, entity string, id, orgID, personID int64, changes []audit.FieldChange) audit.Entry {
	org := orgID
	return audit.Entry{Action: action, Outcome: audit.Success, ObjectType: entity, ObjectID: strconv.FormatInt(id, 10),
		OrgID: &org, PersonID: personID, Changes: changes}
}

func (s *Service) known(ctx context.Context, dir, code string, builtin []string) (bool, error) {
	if s.Known != nil {
		return s.Known(ctx, dir, code)
	}
	if builtin == nil {
		return code != "", nil
	}
	for _, c := range builtin {
		if c == code {
			return true, nil
		}
	}
	return false, nil
}
