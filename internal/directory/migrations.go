package directory

import (
	"embed"

	"shkola/internal/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations creates the directory tables and seeds the directories with
// the codes the other domains are written against. It references no other
// domain's tables and comes right after org.
func Migrations() store.MigrationSet { return store.Embedded("directory", migrationFiles) }
