// Package registry is the contingent registry's person side: one person
// record whatever roles the person has, with sealed identifiers and health
// fields, documents, duplicates and merges, and the guardian links that feed
// the access policy.
package registry

import (
	"embed"

	"shkola/internal/crypt"
	"shkola/internal/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations creates the registry tables (after org and account).
func Migrations() store.MigrationSet { return store.Embedded("registry", migrationFiles) }

// EncryptedColumns lists the sealed columns of the registry, for `shkola keys rotate`.
func EncryptedColumns() []crypt.Column {
	var out []crypt.Column
	for _, c := range []string{"snils", "rnokpp", "unzr", "health_group", "pe_group", "disability", "disability_cause", "long_treatment", "adapted_programme"} {
		out = append(out, crypt.Column{Table: "persons", Key: "id", Column: c + "_enc", AADPrefix: "person." + c})
	}
	return append(out,
		crypt.Column{Table: "person_documents", Key: "id", Column: "series_enc", AADPrefix: "document.series"},
		crypt.Column{Table: "person_documents", Key: "id", Column: "number_enc", AADPrefix: "document.number"},
		crypt.Column{Table: "guardianships", Key: "id", Column: "doc_enc", AADPrefix: "guardianship.doc"})
}
