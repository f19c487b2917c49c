// Package staff holds employments of people at organisations, the subjects
// they may teach and their qualification records.
package staff

import (
	"embed"

	"shkola/internal/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations creates the tables of this domain.
func Migrations() store.MigrationSet { return store.Embedded("staff", migrationFiles) }
