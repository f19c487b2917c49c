package browsertest

import (
	"fmt"
	"strings"
	"sync"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
)

// consoleLog keeps the errors a page reported: console.error calls,
// uncaught exceptions and browser log errors (failed loads, CSP blocks).
type consoleLog struct {
	mu   sync.Mutex
	msgs []string
}

// record is the event listener; it runs on chromedp's read loop, so it only
// formats and appends.
func (c *consoleLog) record(ev any) {
	var msg string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError {
			return
		}
		parts := make([]string, 0, len(ev.Args))
		for _, a := range ev.Args {
			parts = append(parts, remoteText(a))
		}
		msg = "console.error: " + strings.Join(parts, " ")
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			text += " " + d.Exception.Description
		}
		msg = fmt.Sprintf("uncaught exception at %s:%d: %s", d.URL, d.LineNumber+1, text)
	case *log.EventEntryAdded:
		if ev.Entry.Level != log.EntryLevelError {
			return
		}
		msg = fmt.Sprintf("browser %s error: %s", ev.Entry.Source, ev.Entry.Text)
		if ev.Entry.URL != "" {
			msg += " (" + ev.Entry.URL + ")"
		}
	default:
		return
	}
	c.mu.Lock()
	c.msgs = append(c.msgs, msg)
	c.mu.Unlock()
}

// drain returns the errors so far and forgets them.
func (c *consoleLog) drain() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.msgs
	c.msgs = nil
	return m
}

func remoteText(o *runtime.RemoteObject) string {
	switch {
	case o.Description != "":
		return o.Description
	case len(o.Value) > 0:
		return strings.Trim(string(o.Value), `"`)
	case o.UnserializableValue != "":
		return string(o.UnserializableValue)
	}
	return string(o.Type)
}

func joinLines(s []string) string { return strings.Join(s, "\n  ") }

// ConsoleErrors returns the errors the pages reported since the last call.
func (b *Browser) ConsoleErrors() []string { return b.console.drain() }

// ExpectNoConsoleErrors fails the test if a page reported an error since the
// last check.
func (b *Browser) ExpectNoConsoleErrors(what string) {
	b.T.Helper()
	if msgs := b.console.drain(); len(msgs) > 0 {
		b.T.Errorf("%s: browser console errors:\n  %s", what, joinLines(msgs))
	}
}
