// Package browsertest drives the real Shkola server through headless
// Chromium (chromedp): visit pages, click and type as a person would, read
// what is shown, collect console errors and check accessibility with
// axe-core. Without Chromium or npm the tests skip, except under CI=true,
// where they fail and say what to install.
package browsertest

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"shkola/internal/apptest"
)

// Browser is one headless Chromium with one tab, pointed at a fresh server.
type Browser struct {
	T       testing.TB
	Server  *apptest.Server
	Timeout time.Duration // for each action; waits give up after it

	ctx     context.Context // the tab
	axe     string          // axe.min.js
	console *consoleLog
}

// New starts the server on a fresh database of the engine under test
// (SHKOLA_TEST_DB) and a headless Chromium with its own profile. Both stop
// when the test ends; console errors nobody read by then fail the test.
func New(t testing.TB) *Browser {
	t.Helper()
	exe := chromiumPath(t)
	axe := axeSource(t)
	srv := apptest.Start(t)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		// Without these, Chromium on a closed network keeps trying to
		// reach Google services and misbehaves.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	// Registered after TempDir, so Chromium is gone before its profile
	// directory is removed.
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})

	b := &Browser{T: t, Server: srv, Timeout: 15 * time.Second, ctx: ctx, axe: axe, console: &consoleLog{}}
	// The first call starts the browser; it must use the tab context itself
	// (a timeout context would end the browser with it), so the time limit
	// is kept here.
	started := make(chan error, 1)
	go func() { started <- chromedp.Listen(ctx, b.console.record) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("start Chromium %s: %v", exe, err)
		}
	case <-time.After(30 * time.Second):
		cancelTab()
		t.Fatalf("start Chromium %s: no answer in 30s", exe)
	}
	t.Cleanup(func() {
		if msgs := b.console.drain(); len(msgs) > 0 {
			t.Errorf("browser console errors nobody checked:\n  %s", joinLines(msgs))
		}
	})
	return b
}

// actionContext is the tab's context limited to one action's time.
func (b *Browser) actionContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, b.Timeout)
}

// do runs actions within the action timeout.
func (b *Browser) do(actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := b.actionContext()
	defer cancel()
	return chromedp.Do(ctx, actions...)
}

// runT runs one action that returns a value, within the action timeout.
func runT[T any](b *Browser, a chromedp.Action[T]) (T, error) {
	ctx, cancel := b.actionContext()
	defer cancel()
	return chromedp.Run(ctx, a)
}

// For returns the same browser reporting to t, for subtests that share one
// browser and run one after another.
func (b *Browser) For(t testing.TB) *Browser {
	c := *b
	c.T = t
	return &c
}
