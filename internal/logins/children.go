package logins

import (
	"context"
	"database/sql"
	"strconv"

	"shkola/internal/access"
	"shkola/internal/account"
	"shkola/internal/audit"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Child is one of a guardian's children with the child's account as the
// guardian sees it on "My children".
type Child struct {
	PersonID int64  `json:"person_id"`
	Name     string `json:"name"`
	Class    string `json:"class,omitempty"`
	Under14  bool   `json:"under_14"`
	Account  string `json:"account"` // none, issued, active, disabled
	Linked   bool   `json:"linked"`  // the guardian's account is linked to the child's
	Login    string `json:"login,omitempty"`
	// CanManage: linked and under 14, so the guardian sets the login and
	// the password; from 14 the guardian keeps the view only.
	CanManage bool `json:"can_manage"`
}

// childSelect reads children p of guardianships gd with the child's account
// a and the caller's link l (the caller's account is the first argument).
const childSelect = `SELECT p.id, p.last_name, p.first_name, p.middle_name, p.birth_date,
	COALESCE((SELECT MIN(g.name) FROM group_members m JOIN groups g ON g.id = m.group_id AND g.kind = 'class'
		WHERE m.person_id = p.id AND m.ends_on IS NULL), ''),
	` + accountColumns + `, CASE WHEN l.child_account_id IS NOT NULL THEN 1 ELSE 0 END
	FROM guardianships gd JOIN persons p ON p.id = gd.child_id
	LEFT JOIN accounts a ON a.person_id = p.id
	LEFT JOIN account_links l ON l.child_account_id = a.id AND l.guardian_account_id = $1`

func (s *Service) scanChild(row interface{ Scan(...any) error }) (Child, error) {
	var c Child
	var last, first, middle, born string
	var acc sql.NullInt64
	var login string
	var active, disabled, linked int
	if err := row.Scan(&c.PersonID, &last, &first, &middle, &born, &c.Class, &acc, &login, &active, &disabled, &linked); err != nil {
		return c, err
	}
	c.Name, c.Account, c.Linked = fullName(last, first, middle), status(acc, active, disabled), linked == 1
	c.Under14 = ageOn(born, s.now()) < ChildAge
	if c.Linked {
		c.Login = login
		c.CanManage = c.Under14
	}
	return c, nil
}

// Children lists the caller's current children (guardian_of in the
// registry), filtered in SQL by the policy's scope for child accounts.
func (g *Guard) Children(ctx context.Context) ([]Child, error) {
	a := identity.From(ctx)
	if !a.Authenticated() {
		return nil, errs.E(errs.Unauthorized, "log in first")
	}
	out := []Child{}
	sc := g.Policy.ListScope(a, ChildResource, "read")
	if sc.Empty() || a.PersonID == 0 || a.AccountID == 0 {
		return out, nil
	}
	args := store.Args{}
	args.Add(a.AccountID)
	query := childSelect + " WHERE gd.guardian_id = " + args.Add(a.PersonID) + " AND gd.ends_on IS NULL AND p.merged_into IS NULL AND " +
		g.Policy.PersonsSQL(a, sc, "p.org_id", "p.id", &args) + " ORDER BY p.birth_date, p.id"
	rows, err := g.S.Accounts.DB.Read().QueryContext(ctx, query, args.Values...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		c, err := g.S.scanChild(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// child reads one of the caller's children as Children shows it.
func (g *Guard) child(ctx context.Context, q store.Querier, personID int64) (Child, error) {
	a := identity.From(ctx)
	c, err := g.S.scanChild(q.QueryRowContext(ctx, childSelect+" WHERE gd.guardian_id = $2 AND gd.child_id = $3 AND gd.ends_on IS NULL",
		a.AccountID, a.PersonID, personID))
	if store.IsNoRows(err) {
		return c, errs.E(errs.NotFound, "not found")
	}
	return c, err
}

// wrongCode is the one answer to a code that does not link: wrong,
// expired, someone else's child, or one's own. It never says whose it was.
func wrongCode() error {
	return errs.Field(errs.Invalid, "code", "valid", "the code is wrong or expired, or it is not the code of your child's account")
}

// personTarget is what the policy is asked about a child.
func personTarget(ctx context.Context, q store.Querier, personID int64) (access.Target, string, error) {
	var org int64
	var born string
	err := q.QueryRowContext(ctx, "SELECT org_id, birth_date FROM persons WHERE id = $1 AND merged_into IS NULL", personID).Scan(&org, &born)
	if store.IsNoRows(err) {
		return access.Target{}, "", errs.E(errs.NotFound, "not found")
	}
	return access.Target{OrgIDs: []int64{org}, PersonID: personID}, born, err
}

// Link links the caller's account to the account of a child whose
// activation code the caller holds (the slip), when the caller is a
// current guardian of that child in the registry. Linking again is no
// change. A refusal says only that the code does not link.
func (g *Guard) Link(ctx context.Context, code string) (Child, error) {
	a := identity.From(ctx)
	if !a.Authenticated() {
		return Child{}, errs.E(errs.Unauthorized, "log in first")
	}
	if code == "" {
		return Child{}, errs.Field(errs.Invalid, "code", "required", "enter the code from your child's slip")
	}
	read := g.S.Accounts.DB.Read()
	refuse := func(why string) (Child, error) {
		if err := g.S.Audit.Write(ctx, audit.Entry{Action: audit.GuardianLink, Outcome: audit.Failure, ObjectType: ChildResource, Detail: why}); err != nil {
			return Child{}, err
		}
		return Child{}, wrongCode()
	}
	holder, err := g.S.Accounts.CodeHolder(ctx, read, code)
	if err != nil {
		return Child{}, err
	}
	var person sql.NullInt64
	if holder != 0 {
		if err := read.QueryRowContext(ctx, "SELECT person_id FROM accounts WHERE id = $1", holder).Scan(&person); err != nil {
			return Child{}, err
		}
	}
	if holder == 0 || !person.Valid || holder == a.AccountID || a.AccountID == 0 {
		return refuse("no such code")
	}
	t, _, err := personTarget(ctx, read, person.Int64)
	if err != nil {
		return Child{}, err
	}
	// The policy records the denial; the caller learns nothing more.
	if err := g.Policy.Check(ctx, a, ChildResource, "link", t); err != nil {
		if c := errs.CodeOf(err); c == errs.NotFound || c == errs.Forbidden {
			return refuse("not a guardian of the code's holder")
		}
		return Child{}, err
	}
	err = g.S.Accounts.DB.WithTx(ctx, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO account_links (guardian_account_id, child_account_id, linked_at) VALUES ($1, $2, $3)
			ON CONFLICT (guardian_account_id, child_account_id) DO NOTHING`, a.AccountID, holder, g.S.now())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // linked before: nothing to record
		}
		id := strconv.FormatInt(a.AccountID, 10) + ":" + strconv.FormatInt(holder, 10)
		if err := tx.Record(ctx, store.Change{At: g.S.now(), Entity: "account_link", EntityID: id, Op: store.OpCreate,
			OrgID: &t.OrgIDs[0], Actor: a.Login}); err != nil {
			return err
		}
		return g.S.Audit.Append(ctx, tx, audit.Entry{Action: audit.GuardianLink, Outcome: audit.Success, ObjectType: ChildResource,
			ObjectID: strconv.FormatInt(holder, 10), OrgID: &t.OrgIDs[0], PersonID: person.Int64, Detail: "guardian's account linked with the child's code"})
	})
	if err != nil {
		return Child{}, err
	}
	return g.child(ctx, read, person.Int64)
}

// manageable decides a change of a child's account: the policy (another
// family's child is not found), then the age rule (from 14 the pupil
// manages own account: forbidden, and recorded), then the link (the
// guardian links with the child's code first). It returns the child's
// account and the target.
func (g *Guard) manageable(ctx context.Context, personID int64, what string) (int64, access.Target, error) {
	a := identity.From(ctx)
	read := g.S.Accounts.DB.Read()
	t, born, err := personTarget(ctx, read, personID)
	if err != nil {
		if errs.CodeOf(err) == errs.NotFound && !a.Authenticated() {
			return 0, t, errs.E(errs.Unauthorized, "log in first")
		}
		return 0, t, err
	}
	if err := g.Policy.Check(ctx, a, ChildResource, "update", t); err != nil {
		return 0, t, err
	}
	if ageOn(born, g.S.now()) >= ChildAge {
		if err := g.S.Audit.Write(ctx, audit.Entry{Action: audit.AccessDenied, Outcome: audit.Denied, ObjectType: ChildResource,
			OrgID: &t.OrgIDs[0], PersonID: personID, Detail: what + ": the child is 14 or older"}); err != nil {
			return 0, t, err
		}
		return 0, t, errs.E(errs.Forbidden, "from 14 the pupil manages own account; a guardian keeps the view only")
	}
	acc, err := account.AccountOf(ctx, read, personID)
	if err != nil {
		return 0, t, err
	}
	if acc == 0 {
		return 0, t, errs.E(errs.Conflict, "the child has no account yet; the class teacher issues it")
	}
	var one int
	err = read.QueryRowContext(ctx, "SELECT 1 FROM account_links WHERE guardian_account_id = $1 AND child_account_id = $2", a.AccountID, acc).Scan(&one)
	if store.IsNoRows(err) {
		return 0, t, errs.E(errs.Forbidden, "link the child's account with the child's code first")
	}
	return acc, t, err
}

// SetChildPassword sets the password of a linked child under 14: the
// child's open codes are spent and the child's sessions end.
func (g *Guard) SetChildPassword(ctx context.Context, personID int64, password string) (Child, error) {
	acc, t, err := g.manageable(ctx, personID, "password")
	if err != nil {
		return Child{}, err
	}
	hash, err := g.S.Accounts.HashPassword(ctx, "password", password)
	if err != nil {
		return Child{}, err
	}
	err = g.S.Accounts.DB.WithTx(ctx, func(tx *store.Tx) error {
		if err := g.S.Accounts.SetPasswordFor(ctx, tx, acc, hash); err != nil {
			return err
		}
		err := tx.Record(ctx, store.Change{At: g.S.now(), Entity: account.Resource, EntityID: strconv.FormatInt(acc, 10), Op: store.OpUpdate,
			OrgID: &t.OrgIDs[0], Actor: identity.From(ctx).Login})
		return err
	})
	if err != nil {
		return Child{}, err
	}
	return g.child(ctx, g.S.Accounts.DB.Read(), personID)
}

// SetChildLogin changes the login of a linked child under 14.
func (g *Guard) SetChildLogin(ctx context.Context, personID int64, login string) (Child, error) {
	acc, t, err := g.manageable(ctx, personID, "login")
	if err != nil {
		return Child{}, err
	}
	if _, err := account.NormaliseLogin(login); err != nil {
		return Child{}, err
	}
	err = g.S.Accounts.DB.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := g.S.Accounts.RenameTx(ctx, tx, acc, login); err != nil {
			return err
		}
		err := tx.Record(ctx, store.Change{At: g.S.now(), Entity: account.Resource, EntityID: strconv.FormatInt(acc, 10), Op: store.OpUpdate,
			OrgID: &t.OrgIDs[0], Actor: identity.From(ctx).Login})
		return err
	})
	if err != nil {
		return Child{}, err
	}
	return g.child(ctx, g.S.Accounts.DB.Read(), personID)
}

// ManagedByGuardian reports whether an account belongs to a child under 14,
// whose guardian sets the password (account.Service asks it before the
// holder activates or changes a password).
func (s *Service) ManagedByGuardian(ctx context.Context, accountID int64) (bool, error) {
	var born string
	err := s.Accounts.DB.Read().QueryRowContext(ctx, "SELECT p.birth_date FROM accounts a JOIN persons p ON p.id = a.person_id WHERE a.id = $1", accountID).Scan(&born)
	if store.IsNoRows(err) {
		return false, nil
	}
	return err == nil && ageOn(born, s.now()) < ChildAge, err
}
