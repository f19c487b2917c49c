package org

import (
	"embed"

	"shkola/internal/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations creates the organisation tables. It comes right after the
// platform set: nearly every other domain references organisations.
func Migrations() store.MigrationSet { return store.Embedded("org", migrationFiles) }
