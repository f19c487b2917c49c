package audit

import (
	"embed"

	"shkola/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations creates the audit tables. The set has no references to other
// domains: entries must outlive the accounts and records they name.
func Migrations() store.MigrationSet { return store.Embedded("audit", migrations) }
