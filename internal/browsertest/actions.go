package browsertest

import (
	"context"
	"os"
	"path/filepath"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// URL is the absolute address of a path on the test server.
func (b *Browser) URL(path string) string { return b.Server.URL + path }

// Visit opens a path, waits for the page to load and returns the HTTP
// status of the document (an error page is not a test failure by itself).
func (b *Browser) Visit(path string) int {
	b.T.Helper()
	resp, err := runT(b, chromedp.NavigateResponse(b.URL(path)))
	if err != nil {
		b.T.Fatalf("visit %s: %v", path, err)
	}
	return status(resp)
}

// Click clicks the first visible element matching a CSS selector, for
// controls that do not load a new page.
func (b *Browser) Click(sel string) {
	b.T.Helper()
	if err := b.do(chromedp.Click(sel, chromedp.NodeVisible)); err != nil {
		b.T.Fatalf("click %s: %v", sel, err)
	}
}

// ClickAndWait clicks a link or submit button and waits until the page it
// leads to has loaded (after redirects); it returns that page's status.
func (b *Browser) ClickAndWait(sel string) int {
	b.T.Helper()
	resp, err := b.runResponse(chromedp.Click(sel, chromedp.NodeVisible))
	if err != nil {
		b.T.Fatalf("click %s and wait for the next page: %v", sel, err)
	}
	return status(resp)
}

func (b *Browser) runResponse(actions ...chromedp.Action[chromedp.Void]) (*network.Response, error) {
	ctx, cancel := b.actionContext()
	defer cancel()
	return chromedp.RunResponse(ctx, actions...)
}

func status(resp *network.Response) int {
	if resp == nil {
		return 0
	}
	return int(resp.Status)
}

// Type replaces the content of a visible field with text, key by key.
func (b *Browser) Type(sel, text string) {
	b.T.Helper()
	if err := b.do(chromedp.Clear(sel, chromedp.NodeVisible), chromedp.SendKeys(sel, text, chromedp.NodeVisible)); err != nil {
		b.T.Fatalf("type into %s: %v", sel, err)
	}
}

// WaitVisible waits until an element matching sel is shown.
func (b *Browser) WaitVisible(sel string) {
	b.T.Helper()
	if err := b.do(chromedp.WaitVisible(sel)); err != nil {
		b.T.Fatalf("wait for %s to be visible: %v", sel, err)
	}
}

// Text is the visible text of the first element matching sel, once shown.
func (b *Browser) Text(sel string) string {
	b.T.Helper()
	s, err := runT(b, chromedp.Text(sel, chromedp.NodeVisible))
	if err != nil {
		b.T.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// Attr is an attribute of the first element matching sel ("" if absent).
func (b *Browser) Attr(sel, name string) string {
	b.T.Helper()
	r, err := runT(b, chromedp.AttributeValue(sel, name, chromedp.NodeReady))
	if err != nil {
		b.T.Fatalf("attribute %s of %s: %v", name, sel, err)
	}
	return r.Value
}

// Eval evaluates a JavaScript expression in the page and decodes its value.
func Eval[T any](b *Browser, js string) T {
	b.T.Helper()
	v, err := runT(b, chromedp.Evaluate[T](js))
	if err != nil {
		b.T.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// SetLanguage picks a language with the header's language buttons, as a
// visitor does; the server remembers it in a cookie.
func (b *Browser) SetLanguage(lang string) {
	b.T.Helper()
	if st := b.ClickAndWait(`form.langs button[name="lang"][value="` + lang + `"]`); st != 200 {
		b.T.Fatalf("choose language %s: page answered %d", lang, st)
	}
}

// LowVision reports whether the page is in low-vision mode.
func (b *Browser) LowVision() bool {
	b.T.Helper()
	return Eval[bool](b, `document.documentElement.classList.contains('lv')`)
}

// SetLowVision turns low-vision mode on or off with the header toggle.
func (b *Browser) SetLowVision(on bool) {
	b.T.Helper()
	if b.LowVision() == on {
		return
	}
	if st := b.ClickAndWait(`button.lvtoggle`); st != 200 {
		b.T.Fatalf("toggle low vision: page answered %d", st)
	}
}

// SetCookie sets a cookie for the test server directly, for state the UI
// has no button for.
func (b *Browser) SetCookie(name, value string) {
	b.T.Helper()
	set := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.SetCookie, network.SetCookieParams{Name: name, Value: value, URL: b.Server.URL})
		return err
	})
	if err := b.do(set); err != nil {
		b.T.Fatalf("set cookie %s: %v", name, err)
	}
}

// Viewport sets the page size; mobile makes the page honour its meta
// viewport as a phone does.
func (b *Browser) Viewport(width, height int64, mobile bool) {
	b.T.Helper()
	var opts []chromedp.EmulateViewportOption
	if mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	if err := b.do(chromedp.EmulateViewport(width, height, opts...)); err != nil {
		b.T.Fatalf("viewport %dx%d: %v", width, height, err)
	}
}

// HorizontalOverflow is how many CSS pixels the page is wider than the
// viewport: more than 0 means sideways scrolling. It compares with
// clientWidth, not innerWidth, because an emulated phone widens innerWidth
// to fit content that overflows, which would hide the overflow.
func (b *Browser) HorizontalOverflow() int {
	b.T.Helper()
	return Eval[int](b, `document.documentElement.scrollWidth - document.documentElement.clientWidth`)
}

// Screenshot saves a PNG of the whole page and returns its path: in
// $SHKOLA_SCREENSHOTS if set (to look at later), else in the test's temp dir.
func (b *Browser) Screenshot(name string) string {
	b.T.Helper()
	png, err := runT(b, chromedp.FullScreenshot(100))
	if err != nil {
		b.T.Fatalf("screenshot: %v", err)
	}
	dir := os.Getenv("SHKOLA_SCREENSHOTS")
	if dir == "" {
		dir = b.T.TempDir()
	} else if err := os.MkdirAll(dir, 0o750); err != nil { // #nosec G703 -- the developer's own $SHKOLA_SCREENSHOTS directory
		b.T.Fatal(err)
	}
	p := filepath.Join(dir, name+".png")
	if err := os.WriteFile(p, png, 0o600); err != nil { // #nosec G703 -- the developer's own $SHKOLA_SCREENSHOTS directory and a test-chosen name
		b.T.Fatal(err)
	}
	return p
}

// SmallestText is the smallest computed font size, in CSS pixels, of any
// element that shows text of its own, with a short description of it.
func (b *Browser) SmallestText() (px float64, where string) {
	b.T.Helper()
	r := Eval[struct {
		Px    float64 `json:"px"`
		Where string  `json:"where"`
	}](b, `(() => {
	let best = {px: Infinity, where: ''};
	for (const el of document.body.querySelectorAll('*')) {
		const own = [...el.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim() !== '');
		if (!own || el.getClientRects().length === 0) continue;
		const px = parseFloat(getComputedStyle(el).fontSize);
		if (px < best.px) best = {px, where: el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') + ' "' + el.textContent.trim().slice(0, 40) + '"'};
	}
	return best;
})()`)
	return r.Px, r.Where
}
