package org

import (
	"embed"
	"io/fs"

	"shkola/internal/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations creates the organisation tables. It comes right after the
// platform set: nearly every other domain references organisations.
func Migrations() store.MigrationSet {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the embedded directory is part of the binary
	}
	return store.MigrationSet{Domain: "org", FS: sub}
}
