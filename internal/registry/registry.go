// Package registry is the contingent registry: people, and (as it grows)
// their enrolments, guardians and movements. This first part holds the
// person record with its sealed identifiers and health fields.
package registry

import (
	"embed"
	"io/fs"

	"shkola/internal/crypt"
	"shkola/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations creates the registry tables (after org and account).
func Migrations() store.MigrationSet {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // embedded in the binary
	}
	return store.MigrationSet{Domain: "registry", FS: sub}
}

// Sealed columns of the registry, for `shkola keys rotate`.
func EncryptedColumns() []crypt.Column {
	return []crypt.Column{
		{Table: "persons", Key: "id", Column: "snils_enc", AADPrefix: "person.snils"},
		{Table: "persons", Key: "id", Column: "health_group_enc", AADPrefix: "person.health_group"},
		{Table: "persons", Key: "id", Column: "disability_enc", AADPrefix: "person.disability"},
	}
}
