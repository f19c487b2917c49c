package store

import "strconv"

// Args collects query arguments while SQL text is assembled from fixed
// fragments, returning the placeholder for each value. Values never become
// SQL text.
type Args struct{ Values []any }

// Add appends v and returns its placeholder ($n).
func (a *Args) Add(v any) string {
	a.Values = append(a.Values, v)
	return "$" + strconv.Itoa(len(a.Values))
}
