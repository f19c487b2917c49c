package api

import (
	"net/url"
	"testing"
)

// FuzzParsePage: ?limit= and ?cursor= of every list come from the query
// string. An accepted page has a limit within bounds and a cursor this
// server could have issued.
func FuzzParsePage(f *testing.F) {
	f.Add("50", NextCursor(1, 1, 42))
	f.Add("0", "eyJhIjotMX0")
	f.Add("501", "not base64!")
	f.Add("", "eyJhIjoxZTk5OX0")
	f.Fuzz(func(t *testing.T, limit, cursor string) {
		q := url.Values{}
		if limit != "" {
			q.Set("limit", limit)
		}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		p, err := ParsePage(q)
		if err != nil {
			return
		}
		if p.Limit < 1 || p.Limit > MaxLimit || p.After < 0 {
			t.Fatalf("limit=%q cursor=%q accepted as %+v", limit, cursor, p)
		}
		if after, ok := decodeCursor(NextCursor(1, 1, p.After)); !ok || after != p.After {
			t.Fatalf("cursor after %d reads back as %d %v", p.After, after, ok)
		}
	})
}
