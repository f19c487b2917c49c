package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"shkola/internal/audit"
	"shkola/internal/config"
	"shkola/internal/store"
)

const auditUsage = `usage: shkola audit <verify|checkpoint|export-checkpoints|public-key> [flags]

  verify [--checkpoints FILE] [--key FILE]   check the hash chain and the signed checkpoints
  checkpoint [--key FILE]                    sign the current head of the chain
  export-checkpoints FILE [flags]            write every checkpoint as JSON lines ("-": stdout)
  public-key [--key FILE]                    print the public key that verifies checkpoints

The key defaults to $SHKOLA_AUDIT_KEY, else <data-dir>/` + audit.KeyFileName + `.
`

func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprint(stderr, auditUsage)
		return errUsage
	}
	sub, args := args[0], args[1:]
	switch sub {
	case "verify":
		return auditVerify(ctx, args, stdout, stderr)
	case "checkpoint":
		return auditCheckpoint(ctx, args, stdout, stderr)
	case "export-checkpoints":
		return auditExport(ctx, args, stdout, stderr)
	case "public-key":
		return auditPublicKey(args, stdout, stderr)
	}
	fmt.Fprintf(stderr, "shkola audit: unknown subcommand %q\n\n%s", sub, auditUsage)
	return errUsage
}

// auditFlags parses the common flags plus --key, resolving the key path.
func auditFlags(name string, args []string, stderr io.Writer, extra func(*flag.FlagSet)) (*config.Config, string, error) {
	var key string
	cfg, err := parseFlags("audit "+name, args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&key, "key", os.Getenv("SHKOLA_AUDIT_KEY"), "Ed25519 key file for checkpoints; verify also takes a public key ($SHKOLA_AUDIT_KEY, default <data-dir>/"+audit.KeyFileName+")")
		if extra != nil {
			extra(fs)
		}
	})
	if err != nil {
		return nil, "", err
	}
	if key == "" {
		key = filepath.Join(cfg.DataDir, audit.KeyFileName)
	}
	return cfg, key, nil
}

// openAuditDB opens the database without migrating it: these tools read
// and check, they do not change the schema.
func openAuditDB(ctx context.Context, cfg *config.Config) (*store.DB, error) {
	db, err := store.Open(ctx, cfg.DB, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	var n int
	if err := db.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_head").Scan(&n); err != nil {
		_ = db.Close() // the error returned below is the one to report
		return nil, fmt.Errorf("%s has no audit log (run shkola migrate first): %w", db.Location, err)
	}
	return db, nil
}

func auditVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cpFile string
	cfg, key, err := auditFlags("verify", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&cpFile, "checkpoints", "", "checkpoints exported earlier (export-checkpoints), to detect a rewritten or cut-off log")
	})
	if err != nil {
		return err
	}
	pub, err := audit.LoadPublicKey(key)
	if err != nil {
		return err
	}
	var opt audit.VerifyOptions
	opt.PublicKey = pub
	if cpFile != "" {
		f, err := os.Open(filepath.Clean(cpFile))
		if err != nil {
			return err
		}
		opt.Exported, err = audit.ReadCheckpoints(f)
		_ = f.Close() // read-only: Close cannot lose anything
		if err != nil {
			return fmt.Errorf("%s: %w", cpFile, err)
		}
	}
	db, err := openAuditDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := audit.New(db, nil, nil).Verify(ctx, opt)
	if err != nil {
		return err
	}
	if !rep.OK() {
		fmt.Fprint(stdout, rep.String())
		return fmt.Errorf("audit log of %s failed verification: %d problems", db.Location, len(rep.Problems)+rep.Omitted)
	}
	fmt.Fprintf(stdout, "audit log verified: %d entries, %d checkpoints", rep.Entries, rep.Checkpoints)
	if rep.Exported > 0 {
		fmt.Fprintf(stdout, ", %d exported checkpoints", rep.Exported)
	}
	fmt.Fprintln(stdout)
	return nil
}

func auditCheckpoint(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, key, err := auditFlags("checkpoint", args, stderr, nil)
	if err != nil {
		return err
	}
	signer, _, err := audit.LoadSigner(key, false)
	if err != nil {
		return err
	}
	db, err := openAuditDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	cp, err := audit.New(db, signer, nil).Checkpoint(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "checkpoint %d signed at entry %d (head %s, key %s)\n", cp.ID, cp.Seq, cp.HeadHash, cp.KeyID)
	return nil
}

func auditExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	// The file comes first: parseFlags takes no positional arguments.
	if len(args) == 0 || (strings.HasPrefix(args[0], "-") && args[0] != "-") {
		fmt.Fprint(stderr, "usage: shkola audit export-checkpoints FILE [flags]\n")
		return errUsage
	}
	out, args := args[0], args[1:]
	cfg, err := parseFlags("audit export-checkpoints", args, stderr, nil)
	if err != nil {
		return err
	}
	db, err := openAuditDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	l := audit.New(db, nil, nil)
	if out == "-" {
		_, err := l.ExportCheckpoints(ctx, stdout)
		return err
	}
	f, err := os.OpenFile(filepath.Clean(out), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600) // #nosec G703 -- the operator's own path from the command line: the CLI runs with the operator's rights
	if err != nil {
		return err
	}
	n, err := l.ExportCheckpoints(ctx, f)
	if err = errors.Join(err, f.Close()); err != nil {
		return fmt.Errorf("%s: %w", out, err)
	}
	fmt.Fprintf(stdout, "exported %d checkpoints to %s\n", n, out)
	return nil
}

func auditPublicKey(args []string, stdout, stderr io.Writer) error {
	_, key, err := auditFlags("public-key", args, stderr, nil)
	if err != nil {
		return err
	}
	signer, _, err := audit.LoadSigner(key, false)
	if err != nil {
		return err
	}
	_, err = stdout.Write(signer.PublicKeyPEM())
	return err
}
