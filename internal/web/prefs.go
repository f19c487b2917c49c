package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"
)

// SetPrefs is POST /prefs: a form with lang and/or lv ("1" or "0") and the
// page to return to. It is a plain form post, so it works without scripts;
// the choice is remembered in cookies for a year.
func (s *Site) SetPrefs(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	set := func(name, value string) {
		http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: int((365 * 24 * time.Hour).Seconds()),
			HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode})
	}
	if l := r.PostForm.Get("lang"); Supported(l) {
		set("lang", l)
	}
	switch r.PostForm.Get("lv") {
	case "1":
		set("lv", "1")
	case "0":
		set("lv", "0")
	}
	http.Redirect(w, r, localPath(r.PostForm.Get("back")), http.StatusSeeOther)
}

// localPath keeps a return address on this site: anything that could lead
// elsewhere (a scheme, a host, //, a backslash) becomes "/".
func localPath(p string) string {
	u, err := url.Parse(p)
	if err != nil || p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.Contains(p, `\`) || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	if u.Fragment != "" {
		// A link into a page (a notification's lesson in the diary) keeps
		// its place: browsers follow a fragment in a redirect.
		return u.RequestURI() + "#" + u.EscapedFragment()
	}
	return u.RequestURI()
}
