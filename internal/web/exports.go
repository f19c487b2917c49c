package web

import "net/url"

// exportHref is the download link of a list page: the export route of the
// list (path, a constant of the template) with the page's query (its
// filters; the export leaves out what is not one) and the format. The
// query is encoded here. It is a plain string, not template.URL: the
// template still checks and escapes it as any other link.
func exportHref(path string, q url.Values, format string) string {
	out := url.Values{}
	for k, v := range q {
		out[k] = v
	}
	out.Set("format", format)
	return path + "?" + out.Encode()
}
