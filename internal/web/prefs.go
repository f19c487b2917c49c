package web

import (
	"net/http"
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
		http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: int((365 * 24 * time.Hour).Seconds()), // #nosec G124 -- HttpOnly and SameSite=Lax always; Secure follows the base URL's scheme as the session cookie does; the value is only a language or "1"/"0"
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
	seeOther(w, r, r.PostForm.Get("back"))
}
