package filestore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"shkola/internal/errs"
	"shkola/internal/store"
)

// File is what is known of a stored file.
type File struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	OrgID       *int64    `json:"org_id,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// Limits say what an upload may be: at most MaxSize bytes, and a type from
// Types (file extension -> the content type its bytes must sniff as).
type Limits struct {
	MaxSize int64
	Types   map[string]string
}

// Documents is the usual limit for homework files and confirming
// documents: 10 MiB of PDF, pictures, plain text or office files.
var Documents = Limits{MaxSize: 10 << 20, Types: map[string]string{
	".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
	".txt": "text/plain; charset=utf-8", ".docx": "application/zip", ".xlsx": "application/zip",
	".pptx": "application/zip", ".odt": "application/zip", ".ods": "application/zip",
}}

// Blobs keeps the bytes of files by their SHA-256 (lower-case hex).
type Blobs interface {
	// Put stores data under key inside tx (or, for blobs outside the
	// database, before tx commits: an orphan is harmless, a missing one is not).
	Put(ctx context.Context, tx *store.Tx, key string, data []byte) error
	// Open returns the bytes stored under key.
	Open(ctx context.Context, q store.Querier, key string) (io.ReadCloser, error)
}

// Store saves and opens files.
type Store struct {
	DB    *store.DB
	Blobs Blobs
	Now   func() time.Time
}

// New returns a store keeping bytes in the database, or under dir when dir
// is not empty.
func New(db *store.DB, dir string) *Store {
	var b Blobs = DBBlobs{}
	if dir != "" {
		b = DiskBlobs{Dir: dir}
	}
	return &Store{DB: db, Blobs: b, Now: time.Now}
}

// Save checks an upload against lim and stores it inside tx. field names
// the form or API field in errors. The whole upload is read (it is bounded
// by lim.MaxSize), so its type is sniffed from its bytes, not trusted from
// the client.
func (s *Store) Save(ctx context.Context, tx *store.Tx, field, name string, r io.Reader, lim Limits, orgID *int64, by string) (File, error) {
	data, err := io.ReadAll(io.LimitReader(r, lim.MaxSize+1))
	if err != nil {
		return File{}, errs.Wrap(errs.Invalid, err, "the file could not be read")
	}
	f, err := check(field, name, data, lim)
	if err != nil {
		return f, err
	}
	f.OrgID = orgID
	f.CreatedAt = s.Now().UTC().Truncate(time.Microsecond)
	if err := s.Blobs.Put(ctx, tx, f.SHA256, data); err != nil {
		return f, fmt.Errorf("store file: %w", err)
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO files (sha256, name, content_type, size, org_id, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		f.SHA256, f.Name, f.ContentType, f.Size, orgID, f.CreatedAt, by).Scan(&f.ID)
	return f, err
}

// check validates the name, size and sniffed type of an upload.
func check(field, name string, data []byte, lim Limits) (File, error) {
	var v errs.Validation
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	ext := strings.ToLower(filepath.Ext(name))
	want, known := lim.Types[ext]
	switch {
	case name == "" || name == "." || name == "/" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > 200:
		v.Add(field, "name", "the file needs a name of at most 200 characters")
	case len(data) == 0:
		v.Add(field, "empty", "the file is empty")
	case int64(len(data)) > lim.MaxSize:
		v.Add(field, "size", fmt.Sprintf("the file is larger than %d MiB", lim.MaxSize>>20))
	case !known:
		v.Add(field, "type", "this type of file is not accepted: "+allowed(lim))
	default:
		if got := http.DetectContentType(data); got != want && !(strings.HasPrefix(want, "text/plain") && strings.HasPrefix(got, "text/plain")) {
			v.Add(field, "type", "the file's content does not match its extension "+ext)
		}
	}
	if err := v.Err(); err != nil {
		return File{}, err
	}
	sum := sha256.Sum256(data)
	return File{Name: name, ContentType: contentType(ext, want), Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}, nil
}

// contentType is what the file is served as: office files sniff as zip but
// are served with their own type.
func contentType(ext, sniffed string) string {
	switch ext {
	case ".docx":
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	case ".xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case ".pptx":
		return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
	case ".odt":
		return "application/vnd.oasis.opendocument.text"
	case ".ods":
		return "application/vnd.oasis.opendocument.spreadsheet"
	}
	return sniffed
}

func allowed(lim Limits) string {
	var exts []string
	for e := range lim.Types {
		exts = append(exts, e)
	}
	sort.Strings(exts)
	return strings.Join(exts, ", ")
}

// Get reads a file's metadata; an unknown id is NotFound.
func (s *Store) Get(ctx context.Context, q store.Querier, id int64) (File, error) {
	var f File
	err := q.QueryRowContext(ctx, `SELECT id, name, content_type, size, sha256, org_id, created_at FROM files WHERE id = $1`, id).
		Scan(&f.ID, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &f.OrgID, &f.CreatedAt)
	if store.IsNoRows(err) {
		return f, errs.E(errs.NotFound, "no such file")
	}
	return f, err
}

// Open returns a file's metadata and bytes. Access to the record that
// refers to the file is the caller's to decide, before calling.
func (s *Store) Open(ctx context.Context, id int64) (File, io.ReadCloser, error) {
	f, err := s.Get(ctx, s.DB.Read(), id)
	if err != nil {
		return f, nil, err
	}
	rc, err := s.Blobs.Open(ctx, s.DB.Read(), f.SHA256)
	return f, rc, err
}

// Serve writes a file as a download (never rendered inline, so an upload
// cannot run as a page of this site).
func Serve(w http.ResponseWriter, f File, rc io.ReadCloser) error {
	defer rc.Close()
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Content-Length", fmt.Sprint(f.Size))
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(f.Name))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "private, no-store")
	_, err := io.Copy(w, rc)
	return err
}

func nopCloser(b []byte) io.ReadCloser { return io.NopCloser(bytes.NewReader(b)) }
