package browsertest_test

import (
	"strings"
	"testing"
	"time"

	"shkola/internal/browsertest"
)

// The harness itself must see a page's console.error and uncaught
// exceptions, or every "no console errors" check would pass blindly.
func TestConsoleErrorsAreCaught(t *testing.T) {
	b := browsertest.New(t)
	b.Visit("/")
	b.ExpectNoConsoleErrors("first visit of /")
	browsertest.Eval[int](b, `setTimeout(() => { console.error('probe-error'); throw new Error('probe-exception'); }, 0)`)
	var got []string
	for deadline := time.Now().Add(5 * time.Second); len(got) < 2 && time.Now().Before(deadline); {
		got = append(got, b.ConsoleErrors()...)
		time.Sleep(20 * time.Millisecond)
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{"console.error: probe-error", "uncaught exception", "probe-exception"} {
		if !strings.Contains(all, want) {
			t.Errorf("console errors %q lack %q", got, want)
		}
	}
}
