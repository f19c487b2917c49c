package api

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"shkola/internal/errs"
)

// Page is what a list request asks for: a cursor (opaque to clients) and a
// limit. Lists are ordered by a stable key (usually the id), and the cursor
// holds the last key seen, so pages stay correct while rows are added.
type Page struct {
	After int64
	Limit int
}

// List is the envelope of every list response.
type List[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next,omitempty"` // cursor for the next page; absent on the last
}

const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// ParsePage reads ?limit= and ?cursor=.
func ParsePage(q url.Values) (Page, error) {
	p := Page{Limit: DefaultLimit}
	var v errs.Validation
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxLimit {
			v.Add("limit", "range", "limit must be a whole number from 1 to 500")
		} else {
			p.Limit = n
		}
	}
	if s := q.Get("cursor"); s != "" {
		after, ok := decodeCursor(s)
		if !ok {
			v.Add("cursor", "format", "cursor is not one this server issued")
		}
		p.After = after
	}
	return p, v.Err()
}

// NextCursor returns the cursor after lastKey when the page was full.
func NextCursor(n, limit int, lastKey int64) string {
	if n < limit {
		return ""
	}
	b, _ := json.Marshal(struct {
		A int64 `json:"a"`
	}{lastKey})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, false
	}
	var c struct {
		A int64 `json:"a"`
	}
	if json.Unmarshal(b, &c) != nil || c.A < 0 {
		return 0, false
	}
	return c.A, true
}

// Filters reads only the query parameters named in allowed (parameter ->
// rule check); any other parameter, and any value its check refuses, is an
// error naming it. Handlers turn the result into SQL with placeholders; no
// request key ever becomes SQL text.
func Filters(q url.Values, allowed map[string]func(string) bool, reserved ...string) (map[string]string, error) {
	skip := map[string]bool{"limit": true, "cursor": true}
	for _, r := range reserved {
		skip[r] = true
	}
	out := map[string]string{}
	var v errs.Validation
	for key, vals := range q {
		if skip[key] {
			continue
		}
		check, ok := allowed[key]
		if !ok {
			v.Add(key, "unknown_filter", "this list cannot be filtered by "+key)
			continue
		}
		if len(vals) != 1 || !check(vals[0]) {
			v.Add(key, "format", "value is not accepted for "+key)
			continue
		}
		out[key] = vals[0]
	}
	return out, v.Err()
}

// WritePage answers a list: the items and, when the page is full, the
// cursor after the last one's key.
func WritePage[T any](w http.ResponseWriter, r *http.Request, items []T, limit int, key func(T) int64) {
	out := List[T]{Items: items}
	if len(items) > 0 {
		out.Next = NextCursor(len(items), limit, key(items[len(items)-1]))
	}
	Write(w, r, http.StatusOK, out)
}
