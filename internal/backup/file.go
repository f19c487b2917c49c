package backup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"shkola/internal/store"
)

// RestoreFile restores the archive into the SQLite database file at path. It
// builds the database in a new file beside path and renames it over path only
// after the load and verify have passed, so a failed restore replaces
// nothing. An existing file that holds data is replaced only with force.
// The server must not be running on path: a live server would keep writing
// to the file it has open.
func (a *Archive) RestoreFile(ctx context.Context, path string, force bool, verify Verifier) error {
	// An open SQLite database in WAL mode has its -wal and -shm files; the
	// last connection to close removes them. Swapping the file under a
	// running server would leave it writing into the replaced file, so this
	// is refused even with force.
	for _, s := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(path + s); err == nil {
			return fmt.Errorf("%s is in use (%s exists): stop shkola serve first; if nothing runs on it, run shkola migrate once to close it cleanly", path, filepath.Base(path+s))
		}
	}
	if st, err := os.Stat(path); err == nil && st.Size() > 0 && !force {
		if err := a.fileIsEmpty(ctx, path); err != nil {
			return fmt.Errorf("%w (pass --force to replace it; the swap happens only after the restored copy verified)", err)
		}
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, filepath.Base(path)+".restore-*")
	if err != nil {
		return fmt.Errorf("%w", err)
	}
	tmp := f.Name()
	if err := f.Close(); err != nil {
		return errors.Join(err, removeDB(tmp))
	}
	if err := a.buildFile(ctx, tmp, verify); err != nil {
		return errors.Join(err, removeDB(tmp))
	}
	// The old file's WAL must not outlive it: next to the new file it would
	// be replayed into the wrong database.
	if err := removeSidecars(path); err != nil {
		return errors.Join(fmt.Errorf("%w", err), removeDB(tmp))
	}
	if err := os.Rename(tmp, path); err != nil {
		return errors.Join(fmt.Errorf("%w", err), removeDB(tmp))
	}
	return syncDir(dir)
}

// fileIsEmpty opens an existing database file only to check it holds no data.
func (a *Archive) fileIsEmpty(ctx context.Context, path string) error {
	db, err := store.Open(ctx, path, filepath.Dir(path))
	if err != nil {
		return err
	}
	_, err = a.checkEmpty(ctx, db)
	return errors.Join(err, db.Close())
}

func (a *Archive) buildFile(ctx context.Context, tmp string, verify Verifier) error {
	db, err := store.Open(ctx, tmp, filepath.Dir(tmp))
	if err != nil {
		return fmt.Errorf("%w", err)
	}
	err = a.Restore(ctx, db, verify)
	if err == nil {
		// Move everything from the WAL into the file that will be renamed.
		var busy, logFrames, done int
		err = db.W.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &done)
		if err == nil && busy != 0 {
			err = errors.New("the restored database could not be checkpointed")
		}
	}
	if cerr := db.Close(); cerr != nil {
		err = errors.Join(err, cerr)
	}
	if err != nil {
		return err
	}
	if st, serr := os.Stat(tmp + "-wal"); serr == nil && st.Size() > 0 {
		return errors.New("the restored database still has a write-ahead log")
	}
	return removeSidecars(tmp)
}

func removeSidecars(path string) error {
	var errs []error
	for _, s := range []string{"-wal", "-shm", "-journal"} {
		if err := os.Remove(path + s); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func removeDB(path string) error {
	err := os.Remove(path)
	if errors.Is(err, os.ErrNotExist) {
		err = nil
	}
	return errors.Join(err, removeSidecars(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir) // #nosec G304 -- the directory of the database file the operator configured
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}
