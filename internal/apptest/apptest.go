// Package apptest starts the real Shkola server in-process on a random
// loopback port over a fresh database of the engine under test, for tests
// that go through HTTP as a client would.
package apptest

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"shkola/internal/account"
	"shkola/internal/app"
	"shkola/internal/config"
	"shkola/internal/store/storetest"
)

// Server is a running test server.
type Server struct {
	*httptest.Server
	App  *app.App
	Logs *LogBuffer // everything the server logged, for canary searches
}

// LogBuffer collects log output safely across goroutines.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what has been logged so far.
func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Start runs a server on a fresh database; mutate may adjust the config.
func Start(t testing.TB, mutate ...func(*config.Config)) *Server {
	t.Helper()
	cfg := &config.Config{DB: storetest.Migrated(t, app.Migrations()), DataDir: t.TempDir(), Listen: "127.0.0.1:0", LogLevel: "debug", LogFormat: "json",
		DemoSize: "small", DemoSeed: 1, Demo: true, MaxBody: 1 << 20, BaseURL: "http://127.0.0.1"}
	for _, m := range mutate {
		m(cfg)
	}
	if err := cfg.Check(); err != nil {
		t.Fatal(err)
	}
	logs := &LogBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx := context.Background()
	db, err := app.Open(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close the test database: %v", err)
		}
	})
	a, err := app.New(cfg, log, db)
	if err != nil {
		t.Fatal(err)
	}
	// Real argon2id parameters are asserted in the account tests; here they
	// would only make every login slow.
	a.Accounts.Hasher = account.NewHasher(account.Argon2{MemoryKiB: 64, Time: 1, Threads: 1}, 4)
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return &Server{Server: srv, App: a, Logs: logs}
}

// Client is an HTTP client with its own cookie jar that does not follow
// redirects, so tests see exactly what the server answered.
func (s *Server) Client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Do sends a request and returns status, headers and body.
func Do(t testing.TB, c *http.Client, method, url string, body io.Reader, header ...string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

// Form encodes key, value pairs as a form body.
func Form(kv ...string) io.Reader {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(kv[i]) + "=" + url.QueryEscape(kv[i+1]))
	}
	return strings.NewReader(b.String())
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// CSRF fetches path with c and returns the form token of the page, as a
// browser would find it in the form.
func (s *Server) CSRF(t testing.TB, c *http.Client, path string) string {
	t.Helper()
	_, _, body := Do(t, c, "GET", s.URL+path, nil)
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no csrf field on %s", path)
	}
	return m[1]
}

// PostForm posts a form from page path with its token, as a browser would.
func (s *Server) PostForm(t testing.TB, c *http.Client, path, action string, kv ...string) (int, http.Header, string) {
	t.Helper()
	tok := s.CSRF(t, c, path)
	return Do(t, c, "POST", s.URL+action, Form(append(kv, "csrf", tok)...), "Content-Type", "application/x-www-form-urlencoded")
}
