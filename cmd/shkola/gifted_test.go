package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// A gifted rule that does not parse stops the server with one line naming
// the setting, the column and the problem.
func TestBadGiftedRuleStopsTheStart(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"serve", "--demo", "--listen", "127.0.0.1:0", "--data-dir", t.TempDir(),
		"--gifted-rule", "result >= prize_winner AND levle >= regional"}, &out, &errb)
	if code != 1 {
		t.Fatalf("exit code %d; stderr: %s", code, errb.String())
	}
	line := strings.TrimSpace(errb.String())
	if strings.Count(line, "\n") != 0 || !strings.Contains(line, "SHKOLA_GIFTED_RULE") || !strings.Contains(line, "at column 28") ||
		!strings.Contains(line, `unknown field "levle"`) {
		t.Fatalf("stderr: %s", line)
	}
	if strings.Contains(out.String(), "running") {
		t.Fatal("server claimed to be running")
	}
}
