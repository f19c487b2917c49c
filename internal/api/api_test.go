package api_test

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"shkola/internal/api"
	"shkola/internal/errs"
)

func fieldsOf(err error) map[string]string {
	out := map[string]string{}
	if e, ok := err.(*errs.Error); ok {
		for _, f := range e.Fields {
			out[f.Field] = f.Rule
		}
	}
	return out
}

func TestDecodeRejectsUnknownFieldsAndNamesThem(t *testing.T) {
	var dst struct {
		Name string `json:"name"`
		Age  int    `json:"age"`
	}
	cases := map[string]struct {
		body, field, rule string
	}{
		"unknown field": {`{"name":"a","is_admin":true}`, "is_admin", "unknown"},
		"wrong type":    {`{"age":"ten"}`, "age", "type"},
	}
	for name, tc := range cases {
		r := httptest.NewRequest("POST", "/", strings.NewReader(tc.body))
		err := api.Decode(r, &dst)
		if got := fieldsOf(err)[tc.field]; got != tc.rule {
			t.Errorf("%s: field %s rule %q, want %q (err %v)", name, tc.field, got, tc.rule, err)
		}
	}
	for _, body := range []string{``, `{"name":"a"} {"name":"b"}`, `{"name":`, `[1,2]`} {
		r := httptest.NewRequest("POST", "/", strings.NewReader(body))
		if err := api.Decode(r, &dst); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("body %q: %v, want invalid", body, err)
		}
	}
	r := httptest.NewRequest("POST", "/", strings.NewReader(`{"name":"a"}`))
	r.Header.Set("Content-Type", "text/plain")
	if err := api.Decode(r, &dst); errs.CodeOf(err) != errs.Invalid {
		t.Errorf("text/plain accepted")
	}
}

func TestPagingCursorRoundTrip(t *testing.T) {
	next := api.NextCursor(50, 50, 1234)
	if next == "" {
		t.Fatal("full page gave no cursor")
	}
	p, err := api.ParsePage(url.Values{"cursor": {next}, "limit": {"20"}})
	if err != nil || p.After != 1234 || p.Limit != 20 {
		t.Fatalf("%+v %v", p, err)
	}
	if api.NextCursor(10, 50, 99) != "" {
		t.Fatal("short page gave a cursor")
	}
	for _, q := range []url.Values{{"limit": {"0"}}, {"limit": {"501"}}, {"limit": {"x"}}, {"cursor": {"!!"}}} {
		_, err := api.ParsePage(q)
		if len(fieldsOf(err)) != 1 {
			t.Errorf("%v: %v", q, err)
		}
	}
}

func TestFiltersAllowOnlyListedKeys(t *testing.T) {
	allowed := map[string]func(string) bool{"status": func(s string) bool { return s == "active" || s == "suspended" }}
	f, err := api.Filters(url.Values{"status": {"active"}, "limit": {"5"}}, allowed)
	if err != nil || f["status"] != "active" {
		t.Fatalf("%v %v", f, err)
	}
	_, err = api.Filters(url.Values{"name; DROP TABLE x": {"1"}}, allowed)
	if fieldsOf(err)["name; DROP TABLE x"] != "unknown_filter" {
		t.Fatalf("unknown key: %v", err)
	}
	_, err = api.Filters(url.Values{"status": {"deleted"}}, allowed)
	if fieldsOf(err)["status"] != "format" {
		t.Fatalf("bad value: %v", err)
	}
}

func TestIfMatch(t *testing.T) {
	r := httptest.NewRequest("PUT", "/", nil)
	if _, err := api.IfMatch(r); errs.CodeOf(err) != errs.Precondition {
		t.Fatal("missing If-Match accepted")
	}
	r.Header.Set("If-Match", `W/"7"`)
	if v, err := api.IfMatch(r); err != nil || v != 7 {
		t.Fatalf("%d %v", v, err)
	}
	w := httptest.NewRecorder()
	api.SetVersion(w, 7)
	if w.Header().Get("ETag") != `W/"7"` {
		t.Fatal(w.Header().Get("ETag"))
	}
}
