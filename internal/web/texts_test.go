package web

import (
	"reflect"
	"strings"
	"testing"
)

// Every prepared label is translated in every language: none is empty or
// shows its message id.
func TestPreparedTexts(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	texts, err := newPageTexts(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Languages {
		for _, v := range []any{texts[lang].layout, texts[lang].week} {
			rv := reflect.ValueOf(v)
			for i := range rv.NumField() {
				f := rv.Field(i)
				all := []reflect.Value{f}
				if f.Kind() == reflect.Array {
					all = all[:0]
					for j := range f.Len() {
						all = append(all, f.Index(j))
					}
				}
				for _, s := range all {
					if s.String() == "" || c.keys[lang][s.String()] || strings.HasPrefix(s.String(), "diary.") {
						t.Errorf("%s %s.%s = %q", lang, rv.Type().Name(), rv.Type().Field(i).Name, s.String())
					}
				}
			}
		}
	}
}

// A label whose message the catalogue lacks stops the Site from being made.
func TestPreparedTextMissing(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	var bad struct {
		X string `msg:"no.such.message"`
	}
	if err := c.translateInto("en", &bad); err == nil || !strings.Contains(err.Error(), "no.such.message") {
		t.Fatalf("err = %v", err)
	}
	var days struct {
		D [7]string `msg:"diary.wd.%d"`
	}
	if err := c.translateInto("en", &days); err != nil || days.D[0] != c.For("en").T("diary.wd.1") || days.D[6] != c.For("en").T("diary.wd.7") {
		t.Fatalf("weekdays %q, err %v", days.D, err)
	}
}
