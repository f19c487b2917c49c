package web

import (
	"net/http"
	"net/url"
	"strings"
)

// seeOther answers 303 to a return address that may come from the request
// (a form's "back", a notification's link). Every such redirect goes through
// here so that localPath decides once what stays on this site.
func seeOther(w http.ResponseWriter, r *http.Request, target string) {
	http.Redirect(w, r, localPath(target), http.StatusSeeOther) // #nosec G710 -- localPath keeps the target on this site
}

// localPath keeps a return address on this site: anything that could lead
// elsewhere (a scheme, a host, //, a backslash, a control character) becomes "/".
func localPath(p string) string {
	u, err := url.Parse(p)
	if err != nil || p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.Contains(p, `\`) || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	out := u.RequestURI()
	if u.Fragment != "" {
		// A link into a page (a notification's lesson in the diary) keeps
		// its place: browsers follow a fragment in a redirect.
		out += "#" + u.EscapedFragment()
	}
	// Encoding the path again can make "/%2Fevil.example/ " into
	// "//evil.example/%20", another host: judge what is sent, not what came.
	if strings.HasPrefix(out, "//") || !strings.HasPrefix(out, "/") {
		return "/"
	}
	return out
}

// withQuery adds key=value to a local address's query, before any fragment.
func withQuery(p, key, value string) string {
	path, frag, hasFrag := strings.Cut(p, "#")
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	path += sep + url.QueryEscape(key) + "=" + url.QueryEscape(value)
	if hasFrag {
		path += "#" + frag
	}
	return path
}
