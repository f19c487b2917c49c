package directory_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"shkola/internal/audit"
	"shkola/internal/directory"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/org"
	"shkola/internal/store"
	"shkola/internal/store/storetest"
)

func open(t *testing.T) *directory.Service {
	t.Helper()
	db := storetest.Open(t, org.Migrations(), audit.Migrations(), directory.Migrations())
	s := directory.NewService(db)
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { now = now.Add(time.Minute); return now }
	return s
}

func officer() context.Context {
	return identity.With(context.Background(), &identity.Actor{AccountID: 7, Login: "officer",
		Grants: []identity.Grant{{Role: identity.RegionalOfficer, OrgID: 1}}})
}

func ptr[T any](v T) *T { return &v }

// fieldErr fails unless err has code and names field with rule.
func fieldErr(t *testing.T, err error, code errs.Code, field, rule string) {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("err %v, want %s", err, code)
	}
	for _, f := range e.Fields {
		if f.Field == field && f.Rule == rule {
			return
		}
	}
	t.Fatalf("err %v does not name %s/%s: %+v", err, field, rule, e.Fields)
}

// The migration seeds every directory with the codes other domains use.
func TestSeededDirectories(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	sums, err := s.Directories(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"subject": 27, "work_kind": 9, "lesson_kind": 6, "absence_reason": 3, "document_type": 13,
		"education_level": 8, "form_of_study": 6, "health_group": 5, "pe_group": 5, "disability_group": 4,
		"achievement_level": 5, "achievement_result": 3, "position": 12}
	if len(sums) != len(directory.Names()) {
		t.Fatalf("%d directories, want %d", len(sums), len(directory.Names()))
	}
	for _, sm := range sums {
		if n, ok := want[sm.Name]; ok && (sm.Entries != n || sm.Active != n) {
			t.Errorf("%s: %d entries (%d active), want %d", sm.Name, sm.Entries, sm.Active, n)
		}
	}
	for _, c := range []struct{ dir, code string }{
		{"subject", "math"}, {"subject", "ukr_lit"}, {"subject", "odnknr"}, {"work_kind", "control"}, {"lesson_kind", "excursion"},
		{"absence_reason", "unexcused"}, {"document_type", "power_of_attorney"}, {"education_level", "ru_basic"},
		{"form_of_study", "self_education"}, {"health_group", "IV"}, {"pe_group", "special_b"}, {"disability_group", "group_3"},
		{"achievement_level", "international"}, {"achievement_result", "prize_winner"}, {"position", "speech_therapist"},
		{"citizenship", "RU"}, {"citizenship", "UA"}, {"citizenship", "KG"}, {"citizenship", "XX"},
	} {
		if ok, err := s.Has(ctx, c.dir, c.code); err != nil || !ok {
			t.Errorf("%s/%s: %v %v", c.dir, c.code, ok, err)
		}
	}
	if ok, err := s.Has(ctx, "subject", "alchemy"); err != nil || ok {
		t.Errorf("unknown code: %v %v", ok, err)
	}
	if _, err := s.Has(ctx, "grading_scheme", "5"); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("unknown directory: %v", err)
	}
	kinds, err := s.List(ctx, "work_kind", false)
	if err != nil {
		t.Fatal(err)
	}
	weights := map[string]int64{}
	for _, k := range kinds {
		weights[k.Code], _ = k.Attrs["weight"].(int64)
	}
	if weights["oral"] != 1 || weights["test"] != 2 || weights["control"] != 3 || kinds[0].Code != "oral" {
		t.Errorf("work kinds: %v, first %s", weights, kinds[0].Code)
	}
	docs, _ := s.List(ctx, "document_type", false)
	for _, d := range docs {
		representation := slices.Contains([]string{"guardianship_order", "trusteeship_order", "adoption_certificate", "power_of_attorney"}, d.Code)
		if d.Attrs["representation"] == true != representation || d.Attrs["identity"] == true == representation {
			t.Errorf("document type %s: attrs %v", d.Code, d.Attrs)
		}
	}
	reasons, _ := s.List(ctx, "absence_reason", false)
	if len(reasons) != 3 || reasons[2].Code != "unexcused" || reasons[2].Attrs["excused"] != false || reasons[0].Attrs["excused"] != true {
		t.Errorf("absence reasons: %+v", reasons)
	}
	e, err := s.Get(ctx, "subject", "ukr")
	if err != nil {
		t.Fatal(err)
	}
	if directory.Name(e, "ru") != "Украинский язык" || directory.Name(e, "uk") != "Українська мова" || directory.Name(e, "en") != "Ukrainian language" {
		t.Errorf("names of ukr: %+v", e)
	}
	if h, err := s.History(ctx, "subject", "ukr"); err != nil || len(h) != 1 || h[0].Version != 1 || h[0].ChangedBy != "migration" {
		t.Errorf("seeded history: %+v %v", h, err)
	}
}

// Every change is a new version with its whole state in the history; a
// stale version is refused; retiring an entry keeps it readable.
func TestVersionsAndHistory(t *testing.T) {
	s := open(t)
	ctx := officer()
	e, err := s.Create(ctx, "work_kind", directory.New{Code: "quiz", NameRU: " Самостоятельная работа ", Attrs: map[string]any{"weight": 2.0}, Sort: 95})
	if err != nil {
		t.Fatal(err)
	}
	if e.Version != 1 || !e.Active || e.NameRU != "Самостоятельная работа" || e.Attrs["weight"] != int64(2) {
		t.Fatalf("created: %+v", e)
	}
	e2, err := s.Update(ctx, "work_kind", "quiz", 1, directory.Patch{NameEN: ptr("Quiz"), Attrs: &map[string]any{"weight": 1}})
	if err != nil || e2.Version != 2 || e2.NameEN != "Quiz" || e2.NameRU != "Самостоятельная работа" {
		t.Fatalf("update: %v %+v", err, e2)
	}
	// The second editor still holding version 1 is refused and changes nothing.
	_, err = s.Update(ctx, "work_kind", "quiz", 1, directory.Patch{NameEN: ptr("Other")})
	if errs.CodeOf(err) != errs.Precondition {
		t.Fatalf("stale update: %v", err)
	}
	// An update that changes nothing keeps the version.
	if same, err := s.Update(ctx, "work_kind", "quiz", 2, directory.Patch{NameEN: ptr("Quiz"), Attrs: &map[string]any{"weight": 1.0}}); err != nil || same.Version != 2 {
		t.Fatalf("no-op update: %v %+v", err, same)
	}
	// Retired: gone from Has and the default list, still readable.
	if _, err := s.Update(ctx, "work_kind", "quiz", 2, directory.Patch{Active: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.Has(ctx, "work_kind", "quiz"); ok {
		t.Fatal("a retired entry is still offered")
	}
	active, _ := s.List(ctx, "work_kind", false)
	all, _ := s.List(ctx, "work_kind", true)
	if len(active) != 9 || len(all) != 10 {
		t.Fatalf("lists: %d active, %d all", len(active), len(all))
	}
	h, err := s.History(ctx, "work_kind", "quiz")
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 3 || h[0].NameEN != "" || h[0].Attrs["weight"] != int64(2) || h[1].NameEN != "Quiz" || h[1].Attrs["weight"] != int64(1) ||
		!h[1].Active || h[2].Active || h[2].Version != 3 || h[2].ChangedBy != "officer" || !h[2].ChangedAt.After(h[1].ChangedAt) {
		t.Fatalf("history: %+v", h)
	}
	// Each write is in the change log.
	ch, err := s.DB.ChangesSince(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch) != 3 || ch[0].Op != store.OpCreate || ch[2].EntityID != "work_kind/quiz" || ch[2].Entity != "directory_entry" || ch[2].Actor != "officer" {
		t.Fatalf("change log: %+v", ch)
	}
}

func TestEntryRules(t *testing.T) {
	s := open(t)
	ctx := officer()
	for _, tc := range []struct {
		dir         string
		n           directory.New
		field, rule string
		code        errs.Code
	}{
		{"subject", directory.New{Code: "Math 2", NameRU: "x"}, "code", "format", errs.Invalid},
		{"subject", directory.New{Code: "", NameRU: "x"}, "code", "required", errs.Invalid},
		{"subject", directory.New{Code: "math", NameRU: "Ещё математика"}, "code", "unique", errs.Conflict},
		{"subject", directory.New{Code: "lat", NameRU: " "}, "name_ru", "required", errs.Invalid},
		{"subject", directory.New{Code: "lat", NameRU: "Латынь", Sort: -1}, "sort", "range", errs.Invalid},
		{"subject", directory.New{Code: "lat", NameRU: "Латынь", Attrs: map[string]any{"hours": 2}}, "attrs.hours", "unknown", errs.Invalid},
		{"work_kind", directory.New{Code: "quiz", NameRU: "Опрос"}, "attrs.weight", "required", errs.Invalid},
		{"work_kind", directory.New{Code: "quiz", NameRU: "Опрос", Attrs: map[string]any{"weight": 11}}, "attrs.weight", "range", errs.Invalid},
		{"work_kind", directory.New{Code: "quiz", NameRU: "Опрос", Attrs: map[string]any{"weight": 1.5}}, "attrs.weight", "type", errs.Invalid},
		{"absence_reason", directory.New{Code: "trip", NameRU: "Поездка", Attrs: map[string]any{"excused": "yes"}}, "attrs.excused", "type", errs.Invalid},
		{"education_level", directory.New{Code: "by_basic", NameRU: "x", Attrs: map[string]any{"country": "BY"}}, "attrs.country", "enum", errs.Invalid},
		{"citizenship", directory.New{Code: "fr", NameRU: "Франция"}, "code", "format", errs.Invalid},
		{"health_group", directory.New{Code: "VI1", NameRU: "x"}, "code", "format", errs.Invalid},
	} {
		_, err := s.Create(ctx, tc.dir, tc.n)
		fieldErr(t, err, tc.code, tc.field, tc.rule)
	}
	if _, err := s.Create(ctx, "citizenship", directory.New{Code: "FR", NameRU: "Франция", NameEN: "France"}); err != nil {
		t.Fatalf("a valid country: %v", err)
	}
	if _, err := s.Create(ctx, "grading_scheme", directory.New{Code: "five", NameRU: "x"}); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("unknown directory: %v", err)
	}
	_, err := s.Update(ctx, "subject", "math", 1, directory.Patch{NameRU: ptr("")})
	fieldErr(t, err, errs.Invalid, "name_ru", "required")
	if _, err := s.Update(ctx, "subject", "alchemy", 1, directory.Patch{}); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("unknown code: %v", err)
	}
	if e, _ := s.Get(context.Background(), "subject", "math"); e.Version != 1 || e.NameRU != "Математика" {
		t.Fatalf("refused changes changed the entry: %+v", e)
	}
}
