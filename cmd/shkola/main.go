// Command shkola is the whole system in one binary: the web UI and API
// server, migrations, the demo region generator and the operator's tools.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "start the web UI and the API", runServe},
		{"migrate", "bring the database schema up to date and exit", runMigrate},
		{"admin", "create the first operator account or an API token", runAdmin},
		{"demo", "fill an empty database with the demo region (--demo-seed, --demo-size)", runDemo},
		{"backup", "write a consistent copy of the database to a file, while it runs", runBackup},
		{"restore", "check a backup file and restore it into an empty database", runRestore},
		{"audit", "verify the audit log, write or export signed checkpoints", runAudit},
		{"keys", "generate, add, rotate and check the encryption keys for data at rest", runKeys},
		{"import", "import pupils, guardians, staff or classes from a CSV or XLSX file (--dry-run, --valid-only)", runImport},
		{"bench", "measure the paths people wait on, through the server and in plain SQL (--size, --engines)", runBench},
		{"gifted", "recompute the gifted attribute of every pupil under SHKOLA_GIFTED_RULE (--all; run nightly for a rule with a time window)", runGifted},
		{"version", "print the version", func(_ context.Context, _ []string, out, _ io.Writer) error {
			fmt.Fprintln(out, "shkola", version)
			return nil
		}},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			if err := c.run(ctx, args[1:], stdout, stderr); err != nil {
				if err == errUsage {
					return 2
				}
				// One clear line saying what and where.
				fmt.Fprintf(stderr, "shkola %s: %s\n", c.name, oneLine(err.Error()))
				return 1
			}
			return 0
		}
	}
	fmt.Fprintf(stderr, "shkola: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

// oneLine folds a multi-line error (pgx lists every address it tried) into
// one line, so the operator reads what failed and where at a glance.
func oneLine(s string) string {
	lines := strings.Split(s, "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.Join(lines, " ")
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: shkola <command> [flags]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'shkola <command> --help' for the flags of a command; every flag also reads a SHKOLA_* variable.")
}
