// Package tabular writes rows of text as CSV or XLSX, streaming: an XLSX
// sheet is written with excelize's StreamWriter, which keeps rows on disk
// rather than in memory, so an export of many rows stays small.
package tabular

import (
	"encoding/csv"
	"errors"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Formats and their content types.
const (
	CSV  = "csv"
	XLSX = "xlsx"
)

// ContentType is the media type of a format.
func ContentType(format string) string {
	if format == XLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// Valid reports whether format is one this package writes.
func Valid(format string) bool { return format == CSV || format == XLSX }

// Writer takes rows of one sheet (XLSX may have several) and finishes the
// file on Close.
type Writer interface {
	Row(cells []string) error
	// Sheet starts another sheet (CSV files have one: ignored there).
	Sheet(name string) error
	Close() error
}

// New writes format to w.
func New(w io.Writer, format, sheet string) (Writer, error) {
	if format == XLSX {
		return newXLSX(w, sheet)
	}
	return &csvWriter{w: csv.NewWriter(w)}, nil
}

type csvWriter struct {
	w *csv.Writer
}

// Row writes one record. A cell that a spreadsheet would run as a formula
// (=, +, -, @ first) is written with a leading apostrophe: exported data
// must not become code on the reader's machine (CSV injection).
func (c *csvWriter) Row(cells []string) error {
	out := make([]string, len(cells))
	for i, s := range cells {
		out[i] = defuse(s)
	}
	return c.w.Write(out)
}

func (c *csvWriter) Sheet(string) error { return nil }

func (c *csvWriter) Close() error {
	c.w.Flush()
	return c.w.Error()
}

func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		// A negative number is not a formula; leave it readable. Only a
		// whole number: "-2+3+cmd|..." starts like one and is a formula.
		if negativeNumber(s) {
			return s
		}
		return "'" + s
	}
	return s
}

// negativeNumber reports whether s is "-" and digits, with at most one
// decimal point or comma between digits.
func negativeNumber(s string) bool {
	whole, frac, dot := strings.Cut(s[1:], ".")
	if !dot {
		whole, frac, dot = strings.Cut(s[1:], ",")
	}
	digits := func(d string) bool {
		for _, c := range d {
			if c < '0' || c > '9' {
				return false
			}
		}
		return d != ""
	}
	return s[0] == '-' && digits(whole) && (!dot || digits(frac))
}

type xlsxWriter struct {
	out  io.Writer
	f    *excelize.File
	sw   *excelize.StreamWriter
	row  int
	cell []any
}

func newXLSX(w io.Writer, sheet string) (*xlsxWriter, error) {
	f := excelize.NewFile()
	if sheet != "" && sheet != "Sheet1" {
		if err := f.SetSheetName("Sheet1", sheet); err != nil {
			return nil, err
		}
	} else {
		sheet = "Sheet1"
	}
	x := &xlsxWriter{out: w, f: f}
	return x, x.open(sheet)
}

func (x *xlsxWriter) open(sheet string) error {
	sw, err := x.f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	x.sw, x.row = sw, 0
	return nil
}

// Row writes cells as text (a SNILS or a class "5А" is not a number);
// excelize writes strings as inline text, never as formulas.
func (x *xlsxWriter) Row(cells []string) error {
	x.row++
	x.cell = x.cell[:0]
	for _, s := range cells {
		x.cell = append(x.cell, s)
	}
	name, err := excelize.CoordinatesToCellName(1, x.row)
	if err != nil {
		return err
	}
	return x.sw.SetRow(name, x.cell)
}

func (x *xlsxWriter) Sheet(name string) error {
	if err := x.sw.Flush(); err != nil {
		return err
	}
	if _, err := x.f.NewSheet(name); err != nil {
		return err
	}
	return x.open(name)
}

func (x *xlsxWriter) Close() error {
	err := x.sw.Flush()
	if err == nil {
		err = x.f.Write(x.out)
	}
	return errors.Join(err, x.f.Close())
}
