package directory_test

import (
	"context"
	"strings"
	"testing"

	"shkola/internal/access"
	"shkola/internal/audit"
	"shkola/internal/directory"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/org"
)

func guarded(t *testing.T) (*directory.Guard, org.Organisation, org.Organisation) {
	t.Helper()
	s := open(t)
	m, err := access.LoadMatrix()
	if err != nil {
		t.Fatal(err)
	}
	orgs := org.NewService(s.DB)
	ctx := context.Background()
	region, err := orgs.Create(ctx, org.New{Kind: org.Region, Name: "Регион", Country: org.RU})
	if err != nil {
		t.Fatal(err)
	}
	muni, err := orgs.Create(ctx, org.New{ParentID: &region.ID, Kind: org.Municipality, Name: "Округ", Country: org.RU})
	if err != nil {
		t.Fatal(err)
	}
	return &directory.Guard{S: s, Policy: access.NewPolicy(m, s.DB), Audit: audit.New(s.DB, nil, nil)}, region, muni
}

func as(role identity.Role, orgID int64) context.Context {
	return identity.With(context.Background(), &identity.Actor{AccountID: 42, Login: "u-" + string(role),
		Grants: []identity.Grant{{Role: role, OrgID: orgID}}})
}

// Everybody reads; only a regional officer whose grant covers the region
// changes, and every change is audited with its fields.
func TestGuardDecides(t *testing.T) {
	g, region, muni := guarded(t)
	cases := []struct {
		name string
		ctx  context.Context
		want errs.Code // "" means allowed
	}{
		{"regional officer of the region", as(identity.RegionalOfficer, region.ID), ""},
		{"regional officer granted below the region", as(identity.RegionalOfficer, muni.ID), errs.Forbidden},
		{"municipal officer", as(identity.MunicipalOfficer, region.ID), errs.Forbidden},
		{"school admin", as(identity.SchoolAdmin, region.ID), errs.Forbidden},
		{"teacher", as(identity.Teacher, region.ID), errs.Forbidden},
		{"inspector", as(identity.Inspector, region.ID), errs.Forbidden},
		{"operator", as(identity.Operator, region.ID), errs.Forbidden},
		{"anonymous", context.Background(), errs.Unauthorized},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := g.List(tc.ctx, "subject", false); err != nil {
				t.Fatalf("read: %v", err)
			}
			code := "x" + string(rune('a'+i))
			_, errC := g.Create(tc.ctx, "subject", directory.New{Code: code, NameRU: "Предмет"})
			cur, _ := g.S.Get(context.Background(), "subject", "astr")
			_, errU := g.Update(tc.ctx, "subject", "astr", cur.Version, directory.Patch{NameEN: ptr("Astronomy " + tc.name)})
			_, errI := g.Import(tc.ctx, "subject", strings.NewReader("code,name_ru\n"+code+"i,Предмет\n"), false)
			for what, err := range map[string]error{"create": errC, "update": errU, "import": errI} {
				if got := errs.CodeOf(err); (err == nil) != (tc.want == "") || (err != nil && got != tc.want) {
					t.Errorf("%s: %v, want %q", what, err, tc.want)
				}
			}
		})
	}
	// The officer's create, update and import: one entry each, plus the
	// import itself; the create lists every field, the update only the
	// changed one with its old value.
	rows, err := g.S.DB.R.Query(`SELECT action, object_type, object_id, changes FROM audit_log
		WHERE action IN ('record.create', 'record.update', 'import') ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var action, typ, id, changes string
		if err := rows.Scan(&action, &typ, &id, &changes); err != nil {
			t.Fatal(err)
		}
		got = append(got, action+" "+typ+" "+id+" "+changes)
	}
	if len(got) != 4 || !strings.HasPrefix(got[0], "record.create directory_entry subject/xa ") || !strings.Contains(got[0], `{"field":"code","new":"xa"}`) ||
		!strings.Contains(got[1], `[{"field":"name_en","old":"Astronomy","new":"Astronomy regional officer of the region"}]`) ||
		!strings.HasPrefix(got[2], "record.create directory_entry subject/xai ") || !strings.HasPrefix(got[3], "import directory subject ") {
		t.Fatalf("audit entries:\n%s", strings.Join(got, "\n"))
	}
	if !g.CanChange(as(identity.RegionalOfficer, region.ID)) || g.CanChange(as(identity.RegionalOfficer, muni.ID)) || g.CanChange(context.Background()) {
		t.Fatal("CanChange disagrees with the policy")
	}
}

// A dry run changes nothing and leaves no audit entry of a change.
func TestGuardDryRunIsNotAChange(t *testing.T) {
	g, region, _ := guarded(t)
	ctx := as(identity.RegionalOfficer, region.ID)
	rep, err := g.Import(ctx, "subject", strings.NewReader("code,name_ru\nlat,Латынь\n"), true)
	if err != nil || rep.Created != 1 {
		t.Fatalf("dry run: %v %+v", err, rep)
	}
	var n int
	if err := g.S.DB.R.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action IN ('record.create', 'import')`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("dry run audited as a change: %d %v", n, err)
	}
	if _, err := g.Import(as(identity.Teacher, region.ID), "subject", strings.NewReader("code,name_ru\nlat,Латынь\n"), true); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("teacher's dry run: %v", err)
	}
}
