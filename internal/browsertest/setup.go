package browsertest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// DefaultChromium is where Debian's chromium package puts the browser.
const DefaultChromium = "/usr/bin/chromium"

// unavailable reports a missing tool: under CI=true a browser test that
// cannot run is a failure, elsewhere it is skipped with the same advice.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (CI=true: browser tests must run, not skip)")
	}
	t.Skip(msg)
}

// chromiumPath is $SHKOLA_CHROMIUM or Debian's /usr/bin/chromium.
func chromiumPath(t testing.TB) string {
	t.Helper()
	p := os.Getenv("SHKOLA_CHROMIUM")
	if p == "" {
		p = DefaultChromium
	}
	if fi, err := os.Stat(p); err != nil || fi.IsDir() { // #nosec G703 -- the developer's own $SHKOLA_CHROMIUM path
		unavailable(t, "headless Chromium not found at %s: install it (Debian: apt-get install chromium chromium-driver) or set SHKOLA_CHROMIUM to its path", p)
	}
	return p
}

// harnessDir finds internal/browsertest from the working directory of any
// test in the module, so browser tests in other packages share one
// node_modules.
func harnessDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "internal", "browsertest"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}
