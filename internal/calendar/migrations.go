// Package calendar holds each organisation's academic calendar: academic years,
// study periods (quarters, trimesters, semesters) and holidays.
package calendar

import (
	"embed"

	"shkola/internal/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations creates the tables of this domain.
func Migrations() store.MigrationSet { return store.Embedded("calendar", migrationFiles) }
