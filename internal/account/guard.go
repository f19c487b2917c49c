package account

import (
	"context"
	"strings"

	"shkola/internal/access"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Resource is accounts' name in the access matrix.
const Resource = "account"

// Admin is account administration as people get it: an account is in the
// actor's scope when every organisation it holds a role in is, nobody
// manages their own account, and nobody grants a role above their own.
type Admin struct {
	S      *Service
	Policy *access.Policy
}

// grantable says which roles a holder of role may hand out.
func grantable(role identity.Role) []identity.Role {
	school := []identity.Role{identity.Student, identity.Guardian, identity.Teacher, identity.ClassTeacher, identity.Medical, identity.SchoolAdmin}
	switch role {
	case identity.SchoolAdmin:
		return school
	case identity.MunicipalOfficer:
		return append(school, identity.MunicipalOfficer)
	case identity.RegionalOfficer:
		return append(school, identity.MunicipalOfficer, identity.RegionalOfficer, identity.Inspector)
	case identity.Operator:
		return identity.Roles
	}
	return nil
}

// mayGrant reports whether a grant of the actor within whose subtree org
// lies allows handing out role. The subtree test is the policy's.
func (g *Admin) mayGrant(ctx context.Context, a *identity.Actor, want identity.Grant) (bool, error) {
	for _, held := range a.Grants {
		ok := false
		for _, r := range grantable(held.Role) {
			ok = ok || r == want.Role
		}
		if !ok {
			continue
		}
		var one int
		err := g.S.DB.Read().QueryRowContext(ctx, "SELECT 1 FROM org_tree WHERE ancestor_id = $1 AND descendant_id = $2", held.OrgID, want.OrgID).Scan(&one)
		if err == nil {
			return true, nil
		}
		if !store.IsNoRows(err) {
			return false, err
		}
	}
	return false, nil
}

func (g *Admin) target(ctx context.Context, id int64) (access.Target, error) {
	grants, err := g.S.Grants(ctx, g.S.DB.Read(), id)
	if err != nil {
		return access.Target{}, err
	}
	t := access.Target{AccountID: id}
	for _, gr := range grants {
		t.OrgIDs = append(t.OrgIDs, gr.OrgID)
	}
	return t, nil
}

// check decides action on account id; one's own account is managed only
// through the profile pages.
func (g *Admin) check(ctx context.Context, id int64, action string) error {
	a := identity.From(ctx)
	t, err := g.target(ctx, id)
	if err != nil {
		return err
	}
	if err := g.Policy.Check(ctx, a, Resource, action, t); err != nil {
		return err
	}
	if id == a.AccountID && action != "read" {
		return errs.E(errs.Forbidden, "you cannot administer your own account")
	}
	return nil
}

// List returns the accounts within the actor's scope whose login contains q.
func (g *Admin) List(ctx context.Context, q string, after int64, limit int) ([]Account, error) {
	sc := g.Policy.ListScope(identity.From(ctx), Resource, "list")
	if sc.Empty() {
		return nil, g.Policy.Check(ctx, identity.From(ctx), Resource, "list", access.Target{})
	}
	var args store.Args
	where := "a.id > " + args.Add(after)
	if q = strings.ToLower(strings.TrimSpace(q)); q != "" {
		where += " AND a.login LIKE " + args.Add("%"+likeEscape(q)+"%") + ` ESCAPE '\'`
	}
	if !sc.All {
		// Every grant of a listed account lies within the scope, and it has one.
		where += " AND EXISTS (SELECT 1 FROM account_grants g WHERE g.account_id = a.id)" +
			" AND NOT EXISTS (SELECT 1 FROM account_grants g WHERE g.account_id = a.id AND NOT " + sc.OrgSQL("g.org_id", &args) + ")"
	}
	rows, err := g.S.DB.Read().QueryContext(ctx, "SELECT a.id FROM accounts a WHERE "+where+" ORDER BY a.id LIMIT "+args.Add(limit), args.Values...)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			_ = rows.Close() // the error returned below is the one to report
			return nil, err
		}
		ids = append(ids, id)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	out := []Account{}
	for _, id := range ids {
		acc, err := g.S.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, acc)
	}
	return out, nil
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

// Create makes an account with one grant the actor may hand out, returning
// its one-time activation code.
func (g *Admin) Create(ctx context.Context, login string, grant identity.Grant) (Account, string, error) {
	a := identity.From(ctx)
	if err := g.Policy.Check(ctx, a, Resource, "create", access.Target{OrgIDs: []int64{grant.OrgID}}); err != nil {
		return Account{}, "", err
	}
	ok, err := g.mayGrant(ctx, a, grant)
	if err != nil {
		return Account{}, "", err
	}
	if !ok {
		return Account{}, "", &errs.Error{Code: errs.Forbidden, Message: "you may not grant this role there",
			Fields: []errs.FieldError{{Field: "role", Rule: "grantable", Message: "a role above your own, or outside your organisations"}}}
	}
	return g.S.Create(ctx, login, []identity.Grant{grant})
}

// SetDisabled disables or enables an account in scope.
func (g *Admin) SetDisabled(ctx context.Context, id int64, disabled bool) error {
	if err := g.check(ctx, id, "update"); err != nil {
		return err
	}
	return g.S.SetDisabled(ctx, id, disabled)
}

// ResetPassword issues a one-time code for an account in scope.
func (g *Admin) ResetPassword(ctx context.Context, id int64) (string, error) {
	if err := g.check(ctx, id, "update"); err != nil {
		return "", err
	}
	return g.S.ResetPassword(ctx, id)
}

// Get returns an account in scope.
func (g *Admin) Get(ctx context.Context, id int64) (Account, error) {
	if err := g.check(ctx, id, "read"); err != nil {
		return Account{}, err
	}
	return g.S.Get(ctx, id)
}
