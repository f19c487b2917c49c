package directory

import (
	"strings"
	"testing"

	"shkola/internal/errs"
)

// The import parser takes files from outside: whatever the bytes, it must
// neither panic nor accept a file without naming every problem's row, and
// what it accepts must fit its limits.
func FuzzImportFile(f *testing.F) {
	f.Add("code,name_ru,name_uk,name_en,attrs,sort,active\noral,Устный ответ,Усна відповідь,Oral answer,\"{\"\"weight\"\":1}\",10,true\n")
	f.Add("\xef\xbb\xbfcode;name_ru\r\nmath;Математика\r\n")
	f.Add("code,name_ru\nmath,Мате\"матика\n")
	f.Add("code,name_ru,sort\nmath\n\n\"a\nb\",c,1\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, file string) {
		rows, problems := parseFile(strings.NewReader(file))
		if len(problems) > 0 {
			if rows != nil {
				t.Fatal("rows returned beside problems")
			}
			for _, p := range problems {
				if p.Row < 0 || p.Rule == "" || p.Message == "" {
					t.Fatalf("problem without a row or rule: %+v", p)
				}
			}
			return
		}
		if len(rows) == 0 || len(rows) > MaxImportRows {
			t.Fatalf("%d rows accepted", len(rows))
		}
		for _, r := range rows {
			if _, ok := r.cells["code"]; !ok || r.line < 2 {
				t.Fatalf("row without code or line: %+v", r)
			}
		}
	})
}

// Attributes typed by people are checked against the directory's rules; the
// result always encodes and reads back equal (so re-imports are no-ops).
func FuzzAttrs(f *testing.F) {
	f.Add("work_kind", `{"weight":2}`)
	f.Add("absence_reason", `{"excused":true}`)
	f.Add("education_level", `{"abbr":"НОО","country":"RU"}`)
	f.Add("work_kind", `{"weight":1e300}`)
	f.Add("subject", `[1,2]`)
	f.Fuzz(func(t *testing.T, directory, text string) {
		sp, ok := specOf(directory)
		if !ok {
			return
		}
		raw, err := parseAttrs(text)
		if err != nil {
			return
		}
		var v errs.Validation
		got := sp.checkAttrs(raw, &v, "")
		if v.Err() != nil {
			return
		}
		enc, err := encodeAttrs(got)
		if err != nil {
			t.Fatal(err)
		}
		back, err := decodeAttrs(enc)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := encodeAttrs(back)
		if again != enc {
			t.Fatalf("%s does not read back equal: %s", enc, again)
		}
	})
}
