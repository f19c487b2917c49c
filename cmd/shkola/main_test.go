package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Bad configuration stops the program with one clear line that says what
// and where, before it serves anything.
func TestBadConfigurationStopsWithOneLine(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	// A data directory below a regular file cannot be created, even by root.
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"port in use", []string{"serve", "--listen", ln.Addr().String(), "--data-dir", t.TempDir()}, nil, "listen on " + ln.Addr().String()},
		{"unreachable database", []string{"serve", "--listen", "127.0.0.1:0", "--db", "postgres://nobody@127.0.0.1:1/none?connect_timeout=2"}, nil, "postgres postgres://nobody@127.0.0.1:1/none?connect_timeout=2 is unreachable"},
		{"unwritable data directory", []string{"migrate", "--data-dir", filepath.Join(notDir, "sub")}, nil, "data directory " + filepath.Join(notDir, "sub")},
		{"production without keys", []string{"serve", "--listen", "127.0.0.1:0", "--data-dir", t.TempDir()}, map[string]string{"SHKOLA_AUDIT_KEY": "", "SHKOLA_KEYS": ""}, "key"},
		{"bad log format", []string{"serve", "--log-format", "xml"}, nil, "--log-format: \"xml\" is not json or text"},
		{"bad env number", []string{"migrate"}, map[string]string{"SHKOLA_MAX_BODY": "lots"}, "SHKOLA_MAX_BODY: \"lots\" is not a whole number"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			var out, errb bytes.Buffer
			code := run(context.Background(), tc.args, &out, &errb)
			if code != 1 {
				t.Fatalf("exit code %d, want 1; stderr: %s", code, errb.String())
			}
			lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
			if len(lines) != 1 || !strings.Contains(lines[0], tc.want) {
				t.Fatalf("stderr is not one line naming the problem (%q):\n%s", tc.want, errb.String())
			}
			if strings.Contains(out.String(), "running") {
				t.Fatal("server claimed to be running")
			}
		})
	}
}

func TestUnknownCommandAndVersion(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"frobnicate"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), `unknown command "frobnicate"`) {
		t.Fatalf("code %d: %s", code, errb.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"version"}, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "shkola ") {
		t.Fatalf("version: %d %q", code, out.String())
	}
}
