package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"shkola/internal/account"
	"shkola/internal/identity"
)

const adminUsage = `usage: shkola admin <create|token> [flags]
  create --login L [--role operator] [--org ID]   create an account; prints a one-time activation code
  token --login L [--name N]                      issue an API bearer token (shown once)`

// runAdmin bootstraps accounts from the command line: the first operator
// of a new installation, and API tokens for integrators.
func runAdmin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, adminUsage)
		return errUsage
	}
	var login, role, name string
	var orgID int64
	cfg, err := parseFlags("admin "+args[0], args[1:], stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&login, "login", "", "account login")
		fs.StringVar(&role, "role", string(identity.Operator), "role to grant (create)")
		fs.Int64Var(&orgID, "org", 0, "organisation the role applies to (default: the region)")
		fs.StringVar(&name, "name", "cli", "what the token is for (token)")
	})
	if err != nil {
		return err
	}
	log := cfg.Logger()
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	switch args[0] {
	case "create":
		if !identity.Role(role).Valid() {
			return fmt.Errorf("--role %q is not a role", role)
		}
		if orgID == 0 {
			if err := a.DB.Read().QueryRowContext(ctx, "SELECT id FROM organisations WHERE kind = 'region' ORDER BY id LIMIT 1").Scan(&orgID); err != nil {
				return errors.New("no region in the database: create it first or pass --org")
			}
		}
		acc, code, err := a.Accounts.Create(ctx, login, []identity.Grant{{Role: identity.Role(role), OrgID: orgID}})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "account %s (%d) created as %s of organisation %d\none-time activation code: %s\nset the password at %s/activate?code=%s\n",
			acc.Login, acc.ID, role, orgID, code, cfg.BaseURL, code)
	case "token":
		norm, err := account.NormaliseLogin(login)
		if err != nil {
			return err
		}
		var id int64
		if err := a.DB.Read().QueryRowContext(ctx, "SELECT id FROM accounts WHERE login = $1", norm).Scan(&id); err != nil {
			return fmt.Errorf("no account %q", login)
		}
		tok, err := a.Accounts.IssueToken(ctx, id, name)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\n", tok)
	default:
		fmt.Fprintln(stderr, adminUsage)
		return errUsage
	}
	return nil
}
