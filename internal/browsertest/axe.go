package browsertest

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Violation is one failed axe-core rule with the elements that fail it.
type Violation struct {
	ID      string    `json:"id"`
	Impact  string    `json:"impact"`
	Help    string    `json:"help"`
	HelpURL string    `json:"helpUrl"`
	Nodes   []AxeNode `json:"nodes"`
}

// AxeNode is one element that fails a rule.
type AxeNode struct {
	// Target is the selector path; nested for frames and shadow roots.
	Target  json.RawMessage `json:"target"`
	HTML    string          `json:"html"`
	Summary string          `json:"summary"`
}

// String tells what to fix: the rule, its help, and each failing element.
func (v Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s — %s", v.ID, v.Impact, v.Help, v.HelpURL)
	for _, n := range v.Nodes {
		fmt.Fprintf(&b, "\n    at %s: %s", n.Target, n.HTML)
		if n.Summary != "" {
			fmt.Fprintf(&b, "\n      %s", strings.ReplaceAll(n.Summary, "\n", "\n      "))
		}
	}
	return b.String()
}

// axeSource returns axe.min.js, installing the pinned axe-core with npm ci
// when node_modules lacks it or holds another version than the lock file.
// The files on disk are the once-guard: later calls, and other test
// binaries, only read them.
func axeSource(t testing.TB) string {
	t.Helper()
	dir, err := harnessDir()
	if err != nil {
		unavailable(t, "axe-core: %v", err)
	}
	want, err := lockedAxeVersion(dir)
	if err != nil {
		t.Fatalf("axe-core: %v", err)
	}
	js := filepath.Join(dir, "node_modules", "axe-core", "axe.min.js")
	if installedAxeVersion(dir) != want {
		if _, err := exec.LookPath("npm"); err != nil {
			unavailable(t, "npm not found: install Node.js and npm (Debian: apt-get install nodejs npm) so the browser tests can install axe-core from %s", filepath.Join(dir, "package-lock.json"))
		}
		if err := npmCI(dir, want); err != nil {
			unavailable(t, "axe-core could not be installed: %v", err)
		}
	}
	b, err := os.ReadFile(js) // #nosec G304 -- the test tool's own node_modules directory in this repository
	if err != nil {
		unavailable(t, "axe-core: %v", err)
	}
	return string(b)
}

// lockedAxeVersion is the axe-core version package-lock.json pins.
func lockedAxeVersion(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "package-lock.json")) // #nosec G304 -- the test tool's own directory in this repository
	if err != nil {
		return "", err
	}
	var lock struct {
		Packages map[string]struct {
			Version string `json:"version"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(b, &lock); err != nil {
		return "", fmt.Errorf("package-lock.json: %w", err)
	}
	v := lock.Packages["node_modules/axe-core"].Version
	if v == "" {
		return "", errors.New("package-lock.json pins no axe-core")
	}
	return v, nil
}

// installedAxeVersion is the version in node_modules, or "" if none.
func installedAxeVersion(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, "node_modules", "axe-core", "package.json")) // #nosec G304 -- the test tool's own node_modules directory in this repository
	if err != nil {
		return ""
	}
	var p struct {
		Version string `json:"version"`
	}
	if json.Unmarshal(b, &p) != nil {
		return ""
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "axe-core", "axe.min.js")); err != nil {
		return ""
	}
	return p.Version
}

// npmCI installs into a fresh sibling directory and renames it into place,
// so test binaries that run at once (go test ./...) never see half a tree:
// the first rename wins and the others use its result.
func npmCI(dir, want string) error {
	tmp, err := os.MkdirTemp(dir, "node_modules.tmp-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for _, f := range []string{"package.json", "package-lock.json"} {
		b, err := os.ReadFile(filepath.Join(dir, f)) // #nosec G304 -- the test tool's own directory in this repository
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(tmp, f), b, 0o600); err != nil { // #nosec G703 -- a temporary directory the test tool just made
			return err
		}
	}
	cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
	cmd.Dir = tmp
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("npm ci in %s: %v\n%s", dir, err, out)
	}
	if installedAxeVersion(dir) == want {
		return nil // another test binary got there first
	}
	// A stale tree goes aside (and away with tmp): rename cannot replace a
	// non-empty directory.
	final := filepath.Join(dir, "node_modules")
	_ = os.Rename(final, filepath.Join(tmp, "stale"))
	if err := os.Rename(filepath.Join(tmp, "node_modules"), final); err != nil && installedAxeVersion(dir) != want {
		return fmt.Errorf("move node_modules into place: %w", err)
	}
	return nil
}

// axeRunJS runs axe on the whole document for WCAG 2.1 A and AA and keeps
// only what a failing test needs to say.
const axeRunJS = `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}).then(r => r.violations.map(v => ({
	id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
	nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary || ''}))
})))`

// Axe injects axe-core into the current page (once per document) and
// returns the WCAG 2.1 A/AA violations it finds.
func (b *Browser) Axe() []Violation {
	b.T.Helper()
	loaded, err := runT(b, chromedp.Evaluate[bool](`typeof window.axe === 'object'`))
	if err != nil {
		b.T.Fatalf("axe: %v", err)
	}
	if !loaded {
		if err := b.do(chromedp.Evaluate[chromedp.Void](b.axe)); err != nil {
			b.T.Fatalf("axe: inject axe.min.js: %v", err)
		}
	}
	v, err := runT(b, chromedp.Evaluate[[]Violation](axeRunJS, chromedp.EvalAwaitPromise))
	if err != nil {
		b.T.Fatalf("axe: run: %v", err)
	}
	return v
}

// ExpectNoAxeViolations fails the test with every violation on the page,
// each with the rule, its help and the failing elements.
func (b *Browser) ExpectNoAxeViolations(what string) {
	b.T.Helper()
	vs := b.Axe()
	if len(vs) == 0 {
		return
	}
	var s strings.Builder
	for _, v := range vs {
		s.WriteString("\n  - " + v.String())
	}
	b.T.Errorf("%s: %d accessibility violation(s) (axe-core, WCAG 2.1 A/AA):%s", what, len(vs), s.String())
}

// ExpectAccessibleEverywhere checks the page as it is with axe, then in
// the low-vision mode, which must also fit a phone's width without
// scrolling sideways; it leaves the desktop width and normal mode.
func (b *Browser) ExpectAccessibleEverywhere(what string) {
	b.T.Helper()
	b.ExpectNoAxeViolations(what)
	b.SetLowVision(true)
	b.ExpectNoAxeViolations(what + ", low vision")
	b.Viewport(375, 740, true)
	b.WaitVisible("main h1")
	if px := b.HorizontalOverflow(); px > 0 {
		b.T.Errorf("%s scrolls sideways by %d px on a phone in low-vision mode (%s)", what, px, b.Screenshot(what))
	}
	b.Viewport(1280, 900, false)
	b.SetLowVision(false)
}
