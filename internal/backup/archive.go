package backup

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"

	"shkola/internal/store"
)

// maxManifest bounds the manifest read into memory.
const maxManifest = 64 << 20

// Archive is a backup whose every file has been checked against its manifest
// and whose schema this binary knows. Only an Archive can be restored, so
// nothing is written before the whole file has been read once.
type Archive struct {
	Manifest Manifest
	files    map[string]*zip.File
	// sets are the binary's migrations cut down to the versions the archive
	// was taken at; all are the binary's migrations as they are.
	sets, all []store.MigrationSet
}

// Open reads the whole archive and checks it: the manifest format, the
// SHA-256 and row count of every table file, and that every schema migration
// the archive records exists in migrations (the archive is not newer than
// this binary). An error names the table or migration at fault.
func Open(ra io.ReaderAt, size int64, migrations []store.MigrationSet) (*Archive, error) {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, fmt.Errorf("not a Shkola backup archive: %w", err)
	}
	a := &Archive{files: map[string]*zip.File{}, all: migrations}
	for _, f := range zr.File {
		if _, dup := a.files[f.Name]; dup {
			return nil, fmt.Errorf("archive holds %q twice", f.Name)
		}
		a.files[f.Name] = f
	}
	if err := a.readManifest(); err != nil {
		return nil, err
	}
	m := &a.Manifest
	if m.Format != Format {
		return nil, fmt.Errorf("archive format %d is not supported by this version (it reads format %d)", m.Format, Format)
	}
	expected := map[string]bool{manifestName: true}
	for _, t := range m.Tables {
		if t.Name == "" || len(t.Columns) == 0 {
			return nil, fmt.Errorf("manifest: table %q has no name or no columns", t.Name)
		}
		if expected[tableFile(t.Name)] {
			return nil, fmt.Errorf("manifest: table %q is listed twice", t.Name)
		}
		expected[tableFile(t.Name)] = true
		if err := a.checkTable(t); err != nil {
			return nil, fmt.Errorf("table %q: %w; the archive is damaged or was edited, nothing was restored", t.Name, err)
		}
	}
	for name := range a.files {
		if !expected[name] {
			return nil, fmt.Errorf("archive holds %q, which the manifest does not list", name)
		}
	}
	if a.sets, err = restrict(migrations, m.Migrations); err != nil {
		return nil, err
	}
	return a, nil
}

func (a *Archive) readManifest() error {
	f := a.files[manifestName]
	if f == nil {
		return errors.New("not a Shkola backup archive: no manifest.json")
	}
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	defer rc.Close()
	dec := json.NewDecoder(io.LimitReader(rc, maxManifest))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a.Manifest); err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	return rc.Close()
}

// checkTable reads one table file through: checksum, line count, and that
// every line is a JSON object with exactly the manifest's columns.
func (a *Archive) checkTable(t Table) error {
	var rows int64
	err := a.eachRow(t, func(line []byte) error {
		rows++
		row, err := decodeRow(line)
		if err != nil {
			return fmt.Errorf("row %d: %w", rows, err)
		}
		return checkColumns(row, t.Columns)
	})
	if err != nil {
		return err
	}
	if rows != t.Rows {
		return fmt.Errorf("holds %d rows, the manifest says %d", rows, t.Rows)
	}
	return nil
}

func checkColumns(row map[string]any, cols []string) error {
	if len(row) != len(cols) {
		return fmt.Errorf("row has %d columns, the manifest lists %d", len(row), len(cols))
	}
	for _, c := range cols {
		if _, ok := row[c]; !ok {
			return fmt.Errorf("row lacks column %q", c)
		}
	}
	return nil
}

// eachRow calls fn for every line of a table file and then compares the
// file's SHA-256 with the manifest, so a caller that loads rows learns of a
// mismatch before it commits.
func (a *Archive) eachRow(t Table, fn func(line []byte) error) error {
	f := a.files[tableFile(t.Name)]
	if f == nil {
		return errors.New("file missing from the archive")
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	h := sha256.New()
	r := bufio.NewReaderSize(io.TeeReader(rc, h), 64<<10)
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 {
			if line[len(line)-1] != '\n' {
				return errors.New("last row is cut off")
			}
			if err := fn(bytes.TrimSuffix(line, []byte("\n"))); err != nil {
				return err
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != t.SHA256 {
		return fmt.Errorf("SHA-256 is %s, the manifest says %s", got, t.SHA256)
	}
	return rc.Close()
}

// restrict checks that the binary knows every migration of the archive and
// returns the binary's sets cut down to those versions: the target is built
// at the schema the data was taken at, and later migrations run over the
// restored data at the next start, as they would have on the original.
func restrict(sets []store.MigrationSet, applied []Migration) ([]store.MigrationSet, error) {
	want := map[string]map[string]bool{}
	known := map[string]map[int]string{}
	for _, s := range sets {
		names, err := migrationFiles(s)
		if err != nil {
			return nil, err
		}
		known[s.Domain] = names
	}
	for _, m := range applied {
		name, ok := known[m.Domain][m.Version]
		if !ok {
			return nil, fmt.Errorf("the archive's schema is newer than this program: migration %s/%s is unknown here; restore with the version of shkola that took the backup or a newer one", m.Domain, m.Name)
		}
		if name != m.Name {
			return nil, fmt.Errorf("migration %s version %d is %s in the archive but %s here", m.Domain, m.Version, m.Name, name)
		}
		if want[m.Domain] == nil {
			want[m.Domain] = map[string]bool{}
		}
		want[m.Domain][m.Name] = true
	}
	var out []store.MigrationSet
	for _, s := range sets {
		if len(want[s.Domain]) > 0 {
			out = append(out, store.MigrationSet{Domain: s.Domain, FS: onlyFiles{FS: s.FS, keep: want[s.Domain]}})
		}
	}
	return out, nil
}

// migrationFiles lists a set's NNNN_what.sql files by version, read the way
// store.Migrate reads them.
func migrationFiles(s store.MigrationSet) (map[int]string, error) {
	entries, err := fs.ReadDir(s.FS, ".")
	if err != nil {
		return nil, fmt.Errorf("migrations of %s: %w", s.Domain, err)
	}
	out := map[int]string{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		num, _, _ := strings.Cut(e.Name(), "_")
		if v, err := strconv.Atoi(num); err == nil {
			out[v] = e.Name()
		}
	}
	return out, nil
}

// onlyFiles hides every migration file but the kept ones from the runner.
type onlyFiles struct {
	fs.FS
	keep map[string]bool
}

func (o onlyFiles) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(o.FS, name)
	if err != nil {
		return nil, err
	}
	var out []fs.DirEntry
	for _, e := range entries {
		if o.keep[e.Name()] {
			out = append(out, e)
		}
	}
	return out, nil
}
