package portfolio

import (
	"context"
	"database/sql"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"shkola/internal/audit"
	"shkola/internal/errs"
	"shkola/internal/filestore"
	"shkola/internal/store"
)

// Achievement is one entry of a portfolio.
type Achievement struct {
	ID         int64           `json:"id"`
	PersonID   int64           `json:"person_id"`
	OrgID      int64           `json:"org_id"`
	Kind       string          `json:"kind"`
	Title      string          `json:"title"`
	Subject    string          `json:"subject,omitempty"`
	Level      string          `json:"level"`
	Result     string          `json:"result"`
	Date       string          `json:"date"`
	Organiser  string          `json:"organiser,omitempty"`
	Document   *filestore.File `json:"document,omitempty"`
	Status     string          `json:"status"`
	ProposedBy string          `json:"proposed_by,omitempty"`
	ReviewedBy string          `json:"reviewed_by,omitempty"`
	ReviewedAt *time.Time      `json:"reviewed_at,omitempty"`
	Reason     string          `json:"reason,omitempty"`
	Version    int64           `json:"version"`
	CreatedAt  time.Time       `json:"created_at"`
	// Counts says whether this achievement satisfied the gifted rule when
	// the attribute was last computed.
	Counts bool `json:"counts"`
}

// NewAchievement is an achievement as submitted.
type NewAchievement struct {
	Kind      string `json:"kind"`
	Title     string `json:"title"`
	Subject   string `json:"subject"`
	Level     string `json:"level"`
	Result    string `json:"result"`
	Date      string `json:"date"`
	Organiser string `json:"organiser"`
}

// Upload is a confirming document as received.
type Upload struct {
	Name string
	R    io.Reader
}

// DocumentField names the document in errors (form and API field).
const DocumentField = "document"

const maxText = 300

// Validate checks a new achievement against the rules and the directories.
func (s *Service) Validate(ctx context.Context, n *NewAchievement) error {
	var v errs.Validation
	n.Title = strings.TrimSpace(n.Title)
	n.Organiser = strings.TrimSpace(n.Organiser)
	n.Subject = strings.TrimSpace(n.Subject)
	if !slices.Contains(Kinds(), n.Kind) {
		v.Add("kind", "enum", "one of "+strings.Join(Kinds(), ", "))
	}
	switch {
	case n.Title == "":
		v.Add("title", "required", "required")
	case utf8.RuneCountInString(n.Title) > maxText:
		v.Add("title", "max_length", "at most 300 characters")
	}
	if utf8.RuneCountInString(n.Organiser) > maxText {
		v.Add("organiser", "max_length", "at most 300 characters")
	}
	for _, c := range []struct {
		field, dir, code string
		builtin          []string
		required         bool
	}{
		{"level", "achievement_level", n.Level, levelOrder, true},
		{"result", "achievement_result", n.Result, resultOrder, true},
		{"subject", "subject", n.Subject, nil, false},
	} {
		if c.code == "" {
			if c.required {
				v.Add(c.field, "required", "required")
			}
			continue
		}
		ok, err := s.known(ctx, c.dir, c.code, c.builtin)
		if err != nil {
			return err
		}
		if !ok {
			v.Add(c.field, "directory", "not a code of the "+c.dir+" directory")
		}
	}
	s.checkDate(&v, "date", n.Date)
	return v.Err()
}

// checkDate accepts a date from 1990 to today.
func (s *Service) checkDate(v *errs.Validation, field, d string) {
	on, err := time.Parse(dateLayout, d)
	switch {
	case d == "":
		v.Add(field, "required", "required")
	case err != nil:
		v.Add(field, "format", "a date as YYYY-MM-DD")
	case on.After(s.now()):
		v.Add(field, "future", "the date is in the future")
	case on.Year() < 1990:
		v.Add(field, "past", "the date is before 1990")
	}
}

const achievementSelect = `SELECT a.id, a.person_id, a.org_id, a.kind, a.title, a.subject, a.level, a.result, a.on_date, a.organiser,
	a.file_id, f.name, f.content_type, f.size, a.status, a.proposed_by, a.reviewed_by, a.reviewed_at, a.reason, a.version, a.created_at
	FROM achievements a LEFT JOIN files f ON f.id = a.file_id`

func scanAchievement(row interface{ Scan(...any) error }) (Achievement, error) {
	var a Achievement
	var fileID, size sql.NullInt64
	var name, ctype sql.NullString
	var reviewed sql.NullTime
	err := row.Scan(&a.ID, &a.PersonID, &a.OrgID, &a.Kind, &a.Title, &a.Subject, &a.Level, &a.Result, &a.Date, &a.Organiser,
		&fileID, &name, &ctype, &size, &a.Status, &a.ProposedBy, &a.ReviewedBy, &reviewed, &a.Reason, &a.Version, &a.CreatedAt)
	if err != nil {
		return a, err
	}
	if fileID.Valid {
		a.Document = &filestore.File{ID: fileID.Int64, Name: name.String, ContentType: ctype.String, Size: size.Int64}
	}
	if reviewed.Valid {
		t := reviewed.Time.UTC()
		a.ReviewedAt = &t
	}
	a.CreatedAt = a.CreatedAt.UTC()
	return a, nil
}

// Achievement reads one achievement.
func (s *Service) Achievement(ctx context.Context, q store.Querier, id int64) (Achievement, error) {
	a, err := scanAchievement(q.QueryRowContext(ctx, achievementSelect+" WHERE a.id = $1", id))
	if store.IsNoRows(err) {
		return a, errs.E(errs.NotFound, "not found")
	}
	return a, err
}

// Achievements lists a pupil's achievements, newest first.
func (s *Service) Achievements(ctx context.Context, q store.Querier, personID int64) ([]Achievement, error) {
	rows, err := q.QueryContext(ctx, achievementSelect+" WHERE a.person_id = $1 ORDER BY a.on_date DESC, a.id DESC", personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Achievement{}
	for rows.Next() {
		a, err := scanAchievement(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// AddAchievementTx writes a validated achievement of pupil p with status
// (Confirmed when staff enter it, Proposed otherwise), its document if
// any, the change row and the audit entry, and recomputes the gifted
// attribute, all inside tx.
func (s *Service) AddAchievementTx(ctx context.Context, tx *store.Tx, p Pupil, n NewAchievement, status, by string, doc *Upload, af AuditFunc) (Achievement, error) {
	now := s.now()
	var fileID *int64
	if doc != nil {
		if s.Files == nil {
			return Achievement{}, errs.E(errs.Internal, "no file store")
		}
		org := p.OrgID
		f, err := s.Files.Save(ctx, tx, DocumentField, doc.Name, doc.R, filestore.Documents, &org, by)
		if err != nil {
			return Achievement{}, err
		}
		fileID = &f.ID
	}
	var reviewer any = ""
	var reviewedAt any
	proposer := ""
	if status == Confirmed {
		reviewer, reviewedAt = by, now
	} else {
		proposer = by
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO achievements (person_id, org_id, kind, title, subject, level, result, on_date, organiser,
		file_id, status, proposed_by, reviewed_by, reviewed_at, created_at, created_by, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $15) RETURNING id`,
		p.ID, p.OrgID, n.Kind, n.Title, n.Subject, n.Level, n.Result, n.Date, n.Organiser, fileID, status, proposer, reviewer, reviewedAt, now, by).Scan(&id)
	if err != nil {
		return Achievement{}, err
	}
	data := map[string]any{"person_id": p.ID, "status": status, "kind": n.Kind, "level": n.Level, "result": n.Result}
	if err := record(ctx, tx, now, AchievementEntity, id, p.OrgID, store.OpCreate, data); err != nil {
		return Achievement{}, err
	}
	if err := write(ctx, tx, af, entry(audit.RecordCreate, AchievementEntity, id, p.OrgID, p.ID,
		[]audit.FieldChange{{Field: "status", New: status}})); err != nil {
		return Achievement{}, err
	}
	if status == Confirmed {
		if _, err := s.RecomputeTx(ctx, tx, p.ID, p.OrgID); err != nil {
			return Achievement{}, err
		}
	}
	return s.Achievement(ctx, tx, id)
}

// Review is a staff decision on a proposal.
type Review struct {
	Decision string `json:"decision"` // confirm or reject
	Reason   string `json:"reason"`   // required to reject
}

// Validate checks a review.
func (r *Review) Validate() error {
	var v errs.Validation
	r.Reason = strings.TrimSpace(r.Reason)
	switch r.Decision {
	case "confirm":
	case "reject":
		if r.Reason == "" {
			v.Add("reason", "required", "say why the proposal is rejected")
		}
	default:
		v.Add("decision", "enum", "confirm or reject")
	}
	if utf8.RuneCountInString(r.Reason) > maxText {
		v.Add("reason", "max_length", "at most 300 characters")
	}
	return v.Err()
}

// ReviewTx confirms or rejects a proposed achievement at the version read
// and recomputes the gifted attribute.
func (s *Service) ReviewTx(ctx context.Context, tx *store.Tx, id, version int64, r Review, by string, af AuditFunc) (Achievement, error) {
	if err := r.Validate(); err != nil {
		return Achievement{}, err
	}
	cur, err := s.Achievement(ctx, tx, id)
	if err != nil {
		return cur, err
	}
	if cur.Status != Proposed {
		return cur, errs.Field(errs.Conflict, "decision", "reviewed", "this entry is not waiting for review")
	}
	if version != 0 && version != cur.Version {
		return cur, errs.E(errs.Precondition, "the entry was changed since you read it; reload and try again")
	}
	status := Confirmed
	if r.Decision == "reject" {
		status = Rejected
	}
	now := s.now()
	res, err := tx.ExecContext(ctx, `UPDATE achievements SET status = $1, reviewed_by = $2, reviewed_at = $3, reason = $4,
		version = version + 1, updated_at = $3 WHERE id = $5 AND version = $6 AND status = 'proposed'`, status, by, now, r.Reason, id, cur.Version)
	if err != nil {
		return cur, err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		if err == nil {
			err = errs.E(errs.Precondition, "the entry was changed since you read it; reload and try again")
		}
		return cur, err
	}
	if err := record(ctx, tx, now, AchievementEntity, id, cur.OrgID, store.OpUpdate,
		map[string]any{"person_id": cur.PersonID, "status": status, "version": cur.Version + 1}); err != nil {
		return cur, err
	}
	if err := write(ctx, tx, af, entry(audit.RecordUpdate, AchievementEntity, id, cur.OrgID, cur.PersonID,
		[]audit.FieldChange{{Field: "status", Old: Proposed, New: status}})); err != nil {
		return cur, err
	}
	if _, err := s.RecomputeTx(ctx, tx, cur.PersonID, cur.OrgID); err != nil {
		return cur, err
	}
	return s.Achievement(ctx, tx, id)
}

// DeleteAchievementTx removes an entry made by mistake (its document row
// stays, unreferenced) and recomputes the gifted attribute.
func (s *Service) DeleteAchievementTx(ctx context.Context, tx *store.Tx, id int64, af AuditFunc) error {
	cur, err := s.Achievement(ctx, tx, id)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM achievements WHERE id = $1", id); err != nil {
		return err
	}
	now := s.now()
	if err := record(ctx, tx, now, AchievementEntity, id, cur.OrgID, store.OpDelete, map[string]any{"person_id": cur.PersonID}); err != nil {
		return err
	}
	if err := write(ctx, tx, af, entry(audit.RecordDelete, AchievementEntity, id, cur.OrgID, cur.PersonID,
		[]audit.FieldChange{{Field: "status", Old: cur.Status}})); err != nil {
		return err
	}
	_, err = s.RecomputeTx(ctx, tx, cur.PersonID, cur.OrgID)
	return err
}
