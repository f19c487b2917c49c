package web

import (
	"html/template"
	"net/url"
	"strings"
	"testing"
)

// The download link keeps the list's filters, whatever they hold, inside the
// href: a quote or a script in a filter stays data.
func TestExportHrefIsEscaped(t *testing.T) {
	tpl := template.Must(template.New("a").Funcs(template.FuncMap{"exportHref": exportHref}).
		Parse(`<a href="{{exportHref "/exports/persons" .Query "csv"}}">CSV</a>`))
	var b strings.Builder
	q := url.Values{"q": {`"><script>alert(1)</script>`}, "org": {"7"}, "format": {"pdf"}}
	if err := tpl.Execute(&b, map[string]any{"Query": q}); err != nil {
		t.Fatal(err)
	}
	want := `<a href="/exports/persons?format=csv&amp;org=7&amp;q=%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E">CSV</a>`
	if b.String() != want {
		t.Fatalf("got  %s\nwant %s", b.String(), want)
	}
}
