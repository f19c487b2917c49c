package importer

import (
	"strings"

	"shkola/internal/errs"
)

// header maps a file's columns to a layout's.
type header struct {
	idx  map[string]int
	cols []Column
}

// readHeader checks a header against a layout: every name known, none
// twice, every required column present. Names are compared trimmed and in
// lower case, so a spreadsheet's "Last_Name " still matches.
func readHeader(k Kind, names []string) (*header, []CellError) {
	h := &header{idx: map[string]int{}, cols: Layout(k)}
	known := map[string]bool{}
	for _, c := range h.cols {
		known[c.Name] = true
	}
	var bad []CellError
	for i, n := range names {
		n = strings.ToLower(strings.TrimSpace(n))
		switch {
		case n == "":
			continue
		case !known[n]:
			bad = append(bad, CellError{1, n, "unknown_column", "not a column of the " + string(k) + " layout (see the template)"})
		case h.idx[n] != 0:
			bad = append(bad, CellError{1, n, "duplicate_column", "the column appears twice"})
		default:
			h.idx[n] = i + 1
		}
	}
	for _, c := range h.cols {
		if c.Required && h.idx[c.Name] == 0 {
			bad = append(bad, CellError{1, c.Name, "required_column", "the file has no column " + c.Name})
		}
	}
	return h, bad
}

// row is one data row: values by column name, trimmed.
type row struct {
	line int
	h    *header
	rec  []string
}

func (r row) get(name string) string {
	i := r.h.idx[name]
	if i == 0 || i > len(r.rec) {
		return ""
	}
	return strings.TrimSpace(r.rec[i-1])
}

// any reports whether any of the named columns holds a value.
func (r row) any(names ...string) bool {
	for _, n := range names {
		if r.get(n) != "" {
			return true
		}
	}
	return false
}

// cellErrors turns a domain's field errors into the file's columns: fields
// maps a domain field to its column ("" keeps the field's name after the
// prefix), and fields a layout has no column for are named by the nearest.
func cellErrors(line int, fe []errs.FieldError, prefix string, fields map[string]string) []CellError {
	out := make([]CellError, 0, len(fe))
	for _, f := range fe {
		col, ok := fields[f.Field]
		if !ok {
			col = prefix + f.Field
		}
		out = append(out, CellError{line, col, f.Rule, f.Message})
	}
	return out
}

// errorCells is cellErrors for an error returned by a domain: its fields
// when it has any, else the whole row under column.
func errorCells(line int, err error, prefix string, fields map[string]string, column string) []CellError {
	var e *errs.Error
	if asErr(err, &e) && len(e.Fields) > 0 {
		return cellErrors(line, e.Fields, prefix, fields)
	}
	if asErr(err, &e) {
		return []CellError{{line, column, string(e.Code), e.Message}}
	}
	return nil
}
