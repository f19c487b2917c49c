// Package account keeps accounts, their role grants, password login,
// sessions and API tokens, and turns a request's cookie or bearer token into
// the identity.Actor that access decisions and audit entries use.
package account

import (
	"embed"

	"shkola/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations creates the account tables (after org: grants reference
// organisations).
func Migrations() store.MigrationSet { return store.Embedded("account", migrations) }
