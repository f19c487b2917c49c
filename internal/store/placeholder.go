package store

import (
	"strconv"
	"strings"
)

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

// InList is the condition "column is one of values" for a lookup of
// thousands of keys, appending its arguments to args; the placeholders it
// writes follow those already in args, so on SQLite ("?") nothing may be
// added to args out of the order of the SQL text. PostgreSQL takes the
// values as one array (column = ANY($n)): a list of thousands of
// parameters gets a generic plan once the statement is cached, in which
// the server compares every row it scans with every value in turn (an
// import spent seconds per chunk so); an array keeps the index lookup in
// any plan.
func (e Engine) InList(column string, args *[]any, values []string) string {
	return inList(e, column, args, values)
}

// InIDs is InList for numeric keys (ids): one bigint array on PostgreSQL,
// bare "?" on SQLite.
func (e Engine) InIDs(column string, args *[]any, values []int64) string {
	return inList(e, column, args, values)
}

func inList[T string | int64](e Engine, column string, args *[]any, values []T) string {
	if e == Postgres {
		*args = append(*args, values)
		return column + " = ANY($" + strconv.Itoa(len(*args)) + ")"
	}
	var b strings.Builder
	b.WriteString(column + " IN (")
	for i, v := range values {
		if i > 0 {
			b.WriteByte(',')
		}
		*args = append(*args, v)
		b.WriteString(e.Param(len(*args)))
	}
	b.WriteByte(')')
	return b.String()
}

// InPairs is the condition "(a, b) is one of the pairs (as[i], bs[i])",
// as InList: two text arrays unnested side by side on PostgreSQL, a
// VALUES list on SQLite.
func (e Engine) InPairs(a, b string, args *[]any, as, bs []string) string {
	if e == Postgres {
		*args = append(*args, as, bs)
		n := len(*args)
		return "(" + a + ", " + b + ") IN (SELECT * FROM unnest($" + strconv.Itoa(n-1) + "::text[], $" + strconv.Itoa(n) + "::text[]))"
	}
	var sb strings.Builder
	sb.WriteString("(" + a + ", " + b + ") IN (VALUES ")
	for i := range as {
		if i > 0 {
			sb.WriteByte(',')
		}
		*args = append(*args, as[i], bs[i])
		sb.WriteString("(" + e.Param(len(*args)-1) + "," + e.Param(len(*args)) + ")")
	}
	sb.WriteByte(')')
	return sb.String()
}
