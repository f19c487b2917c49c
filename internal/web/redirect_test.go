package web

import (
	"net/url"
	"strings"
	"testing"
)

// A return address from a form or a stored link either stays a path on this
// site or becomes "/": never another host, never a header break.
func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/journal/groups/3?subject=math&period=1": "/journal/groups/3?subject=math&period=1",
		"/diary/7#lesson-12":                      "/diary/7#lesson-12",
		"/%0d%0aSet-Cookie:x=1":                   "/%0d%0aSet-Cookie:x=1",
		"":                                        "/",
		"journal":                                 "/",
		"https://evil.example/":                   "/",
		"https:evil.example":                      "/",
		"//evil.example/x":                        "/",
		"/\\evil.example":                         "/",
		"\\\\evil.example":                        "/",
		"/\t/evil.example":                        "/",
		"/\r\nLocation: https://evil.example":     "/",
		" //evil.example":                         "/",
		"javascript:alert(1)":                     "/",
		"/%2Fevil.example/ ":                      "/",
		"/%2Fevil.example/":                       "/%2Fevil.example/",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWithQuery(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/journal/groups/3", "/journal/groups/3?need_reason=1"},
		{"/journal/groups/3?subject=a", "/journal/groups/3?subject=a&need_reason=1"},
		{"/portfolio#exams", "/portfolio?need_reason=1#exams"},
	} {
		if got := withQuery(tc.in, "need_reason", "1"); got != tc.want {
			t.Errorf("withQuery(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzLocalPath: whatever a form or a stored link holds, the redirect target
// is a path on this site.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/diary/7#lesson-12", "//evil.example", "/\\evil", "https:evil", "/\t/evil", "/a?b=//c", "/%2F%2Fevil"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := localPath(in)
		u, err := url.Parse(got)
		if err != nil || !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.ContainsAny(got, "\\\t\r\n") ||
			u.Scheme != "" || u.Host != "" || u.User != nil {
			t.Fatalf("localPath(%q) = %q leads off the site", in, got)
		}
		if localPath(got) != got {
			t.Fatalf("localPath(%q) = %q is not stable", in, got)
		}
	})
}
