package staff

import (
	"time"
)

// Resource is the name of staff records in the access matrix. The scope of
// an employment is its organisation; a person's subjects and qualifications
// are in the scope of the organisations the person works (or worked) at.
const Resource = "staff"

// Entities of the change log and object types of the audit log.
const (
	entityEmployment    = "employment"
	entitySubjects      = "staff_subjects"
	entityQualification = "qualification"
	dateLayout          = "2006-01-02"
	// minWorkAge: nobody is employed before their 14th birthday (the
	// earliest age of a work contract under labour law, with consent).
	minWorkAge = 14
)

// Employment is one post of a person at an organisation. Ending it sets
// EndsOn; employments are never deleted, so the history stays.
type Employment struct {
	ID        int64     `json:"id"`
	PersonID  int64     `json:"person_id"`
	OrgID     int64     `json:"org_id"`
	OrgName   string    `json:"org_name,omitempty"`
	Position  string    `json:"position"`
	Rate      Rate      `json:"rate"`
	StartsOn  string    `json:"starts_on"`
	EndsOn    string    `json:"ends_on,omitempty"`
	Basis     string    `json:"basis,omitempty"`
	EndBasis  string    `json:"end_basis,omitempty"`
	Current   bool      `json:"current"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// NewEmployment is what hiring takes. An empty rate is a full rate (1).
type NewEmployment struct {
	PersonID int64  `json:"person_id"`
	OrgID    int64  `json:"org_id"`
	Position string `json:"position"`
	Rate     Rate   `json:"rate"`
	StartsOn string `json:"starts_on"`
	EndsOn   string `json:"ends_on"`
	Basis    string `json:"basis"` // the order: number and date, as text
}

// End is what ending an employment takes: the last day and the order.
type End struct {
	EndsOn string `json:"ends_on"`
	Basis  string `json:"basis"`
}

// Qualification is one record of education, category, course, degree or
// award.
type Qualification struct {
	ID         int64     `json:"id"`
	PersonID   int64     `json:"person_id"`
	Kind       string    `json:"kind"`
	Title      string    `json:"title"`
	Issuer     string    `json:"issuer,omitempty"`
	IssuedOn   string    `json:"issued_on,omitempty"`
	ValidUntil string    `json:"valid_until,omitempty"`
	Document   string    `json:"document,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// NewQualification is what adding a qualification takes.
type NewQualification struct {
	Kind       string `json:"kind"`
	Title      string `json:"title"`
	Issuer     string `json:"issuer"`
	IssuedOn   string `json:"issued_on"`
	ValidUntil string `json:"valid_until"`
	Document   string `json:"document"`
}

// QualificationKinds lists the kinds of qualification records.
func QualificationKinds() []string {
	return []string{"education", "category", "course", "degree", "award"}
}

// Post is one current employment as a staff list shows it. Callers who may
// only list staff get the position alone.
type Post struct {
	EmploymentID int64  `json:"employment_id,omitempty"`
	Position     string `json:"position"`
	Rate         Rate   `json:"rate,omitempty"`
	StartsOn     string `json:"starts_on,omitempty"`
}

// Member is one person in the staff list of an organisation: names and
// current positions there, and for callers who may read staff records also
// rates, dates and the subjects the person may teach.
type Member struct {
	PersonID   int64    `json:"person_id"`
	LastName   string   `json:"last_name"`
	FirstName  string   `json:"first_name"`
	MiddleName string   `json:"middle_name,omitempty"`
	Posts      []Post   `json:"posts"`
	Subjects   []string `json:"subjects,omitempty"`
}

// Card is a staff member's record: the employments the caller may see
// (history included), the subjects and the qualifications.
type Card struct {
	PersonID       int64           `json:"person_id"`
	LastName       string          `json:"last_name"`
	FirstName      string          `json:"first_name"`
	MiddleName     string          `json:"middle_name,omitempty"`
	Employments    []Employment    `json:"employments"`
	Subjects       []string        `json:"subjects"`
	Qualifications []Qualification `json:"qualifications"`
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
