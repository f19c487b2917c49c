package web

import (
	"html/template"
	"net/url"
)

// exportHref is the download link of a list page: the export route of the
// list (path, a constant of the template) with the page's query (its
// filters; the export leaves out what is not one) and the format. The
// query is encoded here, so the result is safe as a whole URL.
func exportHref(path string, q url.Values, format string) template.URL {
	out := url.Values{}
	for k, v := range q {
		out[k] = v
	}
	out.Set("format", format)
	return template.URL(path + "?" + out.Encode())
}
