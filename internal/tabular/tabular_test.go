package tabular

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"unicode/utf8"
)

// Exported cells hold what people typed (names, comments): a spreadsheet
// must not run any of them as a formula.
func TestCSVDefusesFormulas(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"http://x\")": "'=HYPERLINK(\"http://x\")",
		"+7 900 000-00-00":         "'+7 900 000-00-00",
		"@SUM(A1)":                 "'@SUM(A1)",
		"-2+3+cmd|' /C calc'!A0":   "'-2+3+cmd|' /C calc'!A0",
		"-1-1":                     "'-1-1",
		"\tx":                      "'\tx",
		"-3":                       "-3",
		"-3.75":                    "-3.75",
		"-0,5":                     "-0,5",
		"4-":                       "4-",
		"5А":                       "5А",
		"":                         "",
	} {
		if got := cells(t, in)[0]; got != want {
			t.Errorf("%q written as %q, want %q", in, got, want)
		}
	}
}

func FuzzCSVCells(f *testing.F) {
	for _, s := range []string{"=1+1", "-2+3+cmd|' /C calc'!A0", "-3.75", "Иванова", "a,\"b\"\nc", "\r=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := defuse(s)
		if !strings.Contains(s, "\r") && utf8.ValidString(s) {
			if back := cells(t, s)[0]; back != got {
				t.Fatalf("%q is read back as %q, want %q", s, back, got)
			}
		}
		if got != s && got != "'"+s {
			t.Fatalf("%q became %q", s, got)
		}
		if got != "" && strings.ContainsRune("=+-@\t\r", rune(got[0])) && !negativeNumber(got) {
			t.Fatalf("%q is written as a formula: %q", s, got)
		}
	})
}

// cells writes one row through the CSV writer and reads it back.
func cells(t *testing.T, s string) []string {
	t.Helper()
	var b bytes.Buffer
	w, err := New(&b, CSV, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Row([]string{s, "end"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(&b)
	r.LazyQuotes = false
	rec, err := r.Read()
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return rec
}
