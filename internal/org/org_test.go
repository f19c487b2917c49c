package org_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"shkola/internal/errs"
	"shkola/internal/org"
	"shkola/internal/store"
	"shkola/internal/store/storetest"
)

func newService(t *testing.T) *org.Service {
	t.Helper()
	db := storetest.Open(t, org.Migrations())
	s := org.NewService(db)
	clock := time.Date(2025, 9, 1, 8, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { clock = clock.Add(time.Minute); return clock }
	s.Actor = func(context.Context) string { return "tester" }
	return s
}

func mustCreate(t *testing.T, s *org.Service, n org.New) org.Organisation {
	t.Helper()
	o, err := s.Create(context.Background(), n)
	if err != nil {
		t.Fatalf("create %s: %v", n.Name, err)
	}
	return o
}

func ptr[T any](v T) *T { return &v }

// fieldErr asserts err is a validation error naming field with rule.
func fieldErr(t *testing.T, err error, code errs.Code, field, rule string) {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("want %s error on %s/%s, got %v", code, field, rule, err)
	}
	for _, f := range e.Fields {
		if f.Field == field && f.Rule == rule {
			return
		}
	}
	t.Fatalf("error %v does not name %s/%s (fields %+v)", err, field, rule, e.Fields)
}

type tree struct {
	region, muni1, muni2, school1, school2, college org.Organisation
}

func buildTree(t *testing.T, s *org.Service) tree {
	var tr tree
	tr.region = mustCreate(t, s, org.New{Kind: org.Region, Name: "Приозёрная область", Country: org.RU})
	tr.muni1 = mustCreate(t, s, org.New{Kind: org.Municipality, ParentID: &tr.region.ID, Name: "Городской округ «Новоречинск»", Country: org.RU})
	tr.muni2 = mustCreate(t, s, org.New{Kind: org.Municipality, ParentID: &tr.region.ID, Name: "Муниципальный район «Белодольский»", Country: org.RU})
	tr.school1 = mustCreate(t, s, org.New{Kind: org.School, ParentID: &tr.muni1.ID, Name: "МБОУ «Средняя общеобразовательная школа № 5»",
		ShortName: "СОШ № 5", Country: org.RU, INN: "7707083893", OGRN: "1027700132195", Address: "г. Новоречинск, ул. Садовая, д. 3"})
	tr.school2 = mustCreate(t, s, org.New{Kind: org.School, ParentID: &tr.muni2.ID, Name: "МАОУ «Ёлкинская гимназия № 2»", Country: org.RU})
	tr.college = mustCreate(t, s, org.New{Kind: org.College, ParentID: &tr.region.ID, Name: "ГБПОУ «Педагогический колледж»", Country: org.RU})
	return tr
}

func ids(os []org.Organisation) []int64 {
	out := []int64{}
	for _, o := range os {
		out = append(out, o.ID)
	}
	return out
}

func sameIDs(t *testing.T, what string, got []org.Organisation, want ...org.Organisation) {
	t.Helper()
	g, w := ids(got), ids(want)
	if len(g) != len(w) {
		t.Fatalf("%s: got %v, want %v", what, g, w)
	}
	for i := range g {
		if g[i] != w[i] {
			t.Fatalf("%s: got %v, want %v", what, g, w)
		}
	}
}

func TestCreateAndGet(t *testing.T) {
	s := newService(t)
	tr := buildTree(t, s)
	got, err := s.Get(context.Background(), tr.school1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "МБОУ «Средняя общеобразовательная школа № 5»" || got.INN != "7707083893" || got.OGRN != "1027700132195" ||
		got.Status != org.Active || got.Version != 1 || *got.ParentID != tr.muni1.ID || got.CreatedAt.IsZero() {
		t.Fatalf("stored organisation differs: %+v", got)
	}
	if _, err := s.Get(context.Background(), 999999); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("unknown id: %v", err)
	}
}

// The closure table holds every ancestor pair with its depth and the self
// row, which other domains rely on for scope checks.
func TestClosureTable(t *testing.T) {
	s := newService(t)
	tr := buildTree(t, s)
	ctx := context.Background()
	check := func(anc, desc int64, depth int) {
		t.Helper()
		var d int
		if err := s.DB.R.QueryRowContext(ctx, "SELECT depth FROM org_tree WHERE ancestor_id = $1 AND descendant_id = $2", anc, desc).Scan(&d); err != nil || d != depth {
			t.Fatalf("org_tree(%d, %d): depth %d, %v; want %d", anc, desc, d, err, depth)
		}
	}
	check(tr.school1.ID, tr.school1.ID, 0)
	check(tr.muni1.ID, tr.school1.ID, 1)
	check(tr.region.ID, tr.school1.ID, 2)
	check(tr.region.ID, tr.college.ID, 1)
	var n int
	if err := s.DB.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM org_tree WHERE ancestor_id = $1 AND descendant_id = $2", tr.muni2.ID, tr.school1.ID).Scan(&n); err != nil || n != 0 {
		t.Fatalf("school of one municipality is under the other: %d %v", n, err)
	}
	anc, err := s.Ancestors(ctx, tr.school1.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "ancestors", anc, tr.region, tr.muni1)
}

func TestTreeShapeIsEnforced(t *testing.T) {
	s := newService(t)
	tr := buildTree(t, s)
	ctx := context.Background()
	cases := []struct {
		name        string
		n           org.New
		field, rule string
	}{
		{"school without parent", org.New{Kind: org.School, Name: "X", Country: org.RU}, "parent_id", "required"},
		{"region under region", org.New{Kind: org.Region, ParentID: &tr.region.ID, Name: "X", Country: org.RU}, "parent_id", "forbidden"},
		{"municipality under municipality", org.New{Kind: org.Municipality, ParentID: &tr.muni1.ID, Name: "X", Country: org.RU}, "parent_id", "kind"},
		{"school under school", org.New{Kind: org.School, ParentID: &tr.school1.ID, Name: "X", Country: org.RU}, "parent_id", "kind"},
		{"unknown parent", org.New{Kind: org.School, ParentID: ptr(int64(424242)), Name: "X", Country: org.RU}, "parent_id", "exists"},
		{"unknown kind", org.New{Kind: "university", ParentID: &tr.muni1.ID, Name: "X", Country: org.RU}, "kind", "enum"},
		{"no name", org.New{Kind: org.School, ParentID: &tr.muni1.ID, Name: "  ", Country: org.RU}, "name", "required"},
		{"bad INN checksum", org.New{Kind: org.School, ParentID: &tr.muni1.ID, Name: "X", Country: org.RU, INN: "7707083894"}, "inn", "checksum"},
		{"person INN for a school", org.New{Kind: org.School, ParentID: &tr.muni1.ID, Name: "X", Country: org.RU, INN: "500100732259"}, "inn", "length"},
		{"bad OGRN", org.New{Kind: org.School, ParentID: &tr.muni1.ID, Name: "X", Country: org.RU, OGRN: "1027700132196"}, "ogrn", "checksum"},
		{"EDRPOU in Russia", org.New{Kind: org.School, ParentID: &tr.muni1.ID, Name: "X", Country: org.RU, EDRPOU: "14360570"}, "edrpou", "country"},
		{"UA school under RU municipality", org.New{Kind: org.School, ParentID: &tr.muni1.ID, Name: "X", Country: org.UA, EDRPOU: "14360570"}, "country", "parent"},
		{"unknown country", org.New{Kind: org.Region, Name: "X", Country: "BY"}, "country", "enum"},
	}
	for _, c := range cases {
		_, err := s.Create(ctx, c.n)
		t.Run(c.name, func(t *testing.T) { fieldErr(t, err, errs.Invalid, c.field, c.rule) })
	}
	// A Ukrainian tree takes EDRPOU and refuses a bad one.
	ua := mustCreate(t, s, org.New{Kind: org.Region, Name: "Тестова область", Country: org.UA})
	if _, err := s.Create(ctx, org.New{Kind: org.School, ParentID: &ua.ID, Name: "Ліцей № 1", Country: org.UA, EDRPOU: "14360571"}); err == nil {
		t.Fatal("bad EDRPOU accepted")
	}
	mustCreate(t, s, org.New{Kind: org.School, ParentID: &ua.ID, Name: "Ліцей № 1", Country: org.UA, EDRPOU: " 14360570 "})
	// Identifiers are unique.
	_, err := s.Create(ctx, org.New{Kind: org.School, ParentID: &tr.muni1.ID, Name: "Дубль", Country: org.RU, INN: "7707083893"})
	fieldErr(t, err, errs.Conflict, "inn", "unique")
	// Nothing of the refused attempts was written.
	n, err := s.Count(ctx)
	if err != nil || n != 8 {
		t.Fatalf("count %d, %v; want 8", n, err)
	}
}

func TestListFilters(t *testing.T) {
	s := newService(t)
	tr := buildTree(t, s)
	ctx := context.Background()
	list := func(f org.Filter) []org.Organisation {
		t.Helper()
		if f.Limit == 0 {
			f.Limit = 100
		}
		out, err := s.List(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	sameIDs(t, "all", list(org.Filter{}), tr.region, tr.muni1, tr.muni2, tr.school1, tr.school2, tr.college)
	sameIDs(t, "schools", list(org.Filter{Kind: org.School}), tr.school1, tr.school2)
	sameIDs(t, "children of region", list(org.Filter{Parent: tr.region.ID}), tr.muni1, tr.muni2, tr.college)
	sameIDs(t, "within muni1", list(org.Filter{Within: tr.muni1.ID}), tr.muni1, tr.school1)
	sameIDs(t, "schools within region", list(org.Filter{Within: tr.region.ID, Kind: org.School}), tr.school1, tr.school2)
	// Case-insensitive Cyrillic search, ё = е, quotes ignored, short name too.
	sameIDs(t, "q гимназия", list(org.Filter{Q: "ГИМНАЗИЯ"}), tr.school2)
	sameIDs(t, "q елкинская", list(org.Filter{Q: "елкинская"}), tr.school2)
	sameIDs(t, "q with quotes", list(org.Filter{Q: "МБОУ «средняя"}), tr.school1)
	sameIDs(t, "q short name", list(org.Filter{Q: "сош № 5"}), tr.school1)
	sameIDs(t, "q percent is literal", list(org.Filter{Q: "%"}))
	sameIDs(t, "paging", list(org.Filter{After: tr.muni2.ID, Limit: 2}), tr.school1, tr.school2)
	if _, err := s.List(ctx, org.Filter{Kind: "castle", Limit: 10}); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("unknown kind: %v", err)
	}
}

func TestUpdateWithVersions(t *testing.T) {
	s := newService(t)
	tr := buildTree(t, s)
	ctx := context.Background()
	o, err := s.Update(ctx, tr.school1.ID, 1, org.Patch{Name: ptr("МБОУ «Лицей № 5»"), Address: ptr("г. Новоречинск, ул. Лесная, д. 1")})
	if err != nil {
		t.Fatal(err)
	}
	if o.Version != 2 || o.Name != "МБОУ «Лицей № 5»" {
		t.Fatalf("after update: %+v", o)
	}
	// The stored row is what Update returned, and the search follows the new name.
	if got, _ := s.Get(ctx, o.ID); got.Name != o.Name || got.Version != 2 || got.OGRN != "1027700132195" {
		t.Fatalf("stored: %+v", got)
	}
	if l, _ := s.List(ctx, org.Filter{Q: "лицей", Limit: 10}); len(l) != 1 || l[0].ID != o.ID {
		t.Fatalf("search after rename: %v", ids(l))
	}
	// A second editor still holding version 1 is refused and changes nothing.
	_, err = s.Update(ctx, tr.school1.ID, 1, org.Patch{Name: ptr("Чужая правка")})
	if errs.CodeOf(err) != errs.Precondition {
		t.Fatalf("stale update: %v", err)
	}
	if got, _ := s.Get(ctx, o.ID); got.Name != "МБОУ «Лицей № 5»" || got.Version != 2 {
		t.Fatalf("stale update changed the record: %+v", got)
	}
	// Invalid values are refused with the field named; nothing changes.
	_, err = s.Update(ctx, tr.school1.ID, 2, org.Patch{INN: ptr("123")})
	fieldErr(t, err, errs.Invalid, "inn", "length")
	// A no-op update keeps the version.
	if same, err := s.Update(ctx, tr.school1.ID, 2, org.Patch{Name: ptr("МБОУ «Лицей № 5»")}); err != nil || same.Version != 2 {
		t.Fatalf("no-op update: %v %+v", err, same)
	}
	if _, err := s.Update(ctx, 999999, 1, org.Patch{}); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("unknown id: %v", err)
	}

	h, err := s.History(ctx, tr.school1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 2 || h[0].Version != 1 || h[1].Version != 2 || h[1].ChangedBy != "tester" {
		t.Fatalf("history: %+v", h)
	}
	name := h[1].Changes["name"]
	if name.Old != "МБОУ «Средняя общеобразовательная школа № 5»" || name.New != "МБОУ «Лицей № 5»" {
		t.Fatalf("history of name: %+v", name)
	}
	if _, ok := h[1].Changes["inn"]; ok || len(h[1].Changes) != 2 {
		t.Fatalf("history lists unchanged fields: %+v", h[1].Changes)
	}
	if h[0].Changes["inn"].New != "7707083893" {
		t.Fatalf("creation entry: %+v", h[0].Changes)
	}
	// Each write is in the change log.
	ch, err := s.DB.ChangesSince(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	last := ch[len(ch)-1]
	if len(ch) != 7 || last.Entity != "organisation" || last.Op != store.OpUpdate || last.Actor != "tester" {
		t.Fatalf("change log: %d entries, last %+v", len(ch), last)
	}
}

func TestChangeStatus(t *testing.T) {
	s := newService(t)
	tr := buildTree(t, s)
	ctx := context.Background()
	_, err := s.ChangeStatus(ctx, tr.muni1.ID, 1, org.Liquidated)
	fieldErr(t, err, errs.Invalid, "status", "children")
	o, err := s.ChangeStatus(ctx, tr.school1.ID, 1, org.Liquidated)
	if err != nil || o.Status != org.Liquidated || o.Version != 2 {
		t.Fatalf("liquidate school: %v %+v", err, o)
	}
	if l, _ := s.List(ctx, org.Filter{Status: org.Liquidated, Limit: 10}); len(l) != 1 || l[0].ID != tr.school1.ID {
		t.Fatalf("status filter: %v", ids(l))
	}
	if _, err := s.ChangeStatus(ctx, tr.muni1.ID, 1, org.Liquidated); err != nil {
		t.Fatalf("liquidate empty municipality: %v", err)
	}
	_, err = s.Create(ctx, org.New{Kind: org.School, ParentID: &tr.muni1.ID, Name: "Новая", Country: org.RU})
	fieldErr(t, err, errs.Invalid, "parent_id", "status")
	_, err = s.ChangeStatus(ctx, tr.school2.ID, 1, "closed")
	fieldErr(t, err, errs.Invalid, "status", "enum")
	h, _ := s.History(ctx, tr.school1.ID)
	if len(h) != 2 || h[1].Changes["status"].Old != "active" || h[1].Changes["status"].New != "liquidated" {
		t.Fatalf("status history: %+v", h)
	}
}
