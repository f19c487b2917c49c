package contingent

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"shkola/internal/errs"
	"shkola/internal/store"
)

// MaxLimit bounds a page.
const MaxLimit = 500

const movementSelect = `SELECT m.id, m.person_id, m.kind, m.org_id, o.name, m.class_id, c.name, m.from_class_id, fc.name,
	m.other_org_id, oo.name, m.other_place, m.enrolment_id, m.on_date, m.basis_number, m.basis_date, m.reason, m.author_login,
	m.created_at, t.id, p.last_name, p.first_name, p.middle_name, p.birth_date
	FROM movements m
	JOIN organisations o ON o.id = m.org_id
	JOIN persons p ON p.id = m.person_id
	LEFT JOIN groups c ON c.id = m.class_id
	LEFT JOIN groups fc ON fc.id = m.from_class_id
	LEFT JOIN organisations oo ON oo.id = m.other_org_id
	LEFT JOIN transfers t ON t.departure_id = m.id`

func ref(id sql.NullInt64, name sql.NullString) *Ref {
	if !id.Valid {
		return nil
	}
	return &Ref{ID: id.Int64, Name: name.String}
}

func scanMovement(row interface{ Scan(...any) error }) (Movement, error) {
	var m Movement
	var class, from, other, enr, transfer sql.NullInt64
	var className, fromName, otherName, basisDate sql.NullString
	var pr PersonRef
	err := row.Scan(&m.ID, &m.PersonID, &m.Kind, &m.Org.ID, &m.Org.Name, &class, &className, &from, &fromName,
		&other, &otherName, &m.OtherPlace, &enr, &m.Date, &m.BasisNumber, &basisDate, &m.Reason, &m.Author,
		&m.CreatedAt, &transfer, &pr.LastName, &pr.FirstName, &pr.MiddleName, &pr.BirthDate)
	if err != nil {
		return m, err
	}
	pr.ID = m.PersonID
	m.Person = &pr
	m.Class, m.FromClass, m.OtherOrg = ref(class, className), ref(from, fromName), ref(other, otherName)
	if enr.Valid {
		m.EnrolmentID = &enr.Int64
	}
	if transfer.Valid {
		m.TransferID = &transfer.Int64
	}
	m.BasisDate = basisDate.String
	m.CreatedAt = m.CreatedAt.UTC()
	if m.Kind == KindDeparture {
		switch {
		case m.OtherOrg != nil:
			m.Destination = ToOrg
		case m.OtherPlace != "":
			m.Destination = ToOutside
		default:
			m.Destination = ToUnknown
		}
	}
	return m, nil
}

func movement(ctx context.Context, q store.Querier, id int64) (Movement, error) {
	m, err := scanMovement(q.QueryRowContext(ctx, movementSelect+" WHERE m.id = $1", id))
	if store.IsNoRows(err) {
		return m, errs.E(errs.NotFound, "not found")
	}
	return m, err
}

func queryMovements(ctx context.Context, q store.Querier, where string, args *store.Args, limit int) ([]Movement, error) {
	query := movementSelect + " WHERE " + where + " ORDER BY m.on_date, m.id LIMIT " + args.Add(limit)
	rows, err := q.QueryContext(ctx, query, args.Values...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Movement{}
	for rows.Next() {
		m, err := scanMovement(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// afterMovement continues a list ordered by (on_date, id) after the
// movement whose id is the cursor.
func afterMovement(after int64, args *store.Args) string {
	if after <= 0 {
		return "1 = 1"
	}
	c := args.Add(after)
	d := "(SELECT on_date FROM movements WHERE id = " + c + ")"
	return "(m.on_date > " + d + " OR (m.on_date = " + d + " AND m.id > " + c + "))"
}

func checkLimit(limit int) error {
	if limit < 1 || limit > MaxLimit {
		var v errs.Validation
		v.Add("limit", "range", fmt.Sprintf("limit must be from 1 to %d", MaxLimit))
		return v.Err()
	}
	return nil
}

// Trajectory returns one page of a pupil's movements in every organisation
// of the region, oldest first; after is the last id of the previous page.
func (s *Service) Trajectory(ctx context.Context, personID, after int64, limit int) ([]Movement, error) {
	if err := checkLimit(limit); err != nil {
		return nil, err
	}
	var args store.Args
	where := "m.person_id = " + args.Add(personID) + " AND " + afterMovement(after, &args)
	out, err := queryMovements(ctx, s.DB.Read(), where, &args, limit)
	for i := range out {
		out[i].Person = nil // the page is about this one pupil
	}
	return out, err
}

// RegisterFilter selects the movements of a register.
type RegisterFilter struct {
	From, To string // dates, inclusive; empty: open
	Kind     Kind
	After    int64
	Limit    int
}

// Register returns the movements recorded at orgID or the organisations
// under it in a period, ordered by date.
func (s *Service) Register(ctx context.Context, orgID int64, f RegisterFilter) ([]Movement, error) {
	var v errs.Validation
	for _, d := range []struct{ field, val string }{{"from", f.From}, {"to", f.To}} {
		if d.val == "" {
			continue
		}
		if _, err := time.Parse(dateLayout, d.val); err != nil {
			v.Add(d.field, "format", "a date as YYYY-MM-DD")
		}
	}
	if f.From != "" && f.To != "" && f.To < f.From && !v.Has("from") && !v.Has("to") {
		v.Add("to", "range", "the period ends before it begins")
	}
	if f.Kind != "" && !f.Kind.Valid() {
		v.Add("kind", "enum", "unknown kind")
	}
	if f.Limit < 1 || f.Limit > MaxLimit {
		v.Add("limit", "range", fmt.Sprintf("limit must be from 1 to %d", MaxLimit))
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var args store.Args
	where := []string{"EXISTS (SELECT 1 FROM org_tree st WHERE st.ancestor_id = " + args.Add(orgID) + " AND st.descendant_id = m.org_id)"}
	if f.From != "" {
		where = append(where, "m.on_date >= "+args.Add(f.From))
	}
	if f.To != "" {
		where = append(where, "m.on_date <= "+args.Add(f.To))
	}
	if f.Kind != "" {
		where = append(where, "m.kind = "+args.Add(string(f.Kind)))
	}
	where = append(where, afterMovement(f.After, &args))
	return queryMovements(ctx, s.DB.Read(), strings.Join(where, " AND "), &args, f.Limit)
}

// Enrolment returns the pupil's current primary enrolment; ok is false when
// the pupil is not enrolled anywhere.
func (s *Service) Enrolment(ctx context.Context, personID int64) (e Enrolment, ok bool, err error) {
	var class sql.NullInt64
	var className, ends sql.NullString
	err = s.DB.Read().QueryRowContext(ctx, `SELECT e.id, e.person_id, e.org_id, o.name, e.class_id, c.name, e.kind, e.form_of_study,
		e.level, e.status, e.starts_on, e.ends_on FROM enrolments e JOIN organisations o ON o.id = e.org_id
		LEFT JOIN groups c ON c.id = e.class_id WHERE e.person_id = $1 AND e.kind = 'primary' AND e.status <> 'ended'`, personID).
		Scan(&e.ID, &e.PersonID, &e.Org.ID, &e.Org.Name, &class, &className, &e.Kind, &e.FormOfStudy, &e.Level, &e.Status, &e.StartsOn, &ends)
	if store.IsNoRows(err) {
		return e, false, nil
	}
	if err != nil {
		return e, false, err
	}
	e.Class, e.EndsOn = ref(class, className), ends.String
	return e, true, nil
}

func personRef(ctx context.Context, q store.Querier, id int64) (PersonRef, int64, error) {
	p := PersonRef{ID: id}
	var org int64
	err := q.QueryRowContext(ctx, "SELECT org_id, last_name, first_name, middle_name, birth_date FROM persons WHERE id = $1", id).
		Scan(&org, &p.LastName, &p.FirstName, &p.MiddleName, &p.BirthDate)
	if store.IsNoRows(err) {
		return p, 0, errs.E(errs.NotFound, "not found")
	}
	return p, org, err
}

const transferSelect = `SELECT t.id, t.person_id, p.last_name, p.first_name, p.middle_name, p.birth_date, t.from_org_id, fo.name,
	t.to_org_id, tor.name, t.status, t.departed_on, t.departure_id, t.arrival_id, t.resolved_at, t.resolved_by,
	t.declined_org_id, dor.name, t.declined_at, t.decline_reason
	FROM transfers t
	JOIN persons p ON p.id = t.person_id
	JOIN organisations fo ON fo.id = t.from_org_id
	LEFT JOIN organisations tor ON tor.id = t.to_org_id
	LEFT JOIN organisations dor ON dor.id = t.declined_org_id`

func (s *Service) scanTransfer(row interface{ Scan(...any) error }) (Transfer, error) {
	var t Transfer
	var to, arrival, declOrg sql.NullInt64
	var toName, resolvedBy, declName sql.NullString
	var resolvedAt, declinedAt sql.NullTime
	err := row.Scan(&t.ID, &t.Person.ID, &t.Person.LastName, &t.Person.FirstName, &t.Person.MiddleName, &t.Person.BirthDate,
		&t.From.ID, &t.From.Name, &to, &toName, &t.Status, &t.DepartedOn, &t.DepartureID, &arrival, &resolvedAt, &resolvedBy,
		&declOrg, &declName, &declinedAt, &t.DeclineReason)
	if err != nil {
		return t, err
	}
	t.To, t.DeclinedBy = ref(to, toName), ref(declOrg, declName)
	if arrival.Valid {
		t.ArrivalID = &arrival.Int64
	}
	if resolvedAt.Valid {
		at := resolvedAt.Time.UTC()
		t.ResolvedAt = &at
	}
	if declinedAt.Valid {
		at := declinedAt.Time.UTC()
		t.DeclinedAt = &at
	}
	t.ResolvedBy = resolvedBy.String
	if t.Status != Arrived {
		t.DaysOpen = s.daysSince(t.DepartedOn)
	}
	return t, nil
}

func (s *Service) transfer(ctx context.Context, q store.Querier, id int64) (Transfer, error) {
	t, err := s.scanTransfer(q.QueryRowContext(ctx, transferSelect+" WHERE t.id = $1", id))
	if store.IsNoRows(err) {
		return t, errs.E(errs.NotFound, "not found")
	}
	return t, err
}

func (s *Service) queryTransfers(ctx context.Context, where, order string, args *store.Args, limit int) ([]Transfer, error) {
	rows, err := s.DB.Read().QueryContext(ctx, transferSelect+" WHERE "+where+" ORDER BY "+order+" LIMIT "+args.Add(limit), args.Values...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Transfer{}
	for rows.Next() {
		t, err := s.scanTransfer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// TransferFilter selects an organisation's transfers.
type TransferFilter struct {
	Direction string // in (default) or out
	Status    string // pending, arrived, declined; empty: all
	After     int64
	Limit     int
}

// Transfers returns transfers into (addressed to, or declined by) or out
// of orgID and the organisations under it, oldest first.
func (s *Service) Transfers(ctx context.Context, orgID int64, f TransferFilter) ([]Transfer, error) {
	var v errs.Validation
	if f.Direction == "" {
		f.Direction = "in"
	}
	if f.Direction != "in" && f.Direction != "out" {
		v.Add("direction", "enum", "in or out")
	}
	if f.Status != "" && f.Status != Pending && f.Status != Arrived && f.Status != Declined {
		v.Add("status", "enum", "pending, arrived or declined")
	}
	if f.Limit < 1 || f.Limit > MaxLimit {
		v.Add("limit", "range", fmt.Sprintf("limit must be from 1 to %d", MaxLimit))
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var args store.Args
	within := func(col string) string {
		return "EXISTS (SELECT 1 FROM org_tree st WHERE st.ancestor_id = " + args.Add(orgID) + " AND st.descendant_id = " + col + ")"
	}
	var where []string
	if f.Direction == "out" {
		where = append(where, within("t.from_org_id"))
	} else {
		where = append(where, "("+within("t.to_org_id")+" OR "+within("t.declined_org_id")+")")
	}
	if f.Status != "" {
		where = append(where, "t.status = "+args.Add(f.Status))
	}
	where = append(where, "t.id > "+args.Add(f.After))
	return s.queryTransfers(ctx, strings.Join(where, " AND "), "t.id", &args, f.Limit)
}

// Whereabouts lists the open transfers out of orgID's subtree older than
// the threshold: pupils who departed and have not arrived anywhere. Those
// lost longest come first; after is the last transfer id of the previous page.
func (s *Service) Whereabouts(ctx context.Context, orgID, after int64, limit int) ([]Transfer, error) {
	if err := checkLimit(limit); err != nil {
		return nil, err
	}
	cutoff := s.today().AddDate(0, 0, -s.lostAfter()).Format(dateLayout)
	var args store.Args
	where := []string{"t.status IN ('pending', 'declined')", "t.departed_on < " + args.Add(cutoff),
		"EXISTS (SELECT 1 FROM org_tree st WHERE st.ancestor_id = " + args.Add(orgID) + " AND st.descendant_id = t.from_org_id)"}
	if after > 0 {
		c := args.Add(after)
		d := "(SELECT departed_on FROM transfers WHERE id = " + c + ")"
		where = append(where, "(t.departed_on > "+d+" OR (t.departed_on = "+d+" AND t.id > "+c+"))")
	}
	return s.queryTransfers(ctx, strings.Join(where, " AND "), "t.departed_on, t.id", &args, limit)
}
