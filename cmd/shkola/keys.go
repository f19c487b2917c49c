package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"shkola/internal/app"
	"shkola/internal/audit"
	"shkola/internal/config"
	"shkola/internal/crypt"
	"shkola/internal/store"
)

const keysUsage = `usage: shkola keys <generate|add|rotate|status|retire> [flags]

  generate [--out FILE]   print a new key file (or write FILE, mode 0600)
  add [--keys FILE]       add a data key to the key file and make it current
  rotate [--batch N]      re-encrypt every value under the current key, while the server runs
  status                  count the encrypted values under each key
  retire ID [--keys FILE] remove a key from the file once no value is under it

Keys come from $SHKOLA_KEYS (the file's content), else the file $SHKOLA_KEYS_FILE,
else <data-dir>/keys.txt; never from the database.

Changing keys without downtime:
  1. shkola keys add            the file now holds the old key and a new current one
  2. restart the servers one by one: they read with every key, write with the new one
  3. shkola keys rotate         re-encrypts the rest while the servers keep running
  4. shkola keys status         shows nothing left under the old key
  5. shkola keys retire k1      and copy the file to every server
`

// encryptedColumns lists every encrypted column for rotate, status and
// retire. Domains add theirs here as they start encrypting fields, e.g.
// {Table: "person", Key: "id", Column: "snils_enc", AADPrefix: "person.snils"}.
func encryptedColumns() []crypt.Column { return app.EncryptedColumns() }

func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprint(stderr, keysUsage)
		return errUsage
	}
	sub, args := args[0], args[1:]
	switch sub {
	case "generate":
		return keysGenerate(args, stdout, stderr)
	case "add":
		return keysAdd(args, stdout, stderr)
	case "rotate":
		return keysRotate(ctx, args, stdout, stderr)
	case "status":
		return keysStatus(ctx, args, stdout, stderr)
	case "retire":
		return keysRetire(ctx, args, stdout, stderr)
	}
	fmt.Fprintf(stderr, "shkola keys: unknown subcommand %q\n\n%s", sub, keysUsage)
	return errUsage
}

// keysFlags parses the common flags plus --keys, which names the key file
// (default $SHKOLA_KEYS_FILE, else <data-dir>/keys.txt).
func keysFlags(name string, args []string, stderr io.Writer, extra func(*flag.FlagSet)) (*config.Config, string, error) {
	var file string
	cfg, err := parseFlags("keys "+name, args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&file, "keys", "", "key file (default $"+crypt.EnvKeysFile+", else <data-dir>/"+crypt.FileName+")")
		if extra != nil {
			extra(fs)
		}
	})
	return cfg, file, err
}

// keyFile is the file add and retire edit: keys given inline in
// $SHKOLA_KEYS are the operator's to change.
func keyFile(cfg *config.Config, file string) (string, error) {
	if file != "" {
		return file, nil
	}
	if f := os.Getenv(crypt.EnvKeysFile); f != "" {
		return f, nil
	}
	if strings.TrimSpace(os.Getenv(crypt.EnvKeys)) != "" {
		return "", fmt.Errorf("keys come from $%s, which this command cannot edit: name a file with --keys", crypt.EnvKeys)
	}
	return filepath.Join(cfg.DataDir, crypt.FileName), nil
}

// loadKeys loads the ring the server would use, or the --keys file.
func loadKeys(cfg *config.Config, file string) (*crypt.Keyring, string, error) {
	if file != "" {
		kr, err := crypt.Load(file)
		return kr, file, err
	}
	kr, _, from, err := crypt.LoadOrCreate(cfg.DataDir, false)
	return kr, from, err
}

// openKeysDB opens the configured database without creating or migrating it.
func openKeysDB(ctx context.Context, cfg *config.Config) (*store.DB, error) {
	if !isPostgres(cfg.DB) {
		if _, err := os.Stat(sqlitePath(cfg)); err != nil { // #nosec G703 -- the database file named in the operator's own configuration
			return nil, fmt.Errorf("no database at %s: %w", sqlitePath(cfg), err)
		}
	}
	return store.Open(ctx, cfg.DB, cfg.DataDir)
}

func keysGenerate(args []string, stdout, stderr io.Writer) error {
	var out string
	if _, err := parseFlags("keys generate", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&out, "out", "", "write the new key file here (mode 0600, never overwritten) instead of printing it")
	}); err != nil {
		return err
	}
	kr, err := crypt.Generate()
	if err != nil {
		return err
	}
	if out == "" {
		_, err := stdout.Write(kr.Marshal())
		return err
	}
	if err := crypt.Create(out, kr); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "new key file written to %s (current key %s); point %s at it\n", out, kr.Current(), crypt.EnvKeysFile)
	return nil
}

func keysAdd(args []string, stdout, stderr io.Writer) error {
	cfg, file, err := keysFlags("add", args, stderr, nil)
	if err != nil {
		return err
	}
	path, err := keyFile(cfg, file)
	if err != nil {
		return err
	}
	kr, id, err := crypt.AddKey(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "key %s added to %s and made current (keys: %s)\n", id, path, strings.Join(kr.IDs(), ", "))
	fmt.Fprintln(stdout, "next: restart the servers with this file, then run `shkola keys rotate`")
	return nil
}

func keysRotate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var batch int
	cfg, file, err := keysFlags("rotate", args, stderr, func(fs *flag.FlagSet) {
		fs.IntVar(&batch, "batch", 500, "values re-encrypted per transaction")
	})
	if err != nil {
		return err
	}
	kr, from, err := loadKeys(cfg, file)
	if err != nil {
		return err
	}
	db, err := openKeysDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	cols := encryptedColumns()
	if len(cols) == 0 {
		fmt.Fprintln(stdout, "no encrypted columns are registered: nothing to rotate")
		return nil
	}
	total := 0
	for _, c := range cols {
		n, err := crypt.Rotate(ctx, db, kr, []crypt.Column{c}, batch, nil)
		total += n
		if err != nil {
			return fmt.Errorf("after %d values: %w", total, err)
		}
		fmt.Fprintf(stdout, "  %-32s %8d values re-encrypted\n", c, n)
	}
	left, err := printStatus(ctx, stdout, db, kr, cols)
	if err != nil {
		return err
	}
	detail := fmt.Sprintf("re-encrypted %d values under %s (keys from %s); %d not under it", total, kr.Current(), from, left)
	if err := audit.New(db, nil, nil).Write(ctx, audit.Entry{Action: audit.KeyRotate, Outcome: audit.Success, ObjectType: "keys", ObjectID: kr.Current(), Detail: detail}); err != nil {
		return fmt.Errorf("values re-encrypted, but the audit entry could not be written: %w", err)
	}
	fmt.Fprintf(stdout, "%d values re-encrypted under key %s\n", total, kr.Current())
	if left > 0 {
		fmt.Fprintf(stdout, "%d values are still not under %s: servers still running with the old key file wrote them, or they are under keys missing from the file. Restart the servers with the new file and run rotate again.\n", left, kr.Current())
	}
	return nil
}

func keysStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, file, err := keysFlags("status", args, stderr, nil)
	if err != nil {
		return err
	}
	kr, from, err := loadKeys(cfg, file)
	if err != nil {
		return err
	}
	db, err := openKeysDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(stdout, "keys from %s: %s, current %s\n", from, strings.Join(kr.IDs(), ", "), kr.Current())
	left, err := printStatus(ctx, stdout, db, kr, encryptedColumns())
	if err != nil {
		return err
	}
	if left > 0 {
		fmt.Fprintf(stdout, "%d values are not under the current key: run `shkola keys rotate`\n", left)
	}
	return nil
}

// printStatus prints the count per column and key and returns how many
// values are not under the current key.
func printStatus(ctx context.Context, w io.Writer, db *store.DB, kr *crypt.Keyring, cols []crypt.Column) (int, error) {
	sts, err := crypt.Status(ctx, db.Read(), kr, cols)
	if err != nil {
		return 0, err
	}
	left := 0
	for _, st := range sts {
		parts := make([]string, 0, len(st.ByKey)+1)
		for _, id := range kr.IDs() {
			parts = append(parts, fmt.Sprintf("%s %d", id, st.ByKey[id]))
		}
		if st.Other > 0 {
			parts = append(parts, fmt.Sprintf("unreadable %d", st.Other))
		}
		fmt.Fprintf(w, "  %-32s %s\n", st.Column, strings.Join(parts, ", "))
		left += st.Stale(kr.Current())
	}
	if len(cols) == 0 {
		fmt.Fprintln(w, "  no encrypted columns are registered")
	}
	return left, nil
}

func keysRetire(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprint(stderr, keysUsage)
		return errUsage
	}
	id := args[0]
	cfg, file, err := keysFlags("retire", args[1:], stderr, nil)
	if err != nil {
		return err
	}
	path, err := keyFile(cfg, file)
	if err != nil {
		return err
	}
	kr, err := crypt.Load(path)
	if err != nil {
		return err
	}
	less, err := kr.WithoutKey(id)
	if err != nil {
		return err
	}
	db, err := openKeysDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	sts, err := crypt.Status(ctx, db.Read(), kr, encryptedColumns())
	if err != nil {
		return err
	}
	for _, st := range sts {
		if n := st.ByKey[id]; n > 0 {
			return fmt.Errorf("key %s still opens %d values of %s: run `shkola keys rotate` first", id, n, st.Column)
		}
	}
	if err := audit.New(db, nil, nil).Write(ctx, audit.Entry{Action: audit.KeyRotate, Outcome: audit.Success, ObjectType: "keys", ObjectID: id, Detail: "key retired from " + filepath.Base(path)}); err != nil {
		return fmt.Errorf("key not retired: the audit entry could not be written: %w", err)
	}
	if err := crypt.Replace(path, less); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "key %s removed from %s (keys: %s); copy the file to every server\n", id, path, strings.Join(less.IDs(), ", "))
	return nil
}
