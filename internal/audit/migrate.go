package audit

import (
	"embed"
	"io/fs"

	"shkola/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations creates the audit tables. The set has no references to other
// domains: entries must outlive the accounts and records they name.
func Migrations() store.MigrationSet {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // the embedded directory is part of the binary
	}
	return store.MigrationSet{Domain: "audit", FS: sub}
}
