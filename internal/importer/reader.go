package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Formats of a file.
const (
	CSV  = "csv"
	XLSX = "xlsx"
)

// maxCell bounds one cell: no column of any layout is longer, and a
// hostile file must not make a row arbitrarily large.
const maxCell = 1000

// maxColumns bounds the header.
const maxColumns = 100

// rowReader reads the rows of a file after its header, one at a time.
type rowReader interface {
	// Next returns the next non-empty row and its number in the file (the
	// header is row 1); io.EOF after the last. The slice is reused.
	Next() (int, []string, error)
	Close() error
}

// fileError is a problem with the file as a whole (not a CSV or XLSX
// file, a broken quote, a cell too long): the report names its row.
type fileError struct {
	Row     int
	Rule    string
	Message string
}

func (e *fileError) Error() string { return fmt.Sprintf("row %d: %s", e.Row, e.Message) }

// Sniff tells the format from the first bytes: an XLSX file is a zip.
func Sniff(head []byte) string {
	if bytes.HasPrefix(head, []byte("PK\x03\x04")) {
		return XLSX
	}
	return CSV
}

// openFile opens a spooled file and reads its header.
func openFile(path, format string) ([]string, rowReader, error) {
	if format == XLSX {
		return openXLSX(path)
	}
	f, err := os.Open(path) // #nosec G304 -- the server's own spool file (os.CreateTemp in spool), never a name from the request
	if err != nil {
		return nil, nil, err
	}
	header, rr, err := newCSVReader(f)
	if err != nil {
		_ = f.Close() // the error returned below is the one to report
		return nil, nil, err
	}
	return header, &closing{rr, f}, nil
}

type closing struct {
	rowReader
	c io.Closer
}

func (c *closing) Close() error { return errors.Join(c.rowReader.Close(), c.c.Close()) }

// csvReader reads UTF-8 CSV separated by commas or, as spreadsheets in
// Russian and Ukrainian locales write it, semicolons (told from the header).
type csvReader struct {
	r    *csv.Reader
	line int
	n    int // columns of the header
}

func newCSVReader(r io.Reader) ([]string, *csvReader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	first, _ := br.Peek(4096)
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	c := csv.NewReader(br)
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		c.Comma = ';'
	}
	c.FieldsPerRecord = -1
	c.ReuseRecord = true
	cr := &csvReader{r: c}
	_, header, err := cr.Next()
	if errors.Is(err, io.EOF) {
		return nil, nil, &fileError{1, "header", "the file is empty: the first row names the columns"}
	}
	if err != nil {
		return nil, nil, err
	}
	cr.n = len(header)
	return append([]string(nil), header...), cr, nil
}

func (c *csvReader) Next() (int, []string, error) {
	for {
		rec, err := c.r.Read()
		if errors.Is(err, io.EOF) {
			return 0, nil, io.EOF
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return 0, nil, &fileError{pe.StartLine, "csv", "not valid CSV: " + pe.Err.Error()}
			}
			return 0, nil, &fileError{c.line, "csv", "the file cannot be read"}
		}
		// FieldPos is only defined after a successful read.
		line, _ := c.r.FieldPos(0)
		c.line = line
		if blank(rec) {
			continue
		}
		if err := checkCells(line, rec, c.n); err != nil {
			return 0, nil, err
		}
		return line, rec, nil
	}
}

func (c *csvReader) Close() error { return nil }

func blank(rec []string) bool {
	for _, s := range rec {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}

// checkCells refuses rows that no layout produces: more cells than the
// header names, overlong cells, text that is not UTF-8.
func checkCells(line int, rec []string, n int) error {
	if n > 0 && len(rec) > n {
		for _, s := range rec[n:] {
			if strings.TrimSpace(s) != "" {
				return &fileError{line, "columns", fmt.Sprintf("the row has %d cells, the header names %d columns", len(rec), n)}
			}
		}
	}
	if len(rec) > maxColumns {
		return &fileError{line, "columns", fmt.Sprintf("more than %d columns", maxColumns)}
	}
	for _, s := range rec {
		if len(s) > maxCell {
			return &fileError{line, "max_length", fmt.Sprintf("a cell is longer than %d bytes", maxCell)}
		}
		if !utf8.ValidString(s) {
			return &fileError{line, "encoding", "the file is not UTF-8 text"}
		}
	}
	return nil
}

// xlsxReader reads the first sheet of a workbook with excelize's row
// iterator, which streams the sheet's XML instead of loading it.
type xlsxReader struct {
	f    *excelize.File
	rows *excelize.Rows
	line int
	n    int
}

func openXLSX(path string) ([]string, rowReader, error) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return nil, nil, &fileError{0, "xlsx", "not a readable XLSX workbook"}
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		_ = f.Close() // the error returned below is the one to report
		return nil, nil, &fileError{0, "xlsx", "the workbook has no sheet"}
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		_ = f.Close() // the error returned below is the one to report
		return nil, nil, &fileError{0, "xlsx", "the first sheet cannot be read"}
	}
	x := &xlsxReader{f: f, rows: rows}
	_, header, err := x.Next()
	if errors.Is(err, io.EOF) {
		_ = x.Close() // the error returned below is the one to report
		return nil, nil, &fileError{1, "header", "the first sheet is empty: its first row names the columns"}
	}
	if err != nil {
		_ = x.Close() // the error returned below is the one to report
		return nil, nil, err
	}
	x.n = len(header)
	return append([]string(nil), header...), x, nil
}

func (x *xlsxReader) Next() (int, []string, error) {
	for x.rows.Next() {
		x.line++
		rec, err := x.rows.Columns()
		if err != nil {
			return 0, nil, &fileError{x.line, "xlsx", "the row cannot be read"}
		}
		if blank(rec) {
			continue
		}
		if err := checkCells(x.line, rec, x.n); err != nil {
			return 0, nil, err
		}
		return x.line, rec, nil
	}
	if err := x.rows.Error(); err != nil {
		return 0, nil, &fileError{x.line, "xlsx", "the sheet cannot be read"}
	}
	return 0, nil, io.EOF
}

func (x *xlsxReader) Close() error { return errors.Join(x.rows.Close(), x.f.Close()) }
