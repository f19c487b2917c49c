// Package schedule holds what is taught when: the study plan of each class
// (hours per week per subject), bell schedules, the weekly timetable
// template, and the dated lessons generated from it with their one-off
// changes (moved, cancelled, substitute, room), topics and homework. The
// journal writes marks and attendance against these lessons.
package schedule

import (
	"embed"

	"shkola/internal/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations creates the tables of this domain.
func Migrations() store.MigrationSet { return store.Embedded("schedule", migrationFiles) }
