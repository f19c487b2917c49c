package store

import "strconv"

// Param is the placeholder of the n-th argument (from 1) for statements
// with thousands of arguments (multi-row INSERTs of generated data).
// SQLite numbers "$n" placeholders by searching the ones already seen, which
// grows with the square of their count, while a bare "?" takes the next
// number at once; PostgreSQL needs "$n".
func (e Engine) Param(n int) string {
	if e == SQLite {
		return "?"
	}
	return "$" + strconv.Itoa(n)
}
