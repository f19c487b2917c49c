package contingent

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"shkola/internal/classes"
	"shkola/internal/errs"
	"shkola/internal/store"
)

// row is a movement as written.
type row struct {
	kind        Kind
	orgID       int64
	classID     int64 // 0: none
	fromClassID int64
	otherOrgID  int64
	otherPlace  string
	enrolmentID int64
	date        string
	basisNumber string
	basisDate   string
	reason      string
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// apply records r (validated) for pupil p inside tx: the movement, the
// enrolment, class membership, the transfer and the person's organisation,
// each with its change record. Audit is the caller's (it knows whether the
// movement is one of a batch). It returns the new movement's id.
func (s *Service) apply(ctx context.Context, tx *store.Tx, p *pupil, r Request, au author) (int64, error) {
	if err := p.checkDates(r.Date); err != nil {
		return 0, err
	}
	if r.Kind == KindAdmission {
		return s.admit(ctx, tx, p, r, au)
	}
	if p.enr == nil {
		return 0, errs.Field(errs.Conflict, "kind", "not_enrolled", "the pupil has no current enrolment; admit the pupil first")
	}
	e := p.enr
	m := row{kind: r.Kind, orgID: e.OrgID, classID: e.ClassID, enrolmentID: e.ID, date: r.Date,
		basisNumber: r.BasisNumber, basisDate: r.BasisDate, reason: r.Reason}
	now := s.now()
	switch r.Kind {
	case KindClassTransfer:
		if r.ClassID == e.ClassID {
			return 0, errs.Field(errs.Invalid, "class_id", "same", "the pupil is already in this class")
		}
		g, err := joinableClass(ctx, tx, r.ClassID, e.OrgID)
		if err != nil {
			return 0, err
		}
		if e.ClassID != 0 {
			if err := leaveClass(ctx, tx, e.ClassID, p.ID, r.Date); err != nil {
				return 0, err
			}
		}
		if err := classes.Join(ctx, tx, g.ID, p.ID, r.Date, now); err != nil {
			return 0, err
		}
		if err := s.setEnrolment(ctx, tx, e, "class_id = $1, level = $2", g.ID, g.Level); err != nil {
			return 0, err
		}
		m.classID, m.fromClassID = g.ID, e.ClassID
	case KindLeave:
		if e.Status != Active {
			return 0, errs.Field(errs.Conflict, "kind", "state", "the pupil is already on leave")
		}
		if err := s.setEnrolment(ctx, tx, e, "status = $1", OnLeave); err != nil {
			return 0, err
		}
	case KindReturn:
		if e.Status != OnLeave {
			return 0, errs.Field(errs.Conflict, "kind", "state", "the pupil is not on leave")
		}
		if err := s.setEnrolment(ctx, tx, e, "status = $1", Active); err != nil {
			return 0, err
		}
	case KindDeparture, KindExpulsion, KindGraduation:
		if r.Kind == KindDeparture && r.Destination == ToOrg {
			to, err := receivingOrg(ctx, tx, "to_org_id", r.ToOrgID)
			if err != nil {
				return 0, err
			}
			if to.ID == e.OrgID {
				return 0, errs.Field(errs.Invalid, "to_org_id", "same", "the pupil is leaving this organisation; a move within it is a class transfer")
			}
			ok, err := sameRegion(ctx, tx, e.OrgID, to.ID)
			if err != nil {
				return 0, err
			}
			if !ok {
				return 0, errs.Field(errs.Invalid, "to_org_id", "region", "the organisation is not of this region; record a departure outside the region with the place")
			}
			m.otherOrgID = to.ID
		}
		m.otherPlace = r.Place
		if err := s.endEnrolment(ctx, tx, p, r.Date); err != nil {
			return 0, err
		}
	default:
		return 0, errs.Field(errs.Invalid, "kind", "enum", "unknown kind")
	}
	id, err := s.insert(ctx, tx, p.ID, m, au, now)
	if err != nil {
		return 0, err
	}
	if r.Kind == KindDeparture && r.Destination != ToOutside {
		if err := s.openTransfer(ctx, tx, p, id, m, au, now); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// admit enrols a pupil who has no current enrolment. An open transfer of
// the pupil is resolved by it: the pupil has arrived here. A transfer that
// another school has yet to confirm or decline stops it.
func (s *Service) admit(ctx context.Context, tx *store.Tx, p *pupil, r Request, au author) (int64, error) {
	if p.enr != nil {
		return 0, ruleError(errs.Conflict, "kind", "enrolled", "the pupil is enrolled at "+p.enr.OrgName+" since "+p.enr.StartsOn+
			"; that school records a departure first", map[string]string{"School": p.enr.OrgName, "Since": p.enr.StartsOn})
	}
	if t := p.open; t != nil && t.Status == Pending && t.ToOrg != 0 && t.ToOrg != r.OrgID {
		return 0, ruleError(errs.Conflict, "org_id", "transfer_pending", "the pupil is expected at "+t.ToName+" (departed "+t.DepartedOn+
			"); that school accepts or declines the transfer first", map[string]string{"School": t.ToName, "Since": t.DepartedOn})
	}
	o, err := receivingOrg(ctx, tx, "org_id", r.OrgID)
	if err != nil {
		return 0, err
	}
	return s.enrol(ctx, tx, p, o.ID, r.ClassID, r.FormOfStudy, KindAdmission, r, au)
}

// enrol writes an admission or an arrival: the enrolment, the class, the
// movement, the resolution of an open transfer and the person's move.
func (s *Service) enrol(ctx context.Context, tx *store.Tx, p *pupil, orgID, classID int64, form string, kind Kind, r Request, au author) (int64, error) {
	g, err := joinableClass(ctx, tx, classID, orgID)
	if err != nil {
		return 0, err
	}
	now := s.now()
	var enrID int64
	err = tx.QueryRowContext(ctx, `INSERT INTO enrolments (person_id, org_id, class_id, kind, form_of_study, level, status, starts_on)
		VALUES ($1, $2, $3, 'primary', $4, $5, 'active', $6) RETURNING id`, p.ID, orgID, g.ID, form, g.Level, r.Date).Scan(&enrID)
	if store.IsUniqueViolation(err) {
		return 0, errs.Field(errs.Conflict, "kind", "enrolled", "the pupil is already enrolled")
	}
	if err != nil {
		return 0, err
	}
	if err := record(ctx, tx, "enrolment", enrID, store.OpCreate, orgID, au, now, map[string]any{"person_id": p.ID, "org_id": orgID, "class_id": g.ID, "status": Active}); err != nil {
		return 0, err
	}
	if err := classes.Join(ctx, tx, g.ID, p.ID, r.Date, now); err != nil {
		return 0, err
	}
	m := row{kind: kind, orgID: orgID, classID: g.ID, enrolmentID: enrID, date: r.Date, basisNumber: r.BasisNumber, basisDate: r.BasisDate, reason: r.Reason}
	if p.open != nil {
		m.otherOrgID = p.open.FromOrg
	}
	id, err := s.insert(ctx, tx, p.ID, m, au, now)
	if err != nil {
		return 0, err
	}
	if t := p.open; t != nil {
		res, err := tx.ExecContext(ctx, `UPDATE transfers SET status = 'arrived', to_org_id = $1, arrival_id = $2, resolved_at = $3, resolved_by = $4
			WHERE id = $5 AND status IN ('pending', 'declined')`, orgID, id, now, au.login, t.ID)
		if err != nil {
			return 0, err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return 0, errs.E(errs.Conflict, "the transfer was resolved meanwhile; read it again")
		}
		if err := record(ctx, tx, "transfer", t.ID, store.OpUpdate, t.FromOrg, au, now, map[string]any{"status": Arrived, "to_org_id": orgID, "arrival_id": id}); err != nil {
			return 0, err
		}
	}
	if p.OrgID != orgID {
		// The record belongs to the school the pupil now attends.
		if _, err := tx.ExecContext(ctx, "UPDATE persons SET org_id = $1, version = version + 1, updated_at = $2 WHERE id = $3", orgID, now, p.ID); err != nil {
			return 0, err
		}
		if err := record(ctx, tx, "person", p.ID, store.OpUpdate, orgID, au, now, map[string]any{"org_id": orgID, "from_org_id": p.OrgID}); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// setEnrolment changes the current enrolment (set holds $1, $2…).
func (s *Service) setEnrolment(ctx context.Context, tx *store.Tx, e *current, set string, args ...any) error {
	args = append(args, e.ID)
	if _, err := tx.ExecContext(ctx, "UPDATE enrolments SET "+set+", version = version + 1 WHERE id = $"+strconv.Itoa(len(args)), args...); err != nil {
		return err
	}
	return record(ctx, tx, "enrolment", e.ID, store.OpUpdate, e.OrgID, authorOf(ctx), s.now(), nil)
}

// endEnrolment ends the current enrolment and every group membership the
// pupil has in that organisation (class, sub-groups, clubs).
func (s *Service) endEnrolment(ctx context.Context, tx *store.Tx, p *pupil, on string) error {
	e := p.enr
	if _, err := tx.ExecContext(ctx, "UPDATE enrolments SET status = 'ended', ends_on = $1, version = version + 1 WHERE id = $2", on, e.ID); err != nil {
		return err
	}
	if err := classes.LeaveAll(ctx, tx, e.OrgID, p.ID, on); err != nil {
		return err
	}
	return record(ctx, tx, "enrolment", e.ID, store.OpUpdate, e.OrgID, authorOf(ctx), s.now(), map[string]any{"status": Ended})
}

// leaveClass takes the pupil out of a class and its sub-groups.
func leaveClass(ctx context.Context, tx *store.Tx, classID, personID int64, on string) error {
	rows, err := tx.QueryContext(ctx, "SELECT id FROM groups WHERE id = $1 OR parent_id = $1", classID)
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			_ = rows.Close() // the error returned below is the one to report
			return err
		}
		ids = append(ids, id)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range ids {
		if err := classes.Leave(ctx, tx, id, personID, on); err != nil {
			return err
		}
	}
	return nil
}

// openTransfer makes the pending transfer of a departure within the
// region (to an organisation, or to nobody knows where).
func (s *Service) openTransfer(ctx context.Context, tx *store.Tx, p *pupil, departureID int64, m row, au author, now time.Time) error {
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO transfers (person_id, from_org_id, to_org_id, departure_id, status, departed_on)
		VALUES ($1, $2, $3, $4, 'pending', $5) RETURNING id`, p.ID, m.orgID, nullID(m.otherOrgID), departureID, m.date).Scan(&id); err != nil {
		return err
	}
	return record(ctx, tx, "transfer", id, store.OpCreate, m.orgID, au, now, map[string]any{"person_id": p.ID, "status": Pending, "to_org_id": nullID(m.otherOrgID)})
}

// insert writes the movement row and its change record.
func (s *Service) insert(ctx context.Context, tx *store.Tx, personID int64, m row, au author, now time.Time) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO movements (person_id, kind, org_id, class_id, from_class_id, other_org_id, other_place,
		enrolment_id, on_date, basis_number, basis_date, reason, author_account, author_login, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
		personID, string(m.kind), m.orgID, nullID(m.classID), nullID(m.fromClassID), nullID(m.otherOrgID), m.otherPlace,
		nullID(m.enrolmentID), m.date, m.basisNumber, nullText(m.basisDate), m.reason, au.account, au.login, now).Scan(&id)
	if err != nil {
		return 0, err
	}
	return id, record(ctx, tx, "movement", id, store.OpCreate, m.orgID, au, now, map[string]any{"person_id": personID, "kind": string(m.kind)})
}

// record appends a change: identifiers only, never personal data.
func record(ctx context.Context, tx *store.Tx, entity string, id int64, op string, orgID int64, au author, now time.Time, data map[string]any) error {
	c := store.Change{At: now, Entity: entity, EntityID: strconv.FormatInt(id, 10), Op: op, OrgID: &orgID, Actor: au.login}
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			return err
		}
		c.Data = b
	}
	err := tx.Record(ctx, c)
	return err
}
