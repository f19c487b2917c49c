package contingent

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"shkola/internal/access"
	"shkola/internal/audit"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Resources in the access matrix.
const (
	Resource            = "movement"    // create (record), read (a pupil's trajectory), list (an organisation's register)
	TransferResource    = "transfer"    // read (an organisation's transfers), accept (accept or decline one)
	WhereaboutsResource = "whereabouts" // list (pupils lost between schools)
)

// Guard is the contingent as the HTTP edge gets it: every call is decided
// by the access policy for the actor in the context, and every movement is
// audited in the transaction that records it.
type Guard struct {
	S      *Service
	Policy *access.Policy
}

func orgTarget(id int64) access.Target { return access.Target{OrgIDs: []int64{id}} }

// Record records a movement of a pupil.
//
// Who may: an actor allowed to create movements for the pupil's
// organisation (and, for an enrolment elsewhere, that one too). An
// admission is decided on the admitting organisation; it may also take a
// pupil whose record lies outside the actor's scope when the pupil is
// enrolled nowhere but was enrolled before (departed, lost, expelled,
// graduated): a school admitting a child who left another school is the
// very event the registry waits for, and the record then moves to it.
// Records of people who were never pupils stay out of reach.
func (g *Guard) Record(ctx context.Context, personID int64, r Request) (Movement, error) {
	a := identity.From(ctx)
	var v errs.Validation
	r.validate(&v, g.S.latestDate())
	if err := v.Err(); err != nil {
		return Movement{}, err
	}
	if r.Kind == KindAdmission {
		if err := g.Policy.Check(ctx, a, Resource, "create", access.Target{OrgIDs: []int64{r.OrgID}, PersonID: personID}); err != nil {
			return Movement{}, err
		}
	}
	var out Movement
	err := g.S.DB.WithTx(ctx, func(tx *store.Tx) error {
		p, err := loadPupil(ctx, tx, personID)
		if err != nil {
			return err
		}
		if err := g.mayMove(ctx, a, p, r.Kind); err != nil {
			return err
		}
		id, err := g.S.apply(ctx, tx, p, r, authorOf(ctx))
		if err != nil {
			return err
		}
		if out, err = movement(ctx, tx, id); err != nil {
			return err
		}
		return g.S.auditMovement(ctx, tx, audit.MovementRecord, out)
	})
	return out, g.settle(ctx, err)
}

// mayMove decides whether the actor may record a movement of p.
func (g *Guard) mayMove(ctx context.Context, a *identity.Actor, p *pupil, kind Kind) error {
	t := pupilTarget(p)
	if kind != KindAdmission {
		return g.allow(ctx, a, Resource, "create", t)
	}
	ok, err := g.Policy.Allowed(ctx, a, Resource, "create", t)
	if err != nil || ok {
		return err
	}
	// Enrolled elsewhere: the admission is refused naming the school, so
	// the admitting school knows whom to ask for a departure.
	if p.enr != nil || (p.former && !p.Merged) {
		return nil
	}
	return &denied{Resource, "create", t}
}

// denied is a refusal decided inside a write transaction. The policy
// records denials in a transaction of their own, which on SQLite (one
// writer) would wait for this one forever; so inside a transaction the
// Guard only asks, and settle records the denial once it has rolled back.
type denied struct {
	resource, action string
	t                access.Target
}

func (d *denied) Error() string { return "denied: " + d.resource + " " + d.action }

// allow is Policy.Check for use inside a write transaction.
func (g *Guard) allow(ctx context.Context, a *identity.Actor, resource, action string, t access.Target) error {
	ok, err := g.Policy.Allowed(ctx, a, resource, action, t)
	if err != nil {
		return err
	}
	if !ok {
		return &denied{resource, action, t}
	}
	return nil
}

// settle turns a denial from inside a transaction into the policy's answer
// (not found, forbidden or unauthorized), recording it.
func (g *Guard) settle(ctx context.Context, err error) error {
	var d *denied
	if !errors.As(err, &d) {
		return err
	}
	if cerr := g.Policy.Check(ctx, identity.From(ctx), d.resource, d.action, d.t); cerr != nil {
		return cerr
	}
	return errs.E(errs.Conflict, "the record changed meanwhile; try again")
}

// pupilTarget is the pupil as the policy sees it: its record's organisation
// and, while enrolled elsewhere, that organisation too.
func pupilTarget(p *pupil) access.Target {
	t := access.Target{OrgIDs: []int64{p.OrgID}, PersonID: p.ID}
	if p.enr != nil && p.enr.OrgID != p.OrgID {
		t.OrgIDs = append(t.OrgIDs, p.enr.OrgID)
	}
	return t
}

// auditMovement writes the audit entry of a movement. Without an audit log
// nothing is recorded: fail closed.
func (s *Service) auditMovement(ctx context.Context, tx *store.Tx, action audit.Action, m Movement) error {
	if s.Audit == nil {
		return errs.Wrap(errs.Internal, fmt.Errorf("movement without an audit log"), "internal error")
	}
	org := m.Org.ID
	changes := []audit.FieldChange{{Field: "kind", New: string(m.Kind)}, {Field: "date", New: m.Date}, {Field: "org_id", New: m.Org.ID}}
	if m.Class != nil {
		changes = append(changes, audit.FieldChange{Field: "class_id", New: m.Class.ID})
	}
	if m.FromClass != nil {
		changes = append(changes, audit.FieldChange{Field: "from_class_id", New: m.FromClass.ID})
	}
	if m.OtherOrg != nil {
		changes = append(changes, audit.FieldChange{Field: "other_org_id", New: m.OtherOrg.ID})
	}
	if m.Destination != "" {
		changes = append(changes, audit.FieldChange{Field: "destination", New: m.Destination})
	}
	if m.BasisNumber != "" {
		changes = append(changes, audit.FieldChange{Field: "basis_number", New: m.BasisNumber})
	}
	return s.Audit.Append(ctx, tx, audit.Entry{Action: action, Outcome: audit.Success, ObjectType: Resource,
		ObjectID: strconv.FormatInt(m.ID, 10), OrgID: &org, PersonID: m.PersonID, Changes: changes, Detail: string(m.Kind)})
}

// readPupil checks that the actor may read the movements of a person.
func (g *Guard) readPupil(ctx context.Context, personID int64) (PersonRef, int64, error) {
	ref, orgID, err := personRef(ctx, g.S.DB.Read(), personID)
	if err != nil {
		return ref, 0, err
	}
	return ref, orgID, g.Policy.Check(ctx, identity.From(ctx), Resource, "read", access.Target{OrgIDs: []int64{orgID}, PersonID: personID})
}

// Trajectory returns a pupil's movements across the region, oldest first.
func (g *Guard) Trajectory(ctx context.Context, personID, after int64, limit int) ([]Movement, error) {
	if _, _, err := g.readPupil(ctx, personID); err != nil {
		return nil, err
	}
	return g.S.Trajectory(ctx, personID, after, limit)
}

// Pupil returns the person a trajectory page is about.
func (g *Guard) Pupil(ctx context.Context, personID int64) (PersonRef, error) {
	ref, _, err := g.readPupil(ctx, personID)
	return ref, err
}

// Enrolment returns the pupil's current primary enrolment; ok is false when
// the pupil is not enrolled anywhere.
func (g *Guard) Enrolment(ctx context.Context, personID int64) (Enrolment, bool, error) {
	if _, _, err := g.readPupil(ctx, personID); err != nil {
		return Enrolment{}, false, err
	}
	return g.S.Enrolment(ctx, personID)
}

// Register returns the movements at an organisation and everything under
// it for a period. The check on the organisation covers its subtree.
func (g *Guard) Register(ctx context.Context, orgID int64, f RegisterFilter) ([]Movement, error) {
	if err := g.Policy.Check(ctx, identity.From(ctx), Resource, "list", orgTarget(orgID)); err != nil {
		return nil, err
	}
	return g.S.Register(ctx, orgID, f)
}

// Transfers returns the transfers into or out of an organisation (and the
// organisations under it).
func (g *Guard) Transfers(ctx context.Context, orgID int64, f TransferFilter) ([]Transfer, error) {
	if err := g.Policy.Check(ctx, identity.From(ctx), TransferResource, "read", orgTarget(orgID)); err != nil {
		return nil, err
	}
	return g.S.Transfers(ctx, orgID, f)
}

// Whereabouts lists the pupils who left an organisation under orgID and
// have not arrived anywhere for longer than the configured days.
func (g *Guard) Whereabouts(ctx context.Context, orgID, after int64, limit int) ([]Transfer, error) {
	if err := g.Policy.Check(ctx, identity.From(ctx), WhereaboutsResource, "list", orgTarget(orgID)); err != nil {
		return nil, err
	}
	return g.S.Whereabouts(ctx, orgID, after, limit)
}

// LostAfterDays is the threshold the whereabouts list applies.
func (g *Guard) LostAfterDays() int { return g.S.lostAfter() }

// Accept confirms a transfer addressed to an organisation of the actor:
// the pupil arrives, is enrolled in the chosen class, and the record moves.
func (g *Guard) Accept(ctx context.Context, transferID int64, in Accept) (Transfer, error) {
	a := identity.From(ctx)
	var v errs.Validation
	in.validate(&v, g.S.latestDate())
	var out Transfer
	err := g.S.DB.WithTx(ctx, func(tx *store.Tx) error {
		t, err := lockTransfer(ctx, tx, transferID)
		if err != nil {
			return err
		}
		if err := g.allow(ctx, a, TransferResource, "accept", transferTarget(t)); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		m, err := g.S.accept(ctx, tx, t, in, authorOf(ctx))
		if err != nil {
			return err
		}
		if err := g.S.auditMovement(ctx, tx, audit.MovementRecord, m); err != nil {
			return err
		}
		if err := g.S.auditTransfer(ctx, tx, audit.TransferAccept, t, m.Org.ID, ""); err != nil {
			return err
		}
		out, err = g.S.transfer(ctx, tx, transferID)
		return err
	})
	return out, g.settle(ctx, err)
}

// DeclineTransfer refuses a transfer addressed to an organisation of the
// actor. The transfer stays open for its origin: the pupil has not arrived.
func (g *Guard) DeclineTransfer(ctx context.Context, transferID int64, in Decline) (Transfer, error) {
	a := identity.From(ctx)
	var v errs.Validation
	in.validate(&v)
	var out Transfer
	err := g.S.DB.WithTx(ctx, func(tx *store.Tx) error {
		t, err := lockTransfer(ctx, tx, transferID)
		if err != nil {
			return err
		}
		if err := g.allow(ctx, a, TransferResource, "accept", transferTarget(t)); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		if err := g.S.decline(ctx, tx, t, in, authorOf(ctx)); err != nil {
			return err
		}
		if err := g.S.auditTransfer(ctx, tx, audit.TransferDecline, t, t.ToOrg, in.Reason); err != nil {
			return err
		}
		out, err = g.S.transfer(ctx, tx, transferID)
		return err
	})
	return out, g.settle(ctx, err)
}

// transferTarget: a transfer is decided by the school it is addressed to;
// one with no destination is addressed to nobody.
func transferTarget(t *transferRow) access.Target {
	if t.ToOrg == 0 {
		return access.Target{}
	}
	return access.Target{OrgIDs: []int64{t.ToOrg}, PersonID: t.PersonID}
}

func (s *Service) auditTransfer(ctx context.Context, tx *store.Tx, action audit.Action, t *transferRow, orgID int64, reason string) error {
	if s.Audit == nil {
		return errs.Wrap(errs.Internal, fmt.Errorf("transfer decision without an audit log"), "internal error")
	}
	changes := []audit.FieldChange{{Field: "from_org_id", New: t.FromOrg}, {Field: "to_org_id", New: orgID}}
	if reason != "" {
		changes = append(changes, audit.FieldChange{Field: "decline_reason", New: "(set)"})
	}
	return s.Audit.Append(ctx, tx, audit.Entry{Action: action, Outcome: audit.Success, ObjectType: TransferResource,
		ObjectID: strconv.FormatInt(t.ID, 10), OrgID: &orgID, PersonID: t.PersonID, Changes: changes})
}
