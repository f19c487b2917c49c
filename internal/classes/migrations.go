// Package classes holds classes (parallel + letter), their sub-groups and
// interest groups, membership over time, teaching assignments, and the year
// rollover that promotes classes.
package classes

import (
	"embed"

	"shkola/internal/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations creates the tables of this domain.
func Migrations() store.MigrationSet { return store.Embedded("classes", migrationFiles) }
