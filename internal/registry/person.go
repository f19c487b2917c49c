package registry

import (
	"time"

	"shkola/internal/access"
	"shkola/internal/audit"
	"shkola/internal/crypt"
	"shkola/internal/store"
)

// Resources in the access matrix. Field categories are resources of their
// own: a role that may read a person may still not see its contacts, its
// identifiers or its health data, and then those fields are absent, not
// masked.
const (
	Resource       = "person"
	ContactFields  = "person.contact"  // addresses, phone, e-mail
	IdentityFields = "person.identity" // SNILS, RNOKPP, UNZR, documents
	SpecialFields  = "person.special"  // health and disability (seed 001 stage 2)
	dateLayout     = "2006-01-02"
	maxNameRunes   = 100
	oldestYears    = 120
	// OwnDataAge is the age from which a pupil may edit own contacts and
	// hold an account of their own (seed 004); before it the guardian does.
	OwnDataAge = 14
)

// Person is a person as a caller sees it. Omitted fields are those the
// caller may not see (or that are empty).
type Person struct {
	ID          int64  `json:"id"`
	OrgID       int64  `json:"org_id"`
	LastName    string `json:"last_name"`
	FirstName   string `json:"first_name"`
	MiddleName  string `json:"middle_name,omitempty"`
	BirthDate   string `json:"birth_date"`
	Sex         string `json:"sex"`
	Citizenship string `json:"citizenship"`
	MergedInto  *int64 `json:"merged_into,omitempty"`
	Version     int64  `json:"version"`

	RegAddress  *string `json:"reg_address,omitempty"`
	FactAddress *string `json:"fact_address,omitempty"`
	Phone       *string `json:"phone,omitempty"`
	Email       *string `json:"email,omitempty"`

	SNILS     *string    `json:"snils,omitempty"`
	RNOKPP    *string    `json:"rnokpp,omitempty"`
	UNZR      *string    `json:"unzr,omitempty"`
	Documents []Document `json:"documents,omitempty"`

	HealthGroup      *string `json:"health_group,omitempty"`
	PEGroup          *string `json:"pe_group,omitempty"`
	Disability       *string `json:"disability,omitempty"`
	DisabilityCause  *string `json:"disability_cause,omitempty"`
	LongTreatment    *string `json:"long_treatment,omitempty"`
	AdaptedProgramme *string `json:"adapted_programme,omitempty"`

	// Readable lists the field categories the caller may see, so a form can
	// offer an empty field it may fill and leave out one it may not see.
	Readable map[string]bool `json:"-"`
}

// FieldCategory is the matrix resource guarding a field of Person.
func FieldCategory(field string) string { return patchCategory(field) }

// Age is the person's age in whole years on a day.
func (p Person) Age(on time.Time) int {
	born, err := time.Parse(dateLayout, p.BirthDate)
	if err != nil {
		return 0
	}
	age := on.Year() - born.Year()
	if on.Month() < born.Month() || (on.Month() == born.Month() && on.Day() < born.Day()) {
		age--
	}
	return age
}

// sealedField is one encrypted column: its JSON name, its category, and
// where it lives in Person.
type sealedField struct {
	name     string
	category string
	unique   bool // has a blind index and may appear once in the registry
	get      func(*Person) **string
}

func (f sealedField) column() string { return f.name + "_enc" }
func (f sealedField) aad(id int64) string {
	return crypt.AAD("person."+f.name, id)
}

// sealedFields lists the encrypted person columns in one place: reading,
// writing, merging and key rotation all walk it.
func sealedFields() []sealedField {
	return []sealedField{
		{"snils", IdentityFields, true, func(p *Person) **string { return &p.SNILS }},
		{"rnokpp", IdentityFields, true, func(p *Person) **string { return &p.RNOKPP }},
		{"unzr", IdentityFields, true, func(p *Person) **string { return &p.UNZR }},
		{"health_group", SpecialFields, false, func(p *Person) **string { return &p.HealthGroup }},
		{"pe_group", SpecialFields, false, func(p *Person) **string { return &p.PEGroup }},
		{"disability", SpecialFields, false, func(p *Person) **string { return &p.Disability }},
		{"disability_cause", SpecialFields, false, func(p *Person) **string { return &p.DisabilityCause }},
		{"long_treatment", SpecialFields, false, func(p *Person) **string { return &p.LongTreatment }},
		{"adapted_programme", SpecialFields, false, func(p *Person) **string { return &p.AdaptedProgramme }},
	}
}

// People is the person registry behind access control and audit.
type People struct {
	DB     *store.DB
	Keys   *crypt.Keyring
	Policy *access.Policy
	Audit  *audit.Log
	Now    func() time.Time
	// References lists the columns of other domains that hold a person id,
	// so that a merge moves them to the surviving record (wired by app).
	References []Reference
}

// Reference is a column of another domain holding a person id. With Key,
// the table holds at most one row per person and key: rows of the merged
// record whose key the survivor already has are folded into the survivor's.
type Reference struct{ Table, Column, Key string }

func (p *People) now() time.Time { return p.Now().UTC().Truncate(time.Microsecond) }
