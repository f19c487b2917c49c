package portfolio

import (
	"context"
	"errors"
	"io"
	"strconv"

	"shkola/internal/access"
	"shkola/internal/audit"
	"shkola/internal/errs"
	"shkola/internal/filestore"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Guard is the portfolio as the outside world gets it: every call is
// decided by the access policy for the actor in the context, before any
// write transaction opens, and every change is audited in the transaction
// that makes it.
type Guard struct {
	S      *Service
	Policy *access.Policy
	Audit  *audit.Log
}

// Append writes an audit entry, failing closed without an audit log.
func (g *Guard) Append(ctx context.Context, tx *store.Tx, e audit.Entry) error {
	if g.Audit == nil {
		return errs.Wrap(errs.Internal, errors.New("portfolio change without an audit log"), "internal error")
	}
	return g.Audit.Append(ctx, tx, e)
}

func target(p Pupil) access.Target {
	return access.Target{OrgIDs: []int64{p.OrgID}, PersonID: p.ID}
}

func hidden(ctx context.Context, err error) error {
	if errs.CodeOf(err) == errs.NotFound && !identity.From(ctx).Authenticated() {
		return errs.E(errs.Unauthorized, "log in first")
	}
	return err
}

// by names the actor in the rows it writes (a login, or an API client).
func by(ctx context.Context) string {
	a := identity.From(ctx)
	if a.Login != "" {
		return a.Login
	}
	return a.ClientID
}

// pupil loads the pupil of a portfolio and checks action on resource.
func (g *Guard) pupil(ctx context.Context, personID int64, resource, action string) (Pupil, error) {
	p, err := LoadPupil(ctx, g.S.DB.Read(), personID)
	if err != nil {
		return p, hidden(ctx, err)
	}
	// A pupil's record never changes organisation through this domain, so
	// the stored and the submitted target are the same.
	err = g.Policy.Check(ctx, identity.From(ctx), resource, action, target(p))
	if errs.CodeOf(err) == errs.NotFound && resource != Resource && g.allowed(ctx, Resource, "read", p) {
		// The caller sees this portfolio (the denial is already audited):
		// say "not allowed", not "not found".
		return p, errs.E(errs.Forbidden, "you may not %s this %s", action, resource)
	}
	return p, err
}

func (g *Guard) allowed(ctx context.Context, resource, action string, p Pupil) bool {
	ok, err := g.Policy.Allowed(ctx, identity.From(ctx), resource, action, target(p))
	return err == nil && ok
}

// May says what the caller may do with a portfolio, so a page or an app
// offers only the forms that would be accepted (every action checks again).
type May struct {
	Create            bool `json:"create"`  // enter a confirmed achievement
	Propose           bool `json:"propose"` // propose one for review
	Review            bool `json:"review"`
	Delete            bool `json:"delete"`
	AddExam           bool `json:"add_exam"`
	DeleteExam        bool `json:"delete_exam"`
	ReadCertificate   bool `json:"read_certificate"`
	UpdateCertificate bool `json:"update_certificate"`
}

// May answers for pupil p.
func (g *Guard) May(ctx context.Context, p Pupil) May {
	m := May{
		Create:            g.allowed(ctx, AchievementResource, "create", p),
		Propose:           g.allowed(ctx, AchievementResource, "propose", p),
		Review:            g.allowed(ctx, AchievementResource, "review", p),
		Delete:            g.allowed(ctx, AchievementResource, "delete", p),
		AddExam:           g.allowed(ctx, ExamResource, "create", p),
		DeleteExam:        g.allowed(ctx, ExamResource, "delete", p),
		ReadCertificate:   g.allowed(ctx, CertificateResource, "read", p),
		UpdateCertificate: g.allowed(ctx, CertificateResource, "update", p),
	}
	if m.Propose && g.tooYoung(ctx, p) {
		m.Propose = false
	}
	return m
}

// tooYoung: the pupil acting on own portfolio is under ProposeAge (a
// guardian proposes for a child of any age; staff confirm either way).
func (g *Guard) tooYoung(ctx context.Context, p Pupil) bool {
	a := identity.From(ctx)
	if a.PersonID != p.ID {
		return false
	}
	for _, gr := range a.Grants {
		// Someone who is also a guardian or staff member of this pupil is
		// not proposing as the pupil; the matrix decided already.
		if gr.Role != identity.Student {
			return false
		}
	}
	return p.Age(g.S.now()) < ProposeAge
}

// Portfolio is everything of one pupil in one answer, as a mobile app
// shows it.
type Portfolio struct {
	Person       Pupil         `json:"person"`
	Gifted       Gifted        `json:"gifted"`
	Achievements []Achievement `json:"achievements"`
	Exams        []ExamResult  `json:"exams"`
	// Certificates are absent for those who may not read them.
	Certificates []Certificate `json:"certificates,omitempty"`
	May          May           `json:"may"`
}

// Get returns the portfolio of a pupil the caller may read. Certificate
// numbers are shown only to those who may read certificates, and showing
// them is audited first (nothing is shown if the audit fails).
func (g *Guard) Get(ctx context.Context, personID int64) (Portfolio, error) {
	p, err := g.pupil(ctx, personID, Resource, "read")
	if err != nil {
		return Portfolio{}, err
	}
	out := Portfolio{Person: p, May: g.May(ctx, p)}
	q := g.S.DB.Read()
	if out.Gifted, err = g.S.gifted(ctx, q, p.ID); err != nil {
		return out, err
	}
	if out.Achievements, err = g.S.Achievements(ctx, q, p.ID); err != nil {
		return out, err
	}
	counts := map[int64]bool{}
	for _, id := range out.Gifted.AchievementIDs {
		counts[id] = true
	}
	for i := range out.Achievements {
		out.Achievements[i].Counts = counts[out.Achievements[i].ID]
	}
	if out.Exams, err = g.S.Exams(ctx, q, p.ID); err != nil {
		return out, err
	}
	if out.May.ReadCertificate {
		has, err := g.S.HasCertificates(ctx, q, p.ID)
		if err != nil {
			return out, err
		}
		if has {
			org := p.OrgID
			if err := g.Audit.Write(ctx, audit.Entry{Action: audit.ReadIdentity, Outcome: audit.Success, ObjectType: CertificateEntity,
				ObjectID: strconv.FormatInt(p.ID, 10), OrgID: &org, PersonID: p.ID}); err != nil {
				return out, err
			}
			if out.Certificates, err = g.S.Certificates(ctx, q, p.ID); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

// Add enters an achievement as staff: it is confirmed at once.
func (g *Guard) Add(ctx context.Context, personID int64, n NewAchievement, doc *Upload) (Achievement, error) {
	p, err := g.pupil(ctx, personID, AchievementResource, "create")
	if err != nil {
		return Achievement{}, err
	}
	return g.add(ctx, p, n, doc, Confirmed)
}

// Propose submits an achievement for review: the pupil from 14 (own), or
// a guardian (own child). A confirming document is required.
func (g *Guard) Propose(ctx context.Context, personID int64, n NewAchievement, doc *Upload) (Achievement, error) {
	p, err := g.pupil(ctx, personID, AchievementResource, "propose")
	if err != nil {
		return Achievement{}, err
	}
	if g.tooYoung(ctx, p) {
		return Achievement{}, errs.Field(errs.Forbidden, "person_id", "age",
			"a pupil under 14 cannot propose entries; a guardian or the class teacher can")
	}
	if doc == nil {
		if err := g.S.Validate(ctx, &n); err != nil {
			var e *errs.Error
			if errors.As(err, &e) {
				e.Fields = append(e.Fields, errs.FieldError{Field: DocumentField, Rule: "required", Message: "attach the confirming document"})
			}
			return Achievement{}, err
		}
		return Achievement{}, errs.Field(errs.Invalid, DocumentField, "required", "attach the confirming document")
	}
	return g.add(ctx, p, n, doc, Proposed)
}

func (g *Guard) add(ctx context.Context, p Pupil, n NewAchievement, doc *Upload, status string) (Achievement, error) {
	if err := g.S.Validate(ctx, &n); err != nil {
		return Achievement{}, err
	}
	var out Achievement
	err := g.S.DB.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		out, err = g.S.AddAchievementTx(ctx, tx, p, n, status, by(ctx), doc, g.Append)
		return err
	})
	return out, err
}

// changeable loads an achievement and its pupil and checks action.
func (g *Guard) changeable(ctx context.Context, id int64, action string) (Achievement, error) {
	a, err := g.S.Achievement(ctx, g.S.DB.Read(), id)
	if err != nil {
		return a, hidden(ctx, err)
	}
	if _, err := g.pupil(ctx, a.PersonID, AchievementResource, action); err != nil {
		return a, err
	}
	return a, nil
}

// Review confirms or rejects a proposal (at the version read, 0: any).
func (g *Guard) Review(ctx context.Context, id, version int64, r Review) (Achievement, error) {
	if _, err := g.changeable(ctx, id, "review"); err != nil {
		return Achievement{}, err
	}
	if err := r.Validate(); err != nil {
		return Achievement{}, err
	}
	var out Achievement
	err := g.S.DB.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		out, err = g.S.ReviewTx(ctx, tx, id, version, r, by(ctx), g.Append)
		return err
	})
	return out, err
}

// Delete removes an achievement entered by mistake.
func (g *Guard) Delete(ctx context.Context, id int64) error {
	if _, err := g.changeable(ctx, id, "delete"); err != nil {
		return err
	}
	return g.S.DB.WithTx(ctx, func(tx *store.Tx) error { return g.S.DeleteAchievementTx(ctx, tx, id, g.Append) })
}

// Document opens the confirming document of an achievement the caller may
// read (access is decided on the owning record, never on the file id).
func (g *Guard) Document(ctx context.Context, id int64) (filestore.File, io.ReadCloser, error) {
	a, err := g.S.Achievement(ctx, g.S.DB.Read(), id)
	if err != nil {
		return filestore.File{}, nil, hidden(ctx, err)
	}
	if _, err := g.pupil(ctx, a.PersonID, Resource, "read"); err != nil {
		return filestore.File{}, nil, err
	}
	if a.Document == nil || g.S.Files == nil {
		return filestore.File{}, nil, errs.E(errs.NotFound, "this entry has no document")
	}
	return g.S.Files.Open(ctx, a.Document.ID)
}

// AddExam records an exam result.
func (g *Guard) AddExam(ctx context.Context, personID int64, n NewExam) (ExamResult, error) {
	p, err := g.pupil(ctx, personID, ExamResource, "create")
	if err != nil {
		return ExamResult{}, err
	}
	if err := g.S.ValidateExam(ctx, &n); err != nil {
		return ExamResult{}, err
	}
	var out ExamResult
	err = g.S.DB.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		out, err = g.S.AddExamTx(ctx, tx, p, n, by(ctx), g.Append)
		return err
	})
	return out, err
}

// DeleteExam removes an exam result entered by mistake.
func (g *Guard) DeleteExam(ctx context.Context, id int64) error {
	e, err := g.S.Exam(ctx, g.S.DB.Read(), id)
	if err != nil {
		return hidden(ctx, err)
	}
	if _, err := g.pupil(ctx, e.PersonID, ExamResource, "delete"); err != nil {
		return err
	}
	return g.S.DB.WithTx(ctx, func(tx *store.Tx) error { return g.S.DeleteExamTx(ctx, tx, id, g.Append) })
}

// SetCertificate writes or replaces a pupil's certificate of kind.
func (g *Guard) SetCertificate(ctx context.Context, personID int64, kind string, n NewCertificate) (Certificate, error) {
	p, err := g.pupil(ctx, personID, CertificateResource, "update")
	if err != nil {
		return Certificate{}, err
	}
	if err := g.S.ValidateCertificate(kind, &n); err != nil {
		return Certificate{}, err
	}
	var out Certificate
	err = g.S.DB.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		out, err = g.S.SetCertificateTx(ctx, tx, p, kind, n, g.Append)
		return err
	})
	return out, err
}
