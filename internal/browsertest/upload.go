package browsertest

import "github.com/chromedp/chromedp"

// Upload chooses files for a file input, as a person picking them would.
func (b *Browser) Upload(sel string, files ...string) {
	b.T.Helper()
	if err := b.do(chromedp.SetUploadFiles(sel, files, chromedp.NodeVisible)); err != nil {
		b.T.Fatalf("upload into %s: %v", sel, err)
	}
}
