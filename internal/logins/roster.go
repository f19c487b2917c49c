package logins

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"shkola/internal/identity"
	"shkola/internal/store"
)

// Account statuses as a family and a class teacher see them.
const (
	StatusNone     = "none"     // no account
	StatusIssued   = "issued"   // an account whose holder has not set a password yet
	StatusActive   = "active"   // a password is set
	StatusDisabled = "disabled" // switched off by the administration
)

// Member is a pupil or a guardian of a class's roster with their account.
type Member struct {
	PersonID  int64         `json:"person_id"`
	Name      string        `json:"name"`
	Role      identity.Role `json:"role"`
	AccountID int64         `json:"account_id,omitempty"`
	Login     string        `json:"login,omitempty"`
	Status    string        `json:"status"`
	// Eligible is false for a pupil under the minimum age: no account of
	// their own, the guardians' accounts follow the child.
	Eligible bool `json:"eligible"`
	// Under14: the guardian activates and manages the child's account.
	Under14 bool `json:"under_14,omitempty"`
	// Code is the activation code issued by this very request, in clear,
	// never stored; Created says whether the account was made now.
	Code      string `json:"code,omitempty"`
	Created   bool   `json:"created,omitempty"`
	ExpiresAt string `json:"code_expires_at,omitempty"`

	last, first string // for the login made from them
}

// Family is one pupil and the pupil's current guardians.
type Family struct {
	Pupil     Member   `json:"pupil"`
	Guardians []Member `json:"guardians"`
}

// Roster is a class's families with their accounts.
type Roster struct {
	ClassID   int64    `json:"class_id"`
	ClassName string   `json:"class_name"`
	YearName  string   `json:"year_name"`
	School    string   `json:"school"`
	OrgID     int64    `json:"org_id"`
	MinAge    int      `json:"min_age"`
	Families  []Family `json:"families"`
}

func fullName(last, first, middle string) string {
	return strings.TrimSpace(strings.Join([]string{last, first, middle}, " "))
}

func status(account sql.NullInt64, active, disabled int) string {
	switch {
	case !account.Valid:
		return StatusNone
	case disabled == 1:
		return StatusDisabled
	case active == 1:
		return StatusActive
	}
	return StatusIssued
}

// accountColumns read a person p's account a (LEFT JOIN).
const accountColumns = `a.id, COALESCE(a.login, ''),
	CASE WHEN a.password_hash IS NOT NULL THEN 1 ELSE 0 END, CASE WHEN a.disabled_at IS NOT NULL THEN 1 ELSE 0 END`

// roster reads the current pupils of a class and their current guardians
// with their accounts, through q (the read pool, or the issuing
// transaction so that what it decides on is what it writes).
func (s *Service) roster(ctx context.Context, q store.Querier, classID int64, now time.Time) ([]Family, error) {
	rows, err := q.QueryContext(ctx, `SELECT p.id, p.last_name, p.first_name, p.middle_name, p.birth_date, `+accountColumns+`
		FROM group_members m JOIN persons p ON p.id = m.person_id LEFT JOIN accounts a ON a.person_id = p.id
		WHERE m.group_id = $1 AND m.ends_on IS NULL AND p.merged_into IS NULL
		ORDER BY p.last_name, p.first_name, p.middle_name, p.id`, classID)
	if err != nil {
		return nil, err
	}
	var out []Family
	index := map[int64]int{}
	for rows.Next() {
		var m Member
		var last, first, middle, born string
		var acc sql.NullInt64
		var active, disabled int
		if err := rows.Scan(&m.PersonID, &last, &first, &middle, &born, &acc, &m.Login, &active, &disabled); err != nil {
			_ = rows.Close() // the error returned below is the one to report
			return nil, err
		}
		age := ageOn(born, now)
		m.Name, m.Role, m.AccountID, m.Status = fullName(last, first, middle), identity.Student, acc.Int64, status(acc, active, disabled)
		m.last, m.first = last, first
		m.Eligible, m.Under14 = age >= s.minAge(), age < ChildAge
		index[m.PersonID] = len(out)
		out = append(out, Family{Pupil: m, Guardians: []Member{}})
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT gd.child_id, p.id, p.last_name, p.first_name, p.middle_name, `+accountColumns+`
		FROM guardianships gd JOIN persons p ON p.id = gd.guardian_id LEFT JOIN accounts a ON a.person_id = p.id
		WHERE gd.ends_on IS NULL AND p.merged_into IS NULL
		AND gd.child_id IN (SELECT person_id FROM group_members WHERE group_id = $1 AND ends_on IS NULL)
		ORDER BY gd.child_id, gd.id`, classID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var child int64
		m := Member{Role: identity.Guardian, Eligible: true}
		var last, first, middle string
		var acc sql.NullInt64
		var active, disabled int
		if err := rows.Scan(&child, &m.PersonID, &last, &first, &middle, &acc, &m.Login, &active, &disabled); err != nil {
			return nil, err
		}
		m.Name, m.AccountID, m.Status = fullName(last, first, middle), acc.Int64, status(acc, active, disabled)
		m.last, m.first = last, first
		if i, ok := index[child]; ok {
			out[i].Guardians = append(out[i].Guardians, m)
		}
	}
	return out, rows.Err()
}

// schoolName is the short name of an organisation (its name when it has none).
func schoolName(ctx context.Context, q store.Querier, orgID int64) (string, error) {
	var name, short string
	err := q.QueryRowContext(ctx, "SELECT name, COALESCE(short_name, '') FROM organisations WHERE id = $1", orgID).Scan(&name, &short)
	if short != "" {
		return short, err
	}
	return name, err
}

// Roster shows a class's families and their account statuses to those who
// may issue its logins.
func (g *Guard) Roster(ctx context.Context, classID int64) (Roster, error) {
	c, err := g.issuable(ctx, classID)
	if err != nil {
		return Roster{}, err
	}
	r := Roster{ClassID: c.ID, ClassName: c.Name, YearName: c.YearName, OrgID: c.OrgID, MinAge: g.S.minAge()}
	if r.School, err = schoolName(ctx, g.S.Accounts.DB.Read(), c.OrgID); err != nil {
		return r, err
	}
	r.Families, err = g.S.roster(ctx, g.S.Accounts.DB.Read(), c.ID, g.S.now())
	return r, err
}
