// Package logins issues pupils' and guardians' accounts for a class (seed
// 003: the class teacher hands each family a printed slip with one-time
// activation codes) and lets a guardian link a child's account and manage
// it while the child is under 14 (seed 004).
package logins

import (
	"embed"

	"shkola/internal/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations creates the tables of this domain.
func Migrations() store.MigrationSet { return store.Embedded("logins", migrationFiles) }
