package org_test

import (
	"context"
	"testing"

	"shkola/internal/access"
	"shkola/internal/audit"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/org"
	"shkola/internal/store"
	"shkola/internal/store/storetest"
)

type guardTree struct {
	region, munA, munB, schoolA, schoolB org.Organisation
}

func guarded(t *testing.T) (*org.Guard, *store.DB, guardTree) {
	t.Helper()
	db := storetest.Open(t, org.Migrations(), audit.Migrations())
	svc := org.NewService(db)
	m, err := access.LoadMatrix()
	if err != nil {
		t.Fatal(err)
	}
	g := &org.Guard{S: svc, Policy: access.NewPolicy(m, db), Audit: audit.New(db, nil, nil)}
	ctx := context.Background()
	mk := func(parent *int64, kind org.Kind, name, inn, ogrn string) org.Organisation {
		o, err := svc.Create(ctx, org.New{ParentID: parent, Kind: kind, Name: name, Country: org.RU, INN: inn, OGRN: ogrn})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	var tr guardTree
	tr.region = mk(nil, org.Region, "Регион", "", "")
	tr.munA = mk(&tr.region.ID, org.Municipality, "Округ А", "", "")
	tr.munB = mk(&tr.region.ID, org.Municipality, "Округ Б", "", "")
	tr.schoolA = mk(&tr.munA.ID, org.School, "Школа А", "", "")
	tr.schoolB = mk(&tr.munB.ID, org.School, "Школа Б", "", "")
	return g, db, tr
}

func as(role identity.Role, orgID int64) context.Context {
	return identity.With(context.Background(), &identity.Actor{AccountID: 42, Login: "t", Grants: []identity.Grant{{Role: role, OrgID: orgID}}})
}

func TestGuardDecidesByRoleAndScope(t *testing.T) {
	g, db, tr := guarded(t)
	name := "Новое имя"
	cases := []struct {
		name string
		ctx  context.Context
		id   int64
		want errs.Code // "" means allowed
	}{
		{"school admin, own school", as(identity.SchoolAdmin, tr.schoolA.ID), tr.schoolA.ID, ""},
		{"school admin, other school is invisible", as(identity.SchoolAdmin, tr.schoolA.ID), tr.schoolB.ID, errs.Forbidden},
		{"municipal officer, school in own municipality", as(identity.MunicipalOfficer, tr.munA.ID), tr.schoolA.ID, ""},
		{"municipal officer, other municipality", as(identity.MunicipalOfficer, tr.munA.ID), tr.schoolB.ID, errs.Forbidden},
		{"regional officer, anywhere", as(identity.RegionalOfficer, tr.region.ID), tr.schoolB.ID, ""},
		{"inspector reads but changes nothing", as(identity.Inspector, tr.region.ID), tr.schoolA.ID, errs.Forbidden},
		{"teacher", as(identity.Teacher, tr.schoolA.ID), tr.schoolA.ID, errs.Forbidden},
		{"operator", as(identity.Operator, tr.region.ID), tr.schoolA.ID, errs.Forbidden},
		{"anonymous", context.Background(), tr.schoolA.ID, errs.Forbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cur, err := g.S.Get(context.Background(), tc.id)
			if err != nil {
				t.Fatal(err)
			}
			n := name + " " + tc.name // each allowed case really changes something
			_, err = g.Update(tc.ctx, tc.id, cur.Version, org.Patch{Name: &n})
			if got := errs.Code(""); err != nil {
				got = errs.CodeOf(err)
				if tc.want == "" || got != tc.want {
					t.Fatalf("err %v, want %q", err, tc.want)
				}
				return
			}
			if tc.want != "" {
				t.Fatalf("allowed, want %s", tc.want)
			}
		})
	}
	// Every allowed change left exactly one audit entry.
	var updates int
	if err := db.R.QueryRow("SELECT COUNT(*) FROM audit_log WHERE action = 'record.update'").Scan(&updates); err != nil {
		t.Fatal(err)
	}
	if updates != 3 {
		t.Fatalf("%d audited updates, want 3", updates)
	}
}

func TestGuardCreateChecksTheParent(t *testing.T) {
	g, _, tr := guarded(t)
	ctx := as(identity.MunicipalOfficer, tr.munA.ID)
	if _, err := g.Create(ctx, org.New{ParentID: &tr.munA.ID, Kind: org.School, Name: "Школа В", Country: org.RU}); err != nil {
		t.Fatalf("create in own municipality: %v", err)
	}
	_, err := g.Create(ctx, org.New{ParentID: &tr.munB.ID, Kind: org.School, Name: "Школа Г", Country: org.RU})
	// The directory is public, so the parent is visible: forbidden, not 404.
	if errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("create under another municipality: %v, want forbidden", err)
	}
	list, err := g.S.List(context.Background(), org.Filter{Q: "Школа Г", Limit: 10})
	if err != nil || len(list) != 0 {
		t.Fatalf("refused create left %d rows (%v)", len(list), err)
	}
}

// The audit entry is part of the change: when it cannot be written, the
// change is not made.
func TestGuardFailsClosedWithoutAudit(t *testing.T) {
	g, _, tr := guarded(t)
	g.Audit = nil
	name := "Не должно сохраниться"
	_, err := g.Update(as(identity.RegionalOfficer, tr.region.ID), tr.schoolA.ID, tr.schoolA.Version, org.Patch{Name: &name})
	if err == nil {
		t.Fatal("update without an audit log succeeded")
	}
	cur, err := g.S.Get(context.Background(), tr.schoolA.ID)
	if err != nil || cur.Name == name || cur.Version != tr.schoolA.Version {
		t.Fatalf("unaudited change was written: %+v %v", cur, err)
	}
}
