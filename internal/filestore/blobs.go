package filestore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"shkola/internal/errs"
	"shkola/internal/store"
)

// DBBlobs keeps bytes in the file_blobs table, in the same transaction as
// the record, so backups and restores carry them.
type DBBlobs struct{}

// Put stores data once per content.
func (DBBlobs) Put(ctx context.Context, tx *store.Tx, key string, data []byte) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO file_blobs (sha256, data) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING`, key, data)
	return err
}

// Open reads the bytes of key.
func (DBBlobs) Open(ctx context.Context, q store.Querier, key string) (io.ReadCloser, error) {
	var data []byte
	err := q.QueryRowContext(ctx, `SELECT data FROM file_blobs WHERE sha256 = $1`, key).Scan(&data)
	if store.IsNoRows(err) {
		return nil, errs.E(errs.NotFound, "the file's content is missing")
	}
	return nopCloser(data), err
}

// DiskBlobs keeps bytes under Dir/ab/abcdef… (written and synced before the
// record commits; an orphan from a rolled-back transaction is harmless).
type DiskBlobs struct{ Dir string }

func (d DiskBlobs) path(key string) (string, error) {
	if len(key) != 64 {
		return "", fmt.Errorf("file key %q is not a SHA-256", key)
	}
	for _, c := range key {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return "", fmt.Errorf("file key %q is not a SHA-256", key)
		}
	}
	return filepath.Join(d.Dir, key[:2], key), nil
}

// Put writes data to a temporary file and renames it into place.
func (d DiskBlobs) Put(_ context.Context, _ *store.Tx, key string, data []byte) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if _, err := os.Stat(p); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".upload-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close() // the error returned below is the one to report
		return err
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close() // the error returned below is the one to report
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), p)
}

// Open opens the file of key.
func (d DiskBlobs) Open(_ context.Context, _ store.Querier, key string) (io.ReadCloser, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p) // #nosec G304 -- path() accepts only a 64-digit lower-case hex key under the configured directory
	if errors.Is(err, os.ErrNotExist) {
		return nil, errs.E(errs.NotFound, "the file's content is missing")
	}
	return f, err
}
