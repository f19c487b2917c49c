package directory_test

import (
	"context"
	"strings"
	"testing"

	"shkola/internal/errs"
)

const kinds = `code,name_ru,name_uk,name_en,attrs,sort,active
oral,Устный ответ,Усна відповідь,Oral answer,"{""weight"":1}",10,true
quiz,Самостоятельная работа,Самостійна робота,Quiz,"{""weight"":2}",15,true
control,Контрольная работа,Контрольна робота,Assessment test,"{""weight"":4}",80,true
`

func TestImportDryRunThenWriteThenAgain(t *testing.T) {
	s := open(t)
	ctx := officer()
	before, _ := s.DB.ChangesSince(ctx, 0, 1000)

	rep, err := s.Import(ctx, "work_kind", strings.NewReader(kinds), true)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.DryRun || rep.Rows != 3 || rep.Created != 1 || rep.Updated != 1 || rep.Unchanged != 1 {
		t.Fatalf("dry run report: %+v", rep)
	}
	if rep.Items[0].Action != "unchanged" || rep.Items[1].Action != "create" || rep.Items[1].Row != 3 || rep.Items[2].Action != "update" {
		t.Fatalf("dry run rows: %+v", rep.Items)
	}
	if ok, _ := s.Has(ctx, "work_kind", "quiz"); ok {
		t.Fatal("a dry run wrote the new entry")
	}
	if e, _ := s.Get(ctx, "work_kind", "control"); e.Version != 1 || e.Attrs["weight"] != int64(3) {
		t.Fatalf("a dry run changed an entry: %+v", e)
	}

	rep, err = s.Import(ctx, "work_kind", strings.NewReader(kinds), false)
	if err != nil {
		t.Fatal(err)
	}
	if rep.DryRun || rep.Created != 1 || rep.Updated != 1 || rep.Unchanged != 1 || rep.Items[1].Version != 1 || rep.Items[2].Version != 2 {
		t.Fatalf("import report: %+v", rep)
	}
	quiz, _ := s.Get(ctx, "work_kind", "quiz")
	control, _ := s.Get(ctx, "work_kind", "control")
	oral, _ := s.Get(ctx, "work_kind", "oral")
	if quiz.NameUK != "Самостійна робота" || quiz.Attrs["weight"] != int64(2) || quiz.Sort != 15 || !quiz.Active ||
		control.Version != 2 || control.Attrs["weight"] != int64(4) || oral.Version != 1 {
		t.Fatalf("after import: %+v %+v %+v", quiz, control, oral)
	}
	h, _ := s.History(ctx, "work_kind", "control")
	if len(h) != 2 || h[0].Attrs["weight"] != int64(3) || h[1].Attrs["weight"] != int64(4) {
		t.Fatalf("history after import: %+v", h)
	}
	after, _ := s.DB.ChangesSince(ctx, 0, 1000)
	if len(after)-len(before) != 2 {
		t.Fatalf("%d changes recorded, want 2", len(after)-len(before))
	}

	// The same file again changes nothing: no versions, no history, no changes.
	rep, err = s.Import(ctx, "work_kind", strings.NewReader(kinds), false)
	if err != nil || rep.Unchanged != 3 || rep.Created+rep.Updated != 0 {
		t.Fatalf("re-import: %v %+v", err, rep)
	}
	if c, _ := s.Get(ctx, "work_kind", "control"); c.Version != 2 {
		t.Fatalf("re-import bumped the version: %+v", c)
	}
	if again, _ := s.DB.ChangesSince(ctx, 0, 1000); len(again) != len(after) {
		t.Fatal("re-import recorded changes")
	}
	// Entries the file does not name are left alone.
	if ok, _ := s.Has(ctx, "work_kind", "exam"); !ok {
		t.Fatal("an entry absent from the file was retired")
	}
}

// One bad row and nothing is written, however many good rows there are;
// every problem is named by row and column.
func TestImportAllOrNothing(t *testing.T) {
	s := open(t)
	ctx := officer()
	file := `code,name_ru,attrs,sort,active
trip,Поездка,"{""excused"":true}",40,
illness,По болезни (изменено),"{""excused"":true}",10,true
Bad Code,Плохой код,"{""excused"":false}",x,maybe
late,,"{""excused"":tru}",50,true
trip,Снова поездка,"{""excused"":false}",60,true
school,Школьное мероприятие,"{""excused"":true,""paid"":1}",70,false
`
	rep, err := s.Import(ctx, "absence_reason", strings.NewReader(file), false)
	for _, want := range []struct{ field, rule string }{
		{"row 4: code", "format"}, {"row 4: sort", "format"}, {"row 4: active", "format"},
		{"row 5: name_ru", "required"}, {"row 5: attrs", "json"},
		{"row 6: code", "duplicate"}, {"row 7: attrs.paid", "unknown"},
	} {
		fieldErr(t, err, errs.Invalid, want.field, want.rule)
	}
	if len(rep.Problems) != 7 || rep.Problems[0].Row != 4 || rep.Problems[0].Column != "code" || len(rep.Items) != 0 {
		t.Fatalf("report problems: %+v", rep.Problems)
	}
	if ok, _ := s.Has(ctx, "absence_reason", "trip"); ok {
		t.Fatal("a good row was written although others were bad")
	}
	if e, _ := s.Get(ctx, "absence_reason", "illness"); e.Version != 1 || e.NameRU != "По болезни" {
		t.Fatalf("a good update was written although other rows were bad: %+v", e)
	}
}

func TestImportFileProblems(t *testing.T) {
	s := open(t)
	ctx := officer()
	for _, tc := range []struct {
		name, file, field, rule string
	}{
		{"empty", "", "row 1", "required"},
		{"header only", "code,name_ru\n", "row 2", "required"},
		{"no name column", "code,name_uk\nmath,Математика\n", "row 1: name_ru", "required"},
		{"unknown column", "code,name_ru,colour\nmath,Математика,red\n", "row 1: colour", "unknown"},
		{"column twice", "code,name_ru,code\nmath,Математика,math\n", "row 1: code", "duplicate"},
		{"short row", "code,name_ru,sort\nmath,Математика\n", "row 2", "columns"},
		{"bare quote", "code,name_ru\nmath,Мате\"матика\n", "row 2", "syntax"},
		{"not utf-8", "code,name_ru\nmath,\xcc\xe0\xf2\xe5\xec\xe0\xf2\xe8\xea\xe0\n", "row 1", "encoding"},
	} {
		_, err := s.Import(ctx, "subject", strings.NewReader(tc.file), true)
		t.Run(tc.name, func(t *testing.T) { fieldErr(t, err, errs.Invalid, tc.field, tc.rule) })
	}
	if _, err := s.Import(ctx, "grading_scheme", strings.NewReader(kinds), true); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("unknown directory: %v", err)
	}
}

// A spreadsheet in a Russian locale saves with a byte-order mark and
// semicolons; a column left out keeps the stored value.
func TestImportSpreadsheetFile(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	file := "\xef\xbb\xbfcode;name_ru;name_en\r\nmath;Математика;Maths\r\nlat;Латинский язык;Latin\r\n"
	rep, err := s.Import(ctx, "subject", strings.NewReader(file), false)
	if err != nil || rep.Created != 1 || rep.Updated != 1 {
		t.Fatalf("import: %v %+v", err, rep)
	}
	math, _ := s.Get(ctx, "subject", "math")
	lat, _ := s.Get(ctx, "subject", "lat")
	if math.NameEN != "Maths" || math.NameUK != "Математика" || math.Sort != 40 || lat.NameUK != "" || !lat.Active || lat.Sort != 0 {
		t.Fatalf("after import: %+v %+v", math, lat)
	}
}
