package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"shkola/internal/app"
	"shkola/internal/audit"
	"shkola/internal/backup"
	"shkola/internal/config"
	"shkola/internal/store"
)

const backupUsage = `usage: shkola backup FILE [flags]

Writes a consistent copy of the configured database (--db / SHKOLA_DB) to FILE
while the server keeps running: it only reads, from one snapshot.
`

const restoreUsage = `usage: shkola restore FILE [--force] [flags]

Checks FILE completely (checksums, row counts, schema version) and only then
restores it into the configured database (--db / SHKOLA_DB). Stop the server
first. A PostgreSQL target must be an empty database; a SQLite file that holds
data is replaced only with --force, and only after the restored copy verified.
`

// fileArg takes the FILE that comes before the flags.
func fileArg(args []string, usage string, stderr io.Writer) (string, []string, error) {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprint(stderr, usage)
		return "", nil, errUsage
	}
	return args[0], args[1:], nil
}

func isPostgres(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// sqlitePath resolves the SQLite file the configuration names, as store.Open does.
func sqlitePath(cfg *config.Config) string {
	path := strings.TrimPrefix(strings.TrimPrefix(cfg.DB, "sqlite://"), "file:")
	if path == "" {
		path = filepath.Join(cfg.DataDir, "shkola.db")
	}
	return path
}

func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	file, rest, err := fileArg(args, backupUsage, stderr)
	if err != nil {
		return err
	}
	cfg, err := parseFlags("backup", rest, stderr, nil)
	if err != nil {
		return err
	}
	if !isPostgres(cfg.DB) {
		// Opening a missing SQLite file would create an empty database.
		if _, err := os.Stat(sqlitePath(cfg)); err != nil {
			return fmt.Errorf("no database at %s: %w", sqlitePath(cfg), err)
		}
	}
	db, err := store.Open(ctx, cfg.DB, cfg.DataDir)
	if err != nil {
		return err
	}
	defer db.Close()

	// Write beside the target and rename, so FILE is either a whole archive
	// or absent; 0600 because the archive holds personal data.
	tmp := file + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600) // #nosec G304 G703 -- the operator's own path from the command line: the CLI runs with the operator's rights
	if err != nil {
		return err
	}
	h := sha256.New()
	m, err := backup.Backup(ctx, db, io.MultiWriter(f, h), time.Now())
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, file) // #nosec G703 -- the operator's own path from the command line: the CLI runs with the operator's rights
	}
	if err != nil {
		return errors.Join(err, removeIfExists(tmp))
	}
	for _, t := range m.Tables {
		fmt.Fprintf(stdout, "  %-32s %10d rows\n", t.Name, t.Rows)
	}
	if err := audit.New(db, nil, nil).Write(ctx, audit.Entry{Action: audit.Backup, Outcome: audit.Success, ObjectType: "backup", Detail: filepath.Base(file)}); err != nil {
		return fmt.Errorf("backup written, but the audit entry could not be written: %w", err)
	}
	fmt.Fprintf(stdout, "backup of %s written to %s: %d tables, %d rows\narchive sha256 %s\n",
		db.Location, file, len(m.Tables), m.Rows(), hex.EncodeToString(h.Sum(nil)))
	return nil
}

func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	file, rest, err := fileArg(args, restoreUsage, stderr)
	if err != nil {
		return err
	}
	var force bool
	cfg, err := parseFlags("restore", rest, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&force, "force", false, "SQLite: replace a database file that holds data (only after the restored copy verified)")
	})
	if err != nil {
		return err
	}
	if force && isPostgres(cfg.DB) {
		return errors.New("--force applies to SQLite files only; a PostgreSQL target must be an empty database")
	}
	f, err := os.Open(file) // #nosec G304 G703 -- the operator's own path from the command line: the CLI runs with the operator's rights
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	a, err := backup.Open(f, st.Size(), app.Migrations())
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	m := &a.Manifest
	fmt.Fprintf(stdout, "archive %s checked: %s backup of %s, %d tables, %d rows\n",
		file, m.Engine, m.CreatedAt.Format(time.RFC3339), len(m.Tables), m.Rows())

	// Before anything is replaced: the counts match the manifest and the
	// restored audit chain verifies (with the checkpoint key when there is one).
	counts := backup.CountsMatch(m)
	verify := func(ctx context.Context, db *store.DB) error {
		if err := counts(ctx, db); err != nil {
			return err
		}
		opt := audit.VerifyOptions{}
		if pub, err := audit.LoadPublicKey(auditKeyPath(cfg)); err == nil {
			opt.PublicKey = pub
		}
		rep, err := audit.New(db, nil, nil).Verify(ctx, opt)
		if err != nil {
			return fmt.Errorf("audit chain: %w", err)
		}
		if !rep.OK() {
			return fmt.Errorf("audit chain of the archive does not verify: %s", rep.Problems[0].Message)
		}
		fmt.Fprintf(stdout, "audit chain verified: %d entries\n", rep.Entries)
		return nil
	}

	where := ""
	if isPostgres(cfg.DB) {
		db, err := store.Open(ctx, cfg.DB, cfg.DataDir)
		if err != nil {
			return err
		}
		defer db.Close()
		where = db.Location
		err = a.Restore(ctx, db, verify)
		if err != nil {
			return err
		}
	} else {
		where = sqlitePath(cfg)
		if err := os.MkdirAll(filepath.Dir(where), 0o700); err != nil {
			return fmt.Errorf("data directory %s: %w", filepath.Dir(where), err)
		}
		if err := a.RestoreFile(ctx, where, force, verify); err != nil {
			return err
		}
	}
	if err := recordOperation(ctx, cfg, audit.Restore, file); err != nil {
		return fmt.Errorf("restored, but the audit entry could not be written: %w", err)
	}
	fmt.Fprintf(stdout, "restored %d rows in %d tables into %s; newer migrations, if any, run at the next start\n",
		m.Rows(), len(m.Tables), where)
	return nil
}

// auditKeyPath is where the checkpoint key lives for cfg.
func auditKeyPath(cfg *config.Config) string {
	if cfg.AuditKey != "" {
		return cfg.AuditKey
	}
	return filepath.Join(cfg.DataDir, audit.KeyFileName)
}

// recordOperation writes an operator action into the (restored) database's audit log.
func recordOperation(ctx context.Context, cfg *config.Config, action audit.Action, file string) error {
	db, err := store.Open(ctx, cfg.DB, cfg.DataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	return audit.New(db, nil, nil).Write(ctx, audit.Entry{Action: action, Outcome: audit.Success, ObjectType: "backup", Detail: filepath.Base(file)})
}

func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) { // #nosec G703 -- the database file named in the operator's own configuration
		return err
	}
	return nil
}
