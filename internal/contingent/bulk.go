package contingent

import (
	"context"
	"errors"
	"fmt"

	"shkola/internal/audit"
	"shkola/internal/classes"
	"shkola/internal/errs"
	"shkola/internal/store"
)

// Admission is one row of a bulk admission.
type Admission struct {
	PersonID    int64
	OrgID       int64
	ClassID     int64
	Date        string
	FormOfStudy string // empty: full_time
	BasisNumber string
	BasisDate   string
}

// Departure is one row of a bulk departure. ToOrgID names an organisation
// of the region, Place a destination outside it; with neither the
// destination is unknown.
type Departure struct {
	PersonID    int64
	Date        string
	ToOrgID     int64
	Place       string
	BasisNumber string
	BasisDate   string
	Reason      string
}

// AdmitBulk admits pupils inside the caller's transaction with the rules
// of every admission but no access checks and no audit entry per row: it is
// for trusted callers (the demo, an import checked once against the
// importer's scope and audited as one import). The first refused row stops
// it, named as rows[i].field.
func (s *Service) AdmitBulk(ctx context.Context, tx *store.Tx, rows []Admission) error {
	for i, a := range rows {
		r := Request{Kind: KindAdmission, Date: a.Date, OrgID: a.OrgID, ClassID: a.ClassID, FormOfStudy: a.FormOfStudy,
			BasisNumber: a.BasisNumber, BasisDate: a.BasisDate}
		if err := s.bulkOne(ctx, tx, a.PersonID, r); err != nil {
			return rowError(i, err)
		}
	}
	return nil
}

// DepartBulk records departures as AdmitBulk records admissions (for demo
// histories with pupils who moved, left the region or were lost).
func (s *Service) DepartBulk(ctx context.Context, tx *store.Tx, rows []Departure) error {
	for i, d := range rows {
		r := Request{Kind: KindDeparture, Date: d.Date, ToOrgID: d.ToOrgID, Place: d.Place, BasisNumber: d.BasisNumber,
			BasisDate: d.BasisDate, Reason: d.Reason, Destination: ToUnknown}
		if d.ToOrgID != 0 || d.Place != "" {
			r.Destination = ""
		}
		if err := s.bulkOne(ctx, tx, d.PersonID, r); err != nil {
			return rowError(i, err)
		}
	}
	return nil
}

func (s *Service) bulkOne(ctx context.Context, tx *store.Tx, personID int64, r Request) error {
	var v errs.Validation
	r.validate(&v, s.latestDate())
	if err := v.Err(); err != nil {
		return err
	}
	p, err := loadPupil(ctx, tx, personID)
	if err != nil {
		return err
	}
	_, err = s.apply(ctx, tx, p, r, authorOf(ctx))
	return err
}

// rowError names the row of a bulk call in the fields of err.
func rowError(i int, err error) error {
	var e *errs.Error
	if !errors.As(err, &e) {
		return fmt.Errorf("row %d: %w", i, err)
	}
	out := &errs.Error{Code: e.Code, Message: fmt.Sprintf("row %d: %s", i, e.Message), Err: e.Err}
	for _, f := range e.Fields {
		f.Field = fmt.Sprintf("rows[%d].%s", i, f.Field)
		out.Fields = append(out.Fields, f)
	}
	if len(out.Fields) == 0 {
		out.Fields = []errs.FieldError{{Field: fmt.Sprintf("rows[%d]", i), Rule: string(e.Code), Message: e.Message}}
	}
	return out
}

// GraduateClass records a graduation on date on for every current member of
// a class, inside the caller's transaction (the classes rollover calls it
// for the last parallel): each pupil's enrolment ends and every membership
// in the organisation's groups with it. It checks no access (the rollover
// has decided) and, with an audit log, audits each graduation.
func (s *Service) GraduateClass(ctx context.Context, tx *store.Tx, classID int64, on string) error {
	var v errs.Validation
	checkDate(&v, "date", on, true, "9999-12-31")
	if err := v.Err(); err != nil {
		return err
	}
	g, err := classes.Load(ctx, tx, classID)
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, "SELECT person_id FROM group_members WHERE group_id = $1 AND ends_on IS NULL ORDER BY person_id", classID)
	if err != nil {
		return err
	}
	var members []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			_ = rows.Close() // the error returned below is the one to report
			return err
		}
		members = append(members, id)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	au := authorOf(ctx)
	now := s.now()
	for _, personID := range members {
		p, err := loadPupil(ctx, tx, personID)
		if err != nil {
			return err
		}
		if err := p.checkDates(on); err != nil {
			return fmt.Errorf("graduate person %d: %w", personID, err)
		}
		m := row{kind: KindGraduation, orgID: g.OrgID, classID: g.ID, date: on}
		if p.enr != nil && p.enr.OrgID == g.OrgID {
			m.enrolmentID = p.enr.ID
			if err := s.endEnrolment(ctx, tx, p, on); err != nil {
				return err
			}
		} else if err := classes.LeaveAll(ctx, tx, g.OrgID, personID, on); err != nil {
			return err
		}
		id, err := s.insert(ctx, tx, personID, m, au, now)
		if err != nil {
			return err
		}
		if s.Audit != nil {
			mv, err := movement(ctx, tx, id)
			if err != nil {
				return err
			}
			if err := s.auditMovement(ctx, tx, audit.MovementRecord, mv); err != nil {
				return err
			}
		}
	}
	return nil
}
