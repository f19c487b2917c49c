package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"shkola/internal/account"
	"shkola/internal/identity"
	"shkola/internal/importer"
)

const importUsage = `usage: shkola import --kind pupils|guardians|staff|classes --org ID --as LOGIN [--dry-run] [--valid-only] [--json] FILE
  FILE is CSV (UTF-8, comma or semicolon) or XLSX; docs/IMPORT.md lists the columns of each kind.
  The import runs with the rights of the account LOGIN, as it would through the API.`

// runImport imports a registry file from the command line: the same
// checks, access decision, report and audit entry as the upload route.
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[len(args)-1], "-") {
		fmt.Fprintln(stderr, importUsage)
		return errUsage
	}
	path, args := args[len(args)-1], args[:len(args)-1]
	var kind, as string
	var orgID int64
	var dry, validOnly, asJSON bool
	cfg, err := parseFlags("import", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&kind, "kind", "", "pupils, guardians, staff or classes")
		fs.Int64Var(&orgID, "org", 0, "organisation to import into")
		fs.StringVar(&as, "as", "", "login of the account whose rights the import uses")
		fs.BoolVar(&dry, "dry-run", false, "check the whole file and write nothing")
		fs.BoolVar(&validOnly, "valid-only", false, "write the valid rows and report the others (default: all or nothing)")
		fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
	})
	if err != nil {
		return err
	}
	if kind == "" || orgID == 0 || as == "" {
		fmt.Fprintln(stderr, importUsage)
		return errUsage
	}
	log := cfg.Logger()
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	actor, err := actorOf(ctx, a.Accounts, as)
	if err != nil {
		return err
	}
	f, err := os.Open(path) // #nosec G304 G703 -- the operator's own path from the command line: the CLI runs with the operator's rights
	if err != nil {
		return err
	}
	defer f.Close()
	rep, err := a.Importer.Run(identity.With(ctx, actor), importer.Options{Kind: importer.Kind(kind), OrgID: orgID, DryRun: dry, ValidOnly: validOnly, FileName: path}, f)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		state := "nothing written"
		switch {
		case rep.DryRun:
			state = "dry run, nothing written"
		case rep.Written:
			state = "written"
		}
		fmt.Fprintf(stdout, "%s %s: %d rows, %d created, %d unchanged, %d failed (%s)\n", rep.Kind, rep.File, rep.Rows, rep.Created, rep.Unchanged, rep.Failed, state)
		for _, e := range rep.Errors {
			fmt.Fprintf(stdout, "row %d\t%s\t%s\t%s\n", e.Row, e.Column, e.Rule, e.Message)
		}
		if rep.ErrorCount > len(rep.Errors) {
			fmt.Fprintf(stdout, "… and %d more errors\n", rep.ErrorCount-len(rep.Errors))
		}
	}
	if rep.ErrorCount > 0 && !rep.Written {
		return errors.New("the file has errors; nothing was written")
	}
	return nil
}

// actorOf acts as an enabled account with its current grants.
func actorOf(ctx context.Context, s *account.Service, login string) (*identity.Actor, error) {
	norm, err := account.NormaliseLogin(login)
	if err != nil {
		return nil, err
	}
	var id int64
	var disabled *string
	if err := s.DB.Read().QueryRowContext(ctx, "SELECT id, CAST(disabled_at AS TEXT) FROM accounts WHERE login = $1", norm).Scan(&id, &disabled); err != nil {
		return nil, fmt.Errorf("no account %q", norm)
	}
	if disabled != nil {
		return nil, fmt.Errorf("the account %q is disabled", norm)
	}
	grants, err := s.Grants(ctx, s.DB.Read(), id)
	if err != nil {
		return nil, err
	}
	return &identity.Actor{AccountID: id, Login: norm, Grants: grants, RequestID: "cli"}, nil
}
