// Package filestore keeps uploaded files (homework attachments, documents
// that confirm an achievement): their metadata always in the database, in
// the transaction of the record that refers to them, and their bytes either
// in the database too or on disk, behind one interface.
package filestore

import (
	"embed"

	"shkola/internal/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations creates the tables of this domain.
func Migrations() store.MigrationSet { return store.Embedded("filestore", migrationFiles) }
