package importer

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"shkola/internal/classes"
	"shkola/internal/contingent"
	"shkola/internal/registry"
)

// FuzzParseRows feeds arbitrary bytes to the file reader (CSV, or XLSX when
// they start like a zip) and every row to the pupils row parser, the
// widest layout. Whatever the input, reading ends with rows or a file
// error, never a panic, and every reported error names a known column.
func FuzzParseRows(f *testing.F) {
	f.Add([]byte("last_name,first_name,birth_date,sex,class,admission_date,basis_number,basis_date\nИванов,Иван,2015-01-01,m,5А,2026-09-01,1,2026-09-01\n"))
	f.Add([]byte("\xef\xbb\xbflast_name;first_name;snils\n\"Иванов\";\"Ив\"\"ан\";112-233-445 95\n"))
	f.Add([]byte("last_name,first_name\n\"unterminated\n"))
	f.Add([]byte("PK\x03\x04garbage"))
	j := &pupilsJob{s: &Service{People: &registry.People{Now: time.Now}, Contingent: &contingent.Service{}}, org: 1,
		classes: map[string]classes.Group{"5А": {ID: 1, OrgID: 1, Kind: classes.Class, Status: "active"}}, year: "2026/2027",
		seen: map[uint64]int32{}, planned: map[int64]int{}}
	known := map[string]bool{"": true}
	for _, c := range Layout(Pupils) {
		known[c.Name] = true
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		var names []string
		var rr rowReader
		var err error
		if Sniff(data) == XLSX {
			path := filepath.Join(dir, "f.xlsx")
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			names, rr, err = openXLSX(path)
		} else {
			var c *csvReader
			names, c, err = newCSVReader(bytes.NewReader(data))
			rr = c
		}
		if err != nil {
			var fe *fileError
			if !errors.As(err, &fe) {
				t.Fatalf("reading fails without a file error: %v", err)
			}
			return
		}
		defer rr.Close()
		h, bad := readHeader(Pupils, names)
		for _, b := range bad {
			if b.Row != 1 {
				t.Fatalf("a header error not on row 1: %+v", b)
			}
		}
		for range 1000 {
			line, rec, err := rr.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				var fe *fileError
				if !errors.As(err, &fe) {
					t.Fatalf("a row fails without a file error: %v", err)
				}
				return
			}
			if len(rec) > maxColumns {
				t.Fatalf("row %d has %d cells", line, len(rec))
			}
			p := j.parse(row{line: line, h: h, rec: rec})
			for _, e := range p.bad {
				if !known[e.Column] || e.Row != line || e.Rule == "" {
					t.Fatalf("an error naming no column of the layout: %+v", e)
				}
			}
		}
	})
}
