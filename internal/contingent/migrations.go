// Package contingent holds pupils' enrolments and movements (admission,
// transfers, expulsion, graduation, leave, return), the trajectory of a pupil
// across the region and the list of pupils whose whereabouts are unknown.
package contingent

import (
	"embed"

	"shkola/internal/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations creates the tables of this domain.
func Migrations() store.MigrationSet { return store.Embedded("contingent", migrationFiles) }
