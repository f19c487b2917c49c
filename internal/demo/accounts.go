package demo

import (
	"context"

	"shkola/internal/identity"
	"shkola/internal/store"
)

// DemoPassword is the password of every demo account. The demo is for
// trying the system on one's own machine; it is printed at start.
const DemoPassword = "shkola-demo-2026" // #nosec G101 -- the demo region's published password (README); it exists only in demo databases

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
	return linkedAccounts(ctx, g, tx, school.ID, school.ShortName)
}

// linkedAccounts gives the people of the first school's first class a face
// to log in with: its class teacher (teacher1 becomes that person, also
// class teacher), a parent of one of its pupils (one with most children at
// the school, so the diary's switcher can be tried), and a pupil of 14 or older
// of the school, so the relationships can be tried from the browser.
func linkedAccounts(ctx context.Context, g *Gen, tx *store.Tx, school int64, where string) error {
	if g.People == nil {
		return nil
	}
	var class, teacher, parent, pupil int64
	err := tx.QueryRowContext(ctx, `SELECT g.id, g.class_teacher_id, gd.guardian_id FROM groups g
		JOIN group_members m ON m.group_id = g.id AND m.ends_on IS NULL
		JOIN guardianships gd ON gd.child_id = m.person_id AND gd.ends_on IS NULL
		WHERE g.org_id = $1 AND g.kind = 'class' AND g.class_teacher_id IS NOT NULL
		ORDER BY g.parallel, g.letter, (SELECT COUNT(*) FROM guardianships o WHERE o.guardian_id = gd.guardian_id AND o.ends_on IS NULL) DESC,
			m.person_id, gd.id LIMIT 1`, school).Scan(&class, &teacher, &parent)
	if err != nil {
		if store.IsNoRows(err) {
			return nil
		}
		return err
	}
	if err := tx.QueryRowContext(ctx, `SELECT p.id FROM persons p JOIN group_members m ON m.person_id = p.id AND m.ends_on IS NULL
		JOIN groups g ON g.id = m.group_id AND g.kind = 'class' AND g.org_id = $1 AND g.parallel >= 9
		ORDER BY g.parallel, p.id LIMIT 1`, school).Scan(&pupil); err != nil && !store.IsNoRows(err) {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE accounts SET person_id = $1 WHERE login = 'teacher1'", teacher); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO account_grants (account_id, role, org_id, granted_at) SELECT id, $1, $2, $3 FROM accounts WHERE login = 'teacher1'",
		string(identity.ClassTeacher), school, Epoch()); err != nil {
		return err
	}
	g.Sum.Logins[len(g.Sum.Logins)-1].Role += ", class_teacher"
	for _, d := range []struct {
		login  string
		role   identity.Role
		person int64
	}{{"parent1", identity.Guardian, parent}, {"pupil1", identity.Student, pupil}} {
		if d.person == 0 {
			continue
		}
		id, err := g.Accounts.Seed(ctx, tx, d.login, DemoPassword, []identity.Grant{{Role: d.role, OrgID: school}})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE accounts SET person_id = $1 WHERE id = $2", d.person, id); err != nil {
			return err
		}
		g.Sum.Counts["accounts"]++
		g.Sum.Logins = append(g.Sum.Logins, Login{Login: d.login, Password: DemoPassword, Role: string(d.role), Org: where})
	}
	return nil
}
