package web

import (
	"io/fs"
	"regexp"
	"sort"
	"testing"
)

// Every message exists in every language, and every message a template asks
// for exists: a missing one would show its id to a person.
func TestCataloguesAreComplete(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	ru := c.Keys("ru")
	if len(ru) == 0 {
		t.Fatal("no Russian messages")
	}
	for _, lang := range Languages {
		for id := range ru {
			if !c.Keys(lang)[id] {
				t.Errorf("%s lacks %q", lang, id)
			}
		}
		for id := range c.Keys(lang) {
			if !ru[id] {
				t.Errorf("%s has %q, which Russian lacks", lang, id)
			}
		}
	}
	used := regexp.MustCompile(`\b[TN] [$.A-Za-z]+ "([a-z0-9_.]+)"`)
	var missing []string
	err = fs.WalkDir(templateFiles, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFiles, p)
		if err != nil {
			return err
		}
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			if !ru[m[1]] {
				missing = append(missing, p+": "+m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("template asks for a message no catalogue has: %s", m)
	}
}

// Russian and Ukrainian plurals follow CLDR: 1 школа, 2 школы, 5 школ, 21 школа.
func TestPluralForms(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lang string
		n    int
		want string
	}{
		{"ru", 1, "1 образовательная организация"}, {"ru", 3, "3 образовательные организации"},
		{"ru", 5, "5 образовательных организаций"}, {"ru", 21, "21 образовательная организация"},
		{"uk", 2, "2 заклади освіти"}, {"uk", 11, "11 закладів освіти"},
		{"en", 1, "1 school"}, {"en", 2, "2 schools"},
	} {
		if got := c.For(tc.lang).N("home.schools", tc.n); got != tc.want {
			t.Errorf("%s %d: %q, want %q", tc.lang, tc.n, got, tc.want)
		}
	}
}
