package directory

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"shkola/internal/audit"
	"shkola/internal/errs"
	"shkola/internal/store"
)

// Limits of an import file: a directory has tens of entries, a few hundred
// at most (citizenship), so anything far larger is a wrong file.
const (
	MaxImportBytes = 1 << 20
	MaxImportRows  = 5000
	maxProblems    = 200
)

// Columns of an import file, in the order an export writes them. code and
// name_ru are required; a column left out keeps the stored value of an
// existing entry (and the default of a new one).
func Columns() []string {
	return []string{"code", "name_ru", "name_uk", "name_en", "attrs", "sort", "active"}
}

// ImportReport says what an import did or, in a dry run, would do.
type ImportReport struct {
	Directory string      `json:"directory"`
	DryRun    bool        `json:"dry_run"`
	Rows      int         `json:"rows"`
	Created   int         `json:"created"`
	Updated   int         `json:"updated"`
	Unchanged int         `json:"unchanged"`
	Items     []ImportRow `json:"items"`
	// Problems lists every row and column that broke a rule; when there is
	// any, nothing was written.
	Problems []Problem `json:"problems,omitempty"`
}

// ImportRow is the outcome for one row.
type ImportRow struct {
	Row     int    `json:"row"`
	Code    string `json:"code"`
	Action  string `json:"action"` // create, update or unchanged
	Version int64  `json:"version"`
}

// Row actions.
const (
	ActionCreate    = "create"
	ActionUpdate    = "update"
	ActionUnchanged = "unchanged"
)

// Problem is one broken rule of an import: the row (the line the record
// starts on; the header is row 1), the column, the rule and a message.
type Problem struct {
	Row     int    `json:"row"`
	Column  string `json:"column,omitempty"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// Field is how the problem is named in a problem+json error.
func (p Problem) Field() string {
	if p.Column == "" {
		return "row " + strconv.Itoa(p.Row)
	}
	return "row " + strconv.Itoa(p.Row) + ": " + p.Column
}

// importHooks run in the import's transaction: after for every written
// entry, done once at the end (the Guard audits in both).
type importHooks struct {
	after afterChange
	done  func(ctx context.Context, tx *store.Tx, r ImportReport) error
}

// Import reads a CSV file of entries of directory and creates or updates
// them: every row is checked first, and then all are written in one
// transaction, or, if any row breaks a rule, none. Rows equal to the stored
// entry change nothing (the version stays), so importing a file twice is
// the same as importing it once. Entries not in the file are left as they
// are. With dryRun nothing is written and the report says what would be.
func (s *Service) Import(ctx context.Context, directory string, r io.Reader, dryRun bool) (ImportReport, error) {
	return s.importCSV(ctx, directory, r, dryRun, importHooks{})
}

func (s *Service) importCSV(ctx context.Context, directory string, r io.Reader, dryRun bool, h importHooks) (ImportReport, error) {
	sp, ok := specOf(directory)
	if !ok {
		return ImportReport{}, unknown(directory)
	}
	rep := ImportReport{Directory: directory, DryRun: dryRun, Items: []ImportRow{}}
	rows, problems := parseFile(r)
	if len(problems) > 0 {
		rep.Problems = problems
		return rep, problemsError(problems)
	}
	if dryRun {
		_, err := s.plan(ctx, s.DB.Read(), "", sp, directory, rows, &rep)
		return rep, err
	}
	err := s.DB.WithTx(ctx, func(tx *store.Tx) error {
		steps, err := s.plan(ctx, tx, tx.Engine.ForUpdate(), sp, directory, rows, &rep)
		if err != nil {
			return err
		}
		for i, st := range steps {
			var changes []audit.FieldChange
			op := store.OpUpdate
			e := st.cur
			switch rep.Items[i].Action {
			case ActionUnchanged:
				continue
			case ActionCreate:
				op = store.OpCreate
				e = Entry{Directory: directory, Code: st.code}
				e.setContent(st.next)
				if err := s.insert(ctx, tx, &e); err != nil {
					return rowError(rep.Items[i].Row, err)
				}
				changes = append([]audit.FieldChange{{Field: "code", New: e.Code}}, diff(content{}, st.next, true)...)
			case ActionUpdate:
				if e, changes, err = s.rewrite(ctx, tx, st.cur, st.next); err != nil {
					return rowError(rep.Items[i].Row, err)
				}
			}
			rep.Items[i].Version = e.Version
			if h.after != nil {
				if err := h.after(ctx, tx, op, e, changes); err != nil {
					return err
				}
			}
		}
		if h.done != nil {
			return h.done(ctx, tx, rep)
		}
		return nil
	})
	return rep, err
}

// rowError names the row of a write that failed after the checks passed
// (another writer took the code meanwhile).
func rowError(row int, err error) error {
	var e *errs.Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		out := *e
		out.Fields = nil
		for _, f := range e.Fields {
			f.Field = Problem{Row: row, Column: f.Field}.Field()
			out.Fields = append(out.Fields, f)
		}
		return &out
	}
	return err
}

func problemsError(ps []Problem) error {
	e := &errs.Error{Code: errs.Invalid, Message: fmt.Sprintf("the file breaks %d rules; nothing was written", len(ps))}
	for _, p := range ps {
		e.Fields = append(e.Fields, errs.FieldError{Field: p.Field(), Rule: p.Rule, Message: p.Message})
	}
	return e
}

// fileRow is one record as read: the cells of the columns the header has.
type fileRow struct {
	line  int
	cells map[string]string
}

// parseFile reads the CSV defensively: UTF-8 only (a byte-order mark is
// dropped), comma or semicolon separated (a spreadsheet in a Russian locale
// writes semicolons), a header naming known columns once each, every record
// as many cells as the header, bounded size and row count.
func parseFile(r io.Reader) ([]fileRow, []Problem) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, []Problem{{Row: 1, Rule: "read", Message: "the file could not be read"}}
	}
	if len(data) > MaxImportBytes {
		return nil, []Problem{{Row: 1, Rule: "size", Message: fmt.Sprintf("the file is larger than %d bytes", MaxImportBytes)}}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return nil, []Problem{{Row: 1, Rule: "encoding", Message: "the file must be UTF-8 text"}}
	}
	cr := csv.NewReader(bytes.NewReader(data))
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.Contains(first, []byte(";")) && !bytes.Contains(first, []byte(",")) {
		cr.Comma = ';'
	}
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, []Problem{{Row: 1, Rule: "required", Message: "the file is empty; the first row names the columns"}}
		}
		return nil, []Problem{{Row: 1, Rule: "syntax", Message: csvMessage(err)}}
	}
	var ps []Problem
	seen := map[string]bool{}
	for i, name := range header {
		name = strings.ToLower(strings.TrimSpace(name))
		header[i] = name
		switch {
		case !slices.Contains(Columns(), name):
			ps = append(ps, Problem{Row: 1, Column: name, Rule: "unknown", Message: "unknown column; the columns are " + strings.Join(Columns(), ", ")})
		case seen[name]:
			ps = append(ps, Problem{Row: 1, Column: name, Rule: "duplicate", Message: "the column is named twice"})
		}
		seen[name] = true
	}
	for _, need := range []string{"code", "name_ru"} {
		if !seen[need] {
			ps = append(ps, Problem{Row: 1, Column: need, Rule: "required", Message: "the header must have this column"})
		}
	}
	if len(ps) > 0 {
		return nil, ps
	}
	cr.FieldsPerRecord = len(header)
	var rows []fileRow
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			rule := "syntax"
			if errors.Is(err, csv.ErrFieldCount) {
				rule = "columns"
			}
			ps = append(ps, Problem{Row: line, Rule: rule, Message: csvMessage(err)})
			if rule == "syntax" || len(ps) >= maxProblems {
				return nil, ps // after a quoting error the rest cannot be trusted
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		if len(rows) == MaxImportRows {
			return nil, append(ps, Problem{Row: line, Rule: "rows", Message: fmt.Sprintf("at most %d rows in one file", MaxImportRows)})
		}
		cells := make(map[string]string, len(header))
		for i, name := range header {
			cells[name] = rec[i]
		}
		rows = append(rows, fileRow{line: line, cells: cells})
	}
	if len(ps) > 0 {
		return nil, ps
	}
	if len(rows) == 0 {
		return nil, []Problem{{Row: 2, Rule: "required", Message: "the file has a header but no entries"}}
	}
	return rows, nil
}

// csvMessage describes a CSV error without the reader's line prefix (the
// row is reported on its own).
func csvMessage(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		switch {
		case errors.Is(pe.Err, csv.ErrFieldCount):
			return "the row has a different number of cells than the header"
		case errors.Is(pe.Err, csv.ErrQuote), errors.Is(pe.Err, csv.ErrBareQuote):
			return "a quote mark is out of place; a cell with quotes must be quoted and its quotes doubled"
		}
		return pe.Err.Error()
	}
	return "the file is not valid CSV"
}

// step is one row's planned change.
type step struct {
	code string
	cur  Entry
	next content
}

// plan checks every row against the directory and the stored entries (read
// with q; locked when it is the import's transaction) and fills rep with
// each row's action, or with the problems.
func (s *Service) plan(ctx context.Context, q store.Querier, suffix string, sp spec, directory string, rows []fileRow, rep *ImportReport) ([]step, error) {
	stored, err := list(ctx, q, directory, true, suffix)
	if err != nil {
		return nil, err
	}
	byCode := make(map[string]Entry, len(stored))
	for _, e := range stored {
		byCode[e.Code] = e
	}
	firstRow := map[string]int{}
	var v errs.Validation
	var ps []Problem
	steps := make([]step, 0, len(rows))
	for _, row := range rows {
		prefix := "row " + strconv.Itoa(row.line) + ": "
		code := strings.TrimSpace(row.cells["code"])
		cur, exists := byCode[code]
		if !exists {
			sp.checkCode(code, &v, prefix+"code")
		}
		if first, dup := firstRow[code]; dup && code != "" {
			v.Add(prefix+"code", "duplicate", fmt.Sprintf("the code is also on row %d", first))
		} else {
			firstRow[code] = row.line
		}
		c := content{Active: true}
		if exists {
			c = cur.content()
		}
		readCells(row.cells, &c, &v, prefix)
		sp.normalise(&c, &v, prefix)
		act := ActionCreate
		if exists {
			act = ActionUpdate
			if len(diff(cur.content(), c, false)) == 0 {
				act = ActionUnchanged
			}
		}
		steps = append(steps, step{code: code, cur: cur, next: c})
		rep.Items = append(rep.Items, ImportRow{Row: row.line, Code: code, Action: act, Version: cur.Version})
	}
	for _, f := range v.Fields {
		if len(ps) == maxProblems {
			break
		}
		ps = append(ps, problemOf(f))
	}
	rep.Rows = len(rows)
	if len(ps) > 0 {
		rep.Problems = ps
		rep.Items = []ImportRow{}
		return nil, problemsError(ps)
	}
	for _, it := range rep.Items {
		switch it.Action {
		case ActionCreate:
			rep.Created++
		case ActionUpdate:
			rep.Updated++
		default:
			rep.Unchanged++
		}
	}
	return steps, nil
}

// problemOf splits a field error named "row N: column" back into a problem.
func problemOf(f errs.FieldError) Problem {
	p := Problem{Rule: f.Rule, Message: f.Message}
	rest, _ := strings.CutPrefix(f.Field, "row ")
	num, col, _ := strings.Cut(rest, ": ")
	p.Row, _ = strconv.Atoi(num)
	p.Column = col
	return p
}

// readCells overlays the row's cells on c; a column the file lacks leaves
// c's value.
func readCells(cells map[string]string, c *content, v *errs.Validation, prefix string) {
	set := func(col string, dst *string) {
		if val, ok := cells[col]; ok {
			*dst = val
		}
	}
	set("name_ru", &c.NameRU)
	set("name_uk", &c.NameUK)
	set("name_en", &c.NameEN)
	if val, ok := cells["attrs"]; ok {
		a, err := parseAttrs(val)
		if err != nil {
			v.Add(prefix+"attrs", "json", `must be a JSON object such as {"weight":2}, or empty`)
		} else {
			c.Attrs = a
		}
	}
	if val, ok := cells["sort"]; ok {
		val = strings.TrimSpace(val)
		n, err := strconv.Atoi(val)
		switch {
		case val == "":
			c.Sort = 0
		case err != nil:
			v.Add(prefix+"sort", "format", "must be a whole number")
		default:
			c.Sort = n
		}
	}
	if val, ok := cells["active"]; ok {
		switch strings.ToLower(strings.TrimSpace(val)) {
		case "", "true", "1", "yes":
			c.Active = true
		case "false", "0", "no":
			c.Active = false
		default:
			v.Add(prefix+"active", "format", "must be true or false (or empty for true)")
		}
	}
}
