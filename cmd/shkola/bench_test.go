package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"shkola/internal/bench"
	"shkola/internal/store/storetest"
)

// The bench command prints one table with a line per scenario and engine
// and its baseline; a bad option is one line naming it.
func TestBenchCommand(t *testing.T) {
	var out, errb bytes.Buffer
	args := []string{"bench", "--engines", string(storetest.Engine()), "--pg", storetest.AdminURL(), "--quick",
		"--duration", "50ms", "--warmup", "0s", "--concurrency", "2", "--scenarios", "org-list,person-read"}
	if code := run(context.Background(), args, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	table := out.String()
	for _, want := range []string{"org-list", "person-read", "SQL baseline", "ops/s", "demo region generated"} {
		if !strings.Contains(table, want) {
			t.Errorf("no %q in:\n%s", want, table)
		}
	}
	if strings.Contains(table, "person-create") {
		t.Errorf("a scenario not asked for was run:\n%s", table)
	}

	for _, tc := range []struct{ arg, want string }{
		{"--size=huge", "--size"},
		{"--scenarios=" + bench.Names()[0] + ",nope", "--scenarios"},
	} {
		errb.Reset()
		if code := run(context.Background(), []string{"bench", tc.arg}, &out, &errb); code != 1 || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%s: exit %d, stderr %q", tc.arg, code, errb.String())
		}
	}
}
