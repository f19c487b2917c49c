package demo

import (
	"context"

	"shkola/internal/identity"
	"shkola/internal/store"
)

// DemoPassword is the password of every demo account. The demo is for
// trying the system on one's own machine; it is printed at start.
const DemoPassword = "shkola-demo-2026"

// genAccounts makes one account per role people will want to try, printed
// by `serve --demo`.
func genAccounts(ctx context.Context, g *Gen, tx *store.Tx) error {
	if g.Accounts == nil {
		return nil
	}
	school, mun := g.Schools[0], g.Municipalities[0]
	for _, d := range []struct {
		login string
		role  identity.Role
		org   int64
		where string
	}{
		{"operator", identity.Operator, g.Region.ID, g.Region.ShortName},
		{"minobr", identity.RegionalOfficer, g.Region.ID, g.Region.ShortName},
		{"inspector", identity.Inspector, g.Region.ID, g.Region.ShortName},
		{"uo1", identity.MunicipalOfficer, mun.ID, mun.ShortName},
		{"director1", identity.SchoolAdmin, school.ID, school.ShortName},
		{"teacher1", identity.Teacher, school.ID, school.ShortName},
	} {
		if _, err := g.Accounts.Seed(ctx, tx, d.login, DemoPassword, []identity.Grant{{Role: d.role, OrgID: d.org}}); err != nil {
			return err
		}
		g.Sum.Counts["accounts"]++
		g.Sum.Logins = append(g.Sum.Logins, Login{Login: d.login, Password: DemoPassword, Role: string(d.role), Org: d.where})
	}
	return nil
}
