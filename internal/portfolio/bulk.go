package portfolio

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Bulk is many portfolio records written at once by a trusted caller that
// has decided access for the whole batch (the demo generator): the same
// validation as one by one, rows in multi-row INSERTs (COPY on PostgreSQL)
// with a change record each, and the gifted attribute recomputed once per
// pupil at the end instead of after every achievement. Documents and audit
// entries are not taken: an achievement with a document goes through
// AddAchievementTx.
type Bulk struct {
	Achievements []BulkAchievement
	Exams        []BulkExam
	Certificates []BulkCertificate // a pupil who has one of the kind is refused
}

// BulkAchievement is an achievement of pupil with its status (Confirmed or
// Proposed) and who entered or proposed it.
type BulkAchievement struct {
	Pupil  Pupil
	New    NewAchievement
	Status string
	By     string
}

// BulkExam is an exam result of pupil.
type BulkExam struct {
	Pupil Pupil
	New   NewExam
	By    string
}

// BulkCertificate is a new certificate of kind of pupil.
type BulkCertificate struct {
	Pupil Pupil
	Kind  string
	New   NewCertificate
}

// WriteBulk validates and writes b inside tx; the first refused row stops
// it, named as achievements[i].field (exams[i], certificates[i]).
func (s *Service) WriteBulk(ctx context.Context, tx *store.Tx, b Bulk) error {
	// Directory answers are asked once per code, not once per row.
	c := *s
	if s.Known != nil {
		known := map[[2]string]bool{}
		c.Known = func(ctx context.Context, dir, code string) (bool, error) {
			k := [2]string{dir, code}
			if ok, seen := known[k]; seen {
				return ok, nil
			}
			ok, err := s.Known(ctx, dir, code)
			if err == nil {
				known[k] = ok
			}
			return ok, err
		}
	}
	for i := range b.Achievements {
		a := &b.Achievements[i]
		if a.Status != Confirmed && a.Status != Proposed {
			return bulkRowError("achievements", i, errs.Field(errs.Invalid, "status", "enum", "confirmed or proposed"))
		}
		if err := c.Validate(ctx, &a.New); err != nil {
			return bulkRowError("achievements", i, err)
		}
	}
	for i := range b.Exams {
		if err := c.ValidateExam(ctx, &b.Exams[i].New); err != nil {
			return bulkRowError("exams", i, err)
		}
	}
	for i := range b.Certificates {
		if err := s.ValidateCertificate(b.Certificates[i].Kind, &b.Certificates[i].New); err != nil {
			return bulkRowError("certificates", i, err)
		}
	}
	if err := s.refuseExisting(ctx, tx, b); err != nil {
		return err
	}
	now := s.now()
	login := identity.From(ctx).Login
	var changes []store.Change
	change := func(entity string, id, orgID int64, op string, data map[string]any) {
		js, _ := json.Marshal(data)
		org := orgID
		changes = append(changes, store.Change{At: now, Entity: entity, EntityID: strconv.FormatInt(id, 10), Op: op, OrgID: &org, Actor: login, Data: js})
	}
	if err := s.insertAchievements(ctx, tx, b.Achievements, now, change); err != nil {
		return err
	}
	if err := s.insertExams(ctx, tx, b.Exams, now, change); err != nil {
		return err
	}
	if err := s.insertCertificates(ctx, tx, b.Certificates, now, change); err != nil {
		return err
	}
	var confirmed []int64
	orgOf := map[int64]int64{}
	for _, a := range b.Achievements {
		if _, ok := orgOf[a.Pupil.ID]; !ok && a.Status == Confirmed {
			confirmed = append(confirmed, a.Pupil.ID)
		}
		orgOf[a.Pupil.ID] = a.Pupil.OrgID
	}
	if err := s.recomputeMany(ctx, tx, confirmed, orgOf, now, change); err != nil {
		return err
	}
	return tx.RecordBatch(ctx, changes)
}

// refuseExisting refuses an exam result or a certificate the pupil
// already has, stored or earlier in the batch.
func (s *Service) refuseExisting(ctx context.Context, tx *store.Tx, b Bulk) error {
	type examKey struct {
		person        int64
		kind, subject string
		year          int
	}
	exams := map[examKey]bool{}
	if ids := pupilIDs(len(b.Exams), func(i int) int64 { return b.Exams[i].Pupil.ID }); len(ids) > 0 {
		var args []any
		rows, err := tx.QueryContext(ctx, "SELECT person_id, kind, subject, year FROM exam_results WHERE "+tx.Engine.InIDs("person_id", &args, ids), args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var k examKey
			if err := rows.Scan(&k.person, &k.kind, &k.subject, &k.year); err != nil {
				_ = rows.Close() // the error returned below is the one to report
				return err
			}
			exams[k] = true
		}
		if err := rows.Close(); err != nil {
			return err
		}
	}
	for i, e := range b.Exams {
		k := examKey{e.Pupil.ID, e.New.Kind, e.New.Subject, e.New.Year}
		if exams[k] {
			return bulkRowError("exams", i, errs.Field(errs.Conflict, "subject", "duplicate", "this exam of this year is already recorded"))
		}
		exams[k] = true
	}
	type certKey struct {
		person int64
		kind   string
	}
	certs := map[certKey]bool{}
	if ids := pupilIDs(len(b.Certificates), func(i int) int64 { return b.Certificates[i].Pupil.ID }); len(ids) > 0 {
		var args []any
		rows, err := tx.QueryContext(ctx, "SELECT person_id, kind FROM certificates WHERE "+tx.Engine.InIDs("person_id", &args, ids), args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var k certKey
			if err := rows.Scan(&k.person, &k.kind); err != nil {
				_ = rows.Close() // the error returned below is the one to report
				return err
			}
			certs[k] = true
		}
		if err := rows.Close(); err != nil {
			return err
		}
	}
	for i, c := range b.Certificates {
		k := certKey{c.Pupil.ID, c.Kind}
		if certs[k] {
			return bulkRowError("certificates", i, errs.Field(errs.Conflict, "kind", "duplicate", "the pupil already has this certificate"))
		}
		certs[k] = true
	}
	return nil
}

// pupilIDs lists the distinct ids id(0..n-1) in order of first appearance.
func pupilIDs(n int, id func(i int) int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for i := range n {
		if p := id(i); !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

type changeFunc func(entity string, id, orgID int64, op string, data map[string]any)

func (s *Service) insertAchievements(ctx context.Context, tx *store.Tx, as []BulkAchievement, now time.Time, change changeFunc) error {
	ids, err := tx.ReserveIDs(ctx, "achievements", len(as))
	if err != nil {
		return err
	}
	err = store.CopyRows(ctx, tx, "achievements", []string{"id", "person_id", "org_id", "kind", "title", "subject", "level", "result", "on_date",
		"organiser", "status", "proposed_by", "reviewed_by", "reviewed_at", "created_at", "created_by", "updated_at"}, len(as), func(i int, v []any) error {
		a := &as[i]
		var reviewer, proposer any = "", ""
		var reviewedAt any
		if a.Status == Confirmed {
			reviewer, reviewedAt = a.By, now
		} else {
			proposer = a.By
		}
		v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8] = ids[i], a.Pupil.ID, a.Pupil.OrgID, a.New.Kind, a.New.Title, a.New.Subject, a.New.Level,
			a.New.Result, a.New.Date
		v[9], v[10], v[11], v[12], v[13], v[14], v[15], v[16] = a.New.Organiser, a.Status, proposer, reviewer, reviewedAt, now, a.By, now
		return nil
	})
	if err != nil {
		return err
	}
	for i, a := range as {
		change(AchievementEntity, ids[i], a.Pupil.OrgID, store.OpCreate,
			map[string]any{"person_id": a.Pupil.ID, "status": a.Status, "kind": a.New.Kind, "level": a.New.Level, "result": a.New.Result})
	}
	return nil
}

func (s *Service) insertExams(ctx context.Context, tx *store.Tx, es []BulkExam, now time.Time, change changeFunc) error {
	ids, err := tx.ReserveIDs(ctx, "exam_results", len(es))
	if err != nil {
		return err
	}
	err = store.CopyRows(ctx, tx, "exam_results", []string{"id", "person_id", "org_id", "kind", "subject", "score", "max_score", "year", "created_at",
		"created_by"}, len(es), func(i int, v []any) error {
		e := &es[i]
		v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9] = ids[i], e.Pupil.ID, e.Pupil.OrgID, e.New.Kind, e.New.Subject, *e.New.Score,
			*e.New.MaxScore, e.New.Year, now, e.By
		return nil
	})
	if err != nil {
		return err
	}
	for i, e := range es {
		change(ExamEntity, ids[i], e.Pupil.OrgID, store.OpCreate,
			map[string]any{"person_id": e.Pupil.ID, "kind": e.New.Kind, "subject": e.New.Subject, "year": e.New.Year})
	}
	return nil
}

func (s *Service) insertCertificates(ctx context.Context, tx *store.Tx, cs []BulkCertificate, now time.Time, change changeFunc) error {
	ids, err := tx.ReserveIDs(ctx, "certificates", len(cs))
	if err != nil {
		return err
	}
	// Ids are reserved first, so the sealed values are bound to their rows.
	err = store.CopyRows(ctx, tx, "certificates", []string{"id", "person_id", "org_id", "kind", "series_enc", "number_enc", "issued_on", "honours",
		"version", "created_at", "updated_at"}, len(cs), func(i int, v []any) error {
		c := &cs[i]
		number, err := s.Keys.EncryptString(c.New.Number, certAAD("number", ids[i]))
		if err != nil {
			return err
		}
		var series any
		if c.New.Series != "" {
			if series, err = s.Keys.EncryptString(c.New.Series, certAAD("series", ids[i])); err != nil {
				return err
			}
		}
		v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10] = ids[i], c.Pupil.ID, c.Pupil.OrgID, c.Kind, series, number, c.New.IssuedOn,
			c.New.Honours, 1, now, now
		return nil
	})
	if err != nil {
		return err
	}
	for i, c := range cs {
		change(CertificateEntity, ids[i], c.Pupil.OrgID, store.OpCreate, map[string]any{"person_id": c.Pupil.ID, "kind": c.Kind})
	}
	return nil
}

// recomputeMany is RecomputeTx for many pupils: one read of their
// confirmed achievements and of their stored attributes, new attributes in
// bulk, a changed one updated, and a change record where RecomputeTx would
// write one.
func (s *Service) recomputeMany(ctx context.Context, tx *store.Tx, persons []int64, orgOf map[int64]int64, now time.Time, change changeFunc) error {
	if len(persons) == 0 {
		return nil
	}
	if s.Rule == nil {
		return fmt.Errorf("portfolio: no gifted rule configured")
	}
	matched := map[int64][]int64{}
	var args []any
	rows, err := tx.QueryContext(ctx, `SELECT person_id, id, kind, subject, level, result, on_date FROM achievements
		WHERE status = 'confirmed' AND `+tx.Engine.InIDs("person_id", &args, persons)+` ORDER BY person_id, on_date DESC, id DESC`, args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var person, id int64
		var f Facts
		var on string
		if err := rows.Scan(&person, &id, &f.Kind, &f.Subject, &f.Level, &f.Result, &on); err != nil {
			_ = rows.Close() // the error returned below is the one to report
			return err
		}
		f.On, _ = time.Parse(dateLayout, on)
		if s.Rule.Matches(f, now) {
			matched[person] = append(matched[person], id)
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	type stored struct {
		gifted bool
		ids    string
	}
	was := map[int64]stored{}
	args = nil
	rows, err = tx.QueryContext(ctx, "SELECT person_id, gifted, achievement_ids FROM gifted WHERE "+tx.Engine.InIDs("person_id", &args, persons)+
		tx.Engine.ForUpdate(), args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var p int64
		var g sql.NullBool
		var ids sql.NullString
		if err := rows.Scan(&p, &g, &ids); err != nil {
			_ = rows.Close() // the error returned below is the one to report
			return err
		}
		was[p] = stored{g.Bool, ids.String}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	rule, day := s.Rule.Text(), now.Format(dateLayout)
	var fresh []int64
	for _, p := range persons {
		ids := matched[p]
		if ids == nil {
			ids = []int64{}
		}
		gifted, joined := len(ids) > 0, joinIDs(ids)
		w, ok := was[p]
		if !ok {
			fresh = append(fresh, p)
		} else if _, err := tx.ExecContext(ctx, "UPDATE gifted SET gifted = $1, achievement_ids = $2, rule = $3, computed_on = $4 WHERE person_id = $5",
			gifted, joined, rule, day, p); err != nil {
			return err
		}
		if !ok || w.gifted != gifted || w.ids != joined {
			change(GiftedEntity, p, orgOf[p], store.OpUpdate, map[string]any{"person_id": p, "gifted": gifted, "achievement_ids": ids})
		}
	}
	return store.CopyRows(ctx, tx, "gifted", []string{"person_id", "gifted", "achievement_ids", "rule", "computed_on"}, len(fresh),
		func(i int, v []any) error {
			ids := matched[fresh[i]]
			v[0], v[1], v[2], v[3], v[4] = fresh[i], len(ids) > 0, joinIDs(ids), rule, day
			return nil
		})
}

// bulkRowError names the row of a bulk write in the fields of err.
func bulkRowError(list string, i int, err error) error {
	var e *errs.Error
	if !errors.As(err, &e) {
		return fmt.Errorf("%s[%d]: %w", list, i, err)
	}
	out := &errs.Error{Code: e.Code, Message: fmt.Sprintf("%s[%d]: %s", list, i, e.Message), Err: e.Err}
	for _, f := range e.Fields {
		f.Field = fmt.Sprintf("%s[%d].%s", list, i, f.Field)
		out.Fields = append(out.Fields, f)
	}
	return out
}
