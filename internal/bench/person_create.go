package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"shkola/internal/demo"
	"shkola/internal/registry"
	"shkola/internal/store"
)

// personCreate: a school administrator's system creates pupils one by one
// through POST /api/v1/persons (the Ed-Fi comparison: it created 8-39
// students/s; the target here is 1,000/s). Each pupil has a SNILS, so the
// duplicate check, sealing and blind index are in the path. Baseline: one
// INSERT of the same row.
type personCreate struct {
	env *Env
}

func (*personCreate) Name() string { return "person-create" }

func (s *personCreate) Setup(_ context.Context, env *Env) error {
	s.env = env
	return nil
}

func (s *personCreate) Op(ctx context.Context, c *Client, _ int) error {
	body, err := json.Marshal(newPupil(s.env.School, s.env.Unique()))
	if err != nil {
		return err
	}
	_, err = c.Expect(ctx, 201, "POST", "/api/v1/persons", s.env.AdminToken, body)
	return err
}

// sealedPlaceholder is as long as a sealed SNILS at rest (v1.<key>.<base64>),
// so the baseline row is as wide as the real one.
const sealedPlaceholder = "v1.bench.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

func (s *personCreate) Baseline(ctx context.Context, db *store.DB, _ int) error {
	serial := s.env.Unique()
	p := newPupil(s.env.School, serial)
	now := time.Now().UTC().Truncate(time.Microsecond)
	var id int64
	return db.W.QueryRowContext(ctx, `INSERT INTO persons (org_id, last_name, first_name, middle_name, birth_date, sex, citizenship,
		snils_enc, snils_idx, name_key, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'RU', $7, $8, $9, $10, $10) RETURNING id`,
		p.OrgID, p.LastName, p.FirstName, p.MiddleName, p.BirthDate, p.Sex, sealedPlaceholder, "bench-"+strconv.FormatInt(serial, 10),
		registry.NameKey(p.LastName, p.FirstName), now).Scan(&id)
}

// pupil is the body of a new pupil: only the fields a school sends.
type pupil struct {
	OrgID      int64  `json:"org_id"`
	LastName   string `json:"last_name"`
	FirstName  string `json:"first_name"`
	MiddleName string `json:"middle_name"`
	BirthDate  string `json:"birth_date"`
	Sex        string `json:"sex"`
	SNILS      string `json:"snils"`
}

// newPupil makes pupil number serial: a plausible name and birth date and
// a SNILS no other serial has.
func newPupil(org, serial int64) pupil {
	r := rand.New(rand.NewPCG(uint64(serial), 0x62656e6368)) // #nosec G115 G404 -- bench data is deterministic on purpose: the seed's bits are reused as they are, not a secret
	male := serial%2 == 0
	n := demo.NewNames(r).Person(male)
	sex := "f"
	if male {
		sex = "m"
	}
	born := time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(serial%3650))
	return pupil{OrgID: org, LastName: n.Last, FirstName: n.First, MiddleName: n.Middle, BirthDate: born.Format("2006-01-02"),
		Sex: sex, SNILS: snilsFor(serial)}
}

// snilsFor gives serial a valid SNILS of its own. Numbers up to 001-001-998
// predate check digits, so any of the 100 control numbers is valid: that
// is 100 million SNILS, none of which the demo generator draws (it draws
// above that range), enough for every serial the bench uses.
func snilsFor(serial int64) string {
	if serial < 0 || serial >= 100*1001998 {
		panic("bench: no SNILS for serial " + strconv.FormatInt(serial, 10))
	}
	return fmt.Sprintf("%09d%02d", 1+serial/100, serial%100)
}
