package app_test

import (
	"net/http"
	"strings"
	"testing"

	"shkola/internal/apptest"
	"shkola/internal/config"
)

func TestProbesAndMetrics(t *testing.T) {
	s := apptest.Start(t)
	c := s.Client()
	if st, _, body := apptest.Do(t, c, "GET", s.URL+"/healthz", nil); st != 200 || body != "ok\n" {
		t.Fatalf("healthz: %d %q", st, body)
	}
	if st, _, body := apptest.Do(t, c, "GET", s.URL+"/readyz", nil); st != 200 || body != "ready\n" {
		t.Fatalf("readyz: %d %q", st, body)
	}
	apptest.Do(t, c, "GET", s.URL+"/", nil)
	st, _, body := apptest.Do(t, c, "GET", s.URL+"/metrics", nil)
	if st != 200 {
		t.Fatalf("metrics: %d", st)
	}
	for _, want := range []string{`shkola_http_requests_total{method="GET",route="GET /{$}",status="200"} 1`,
		"shkola_http_request_duration_seconds_bucket", `go_sql_open_connections{db_name="writer"}`} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	// Once the database is gone, readiness says so while liveness stays up.
	s.App.DB.Close()
	if st, _, _ := apptest.Do(t, c, "GET", s.URL+"/readyz", nil); st != http.StatusServiceUnavailable {
		t.Fatalf("readyz with closed database: %d, want 503", st)
	}
	if st, _, _ := apptest.Do(t, c, "GET", s.URL+"/healthz", nil); st != 200 {
		t.Fatalf("healthz: %d", st)
	}
}

func TestSecurityHeadersAndRequestID(t *testing.T) {
	s := apptest.Start(t)
	_, h, _ := apptest.Do(t, s.Client(), "GET", s.URL+"/", nil)
	for _, k := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"} {
		if h.Get(k) == "" {
			t.Errorf("missing %s", k)
		}
	}
	if len(h.Get("X-Request-ID")) < 16 {
		t.Errorf("request id %q", h.Get("X-Request-ID"))
	}
	_, h, _ = apptest.Do(t, s.Client(), "GET", s.URL+"/", nil, "X-Request-ID", "proxy-given-id-123")
	if h.Get("X-Request-ID") != "proxy-given-id-123" {
		t.Errorf("incoming request id not kept: %q", h.Get("X-Request-ID"))
	}
	_, h, _ = apptest.Do(t, s.Client(), "GET", s.URL+"/", nil, "X-Request-ID", "bad id\" with quotes")
	if strings.Contains(h.Get("X-Request-ID"), "quotes") {
		t.Errorf("malformed incoming request id echoed")
	}
}

func TestUnknownAPIRouteIsProblemJSON(t *testing.T) {
	s := apptest.Start(t)
	st, h, body := apptest.Do(t, s.Client(), "GET", s.URL+"/api/v1/no-such-thing", nil)
	if st != 404 || h.Get("Content-Type") != "application/problem+json" || !strings.Contains(body, `"status":404`) {
		t.Fatalf("%d %s %s", st, h.Get("Content-Type"), body)
	}
}

func TestBodyLimit(t *testing.T) {
	s := apptest.Start(t, func(c *config.Config) { c.MaxBody = 64 })
	st, _, body := apptest.Do(t, s.Client(), "POST", s.URL+"/prefs", strings.NewReader(strings.Repeat("a", 200)),
		"Content-Type", "application/x-www-form-urlencoded")
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, "larger than 64 bytes") {
		t.Fatalf("oversized body: %d %s", st, body)
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	s := apptest.Start(t)
	st, _, _ := apptest.Do(t, s.Client(), "POST", s.URL+"/prefs", apptest.Form("lang", "en", "back", "/"),
		"Content-Type", "application/x-www-form-urlencoded", "Sec-Fetch-Site", "cross-site")
	if st != http.StatusForbidden {
		t.Fatalf("cross-site form post: %d, want 403", st)
	}
}
