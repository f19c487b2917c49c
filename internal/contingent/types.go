package contingent

import "time"

// Ref names an organisation or a class beside its id, so a trajectory reads
// without further lookups.
type Ref struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// PersonRef is the pupil a row is about: name and birth date only.
type PersonRef struct {
	ID         int64  `json:"id"`
	LastName   string `json:"last_name"`
	FirstName  string `json:"first_name"`
	MiddleName string `json:"middle_name,omitempty"`
	BirthDate  string `json:"birth_date"`
}

// Movement is one recorded movement. It is never changed or deleted.
type Movement struct {
	ID       int64      `json:"id"`
	PersonID int64      `json:"person_id"`
	Person   *PersonRef `json:"person,omitempty"` // in registers of an organisation
	Kind     Kind       `json:"kind"`
	Org      Ref        `json:"org"`
	Class    *Ref       `json:"class,omitempty"`
	// FromClass is the class left by a class transfer.
	FromClass *Ref `json:"from_class,omitempty"`
	// OtherOrg is the destination of a departure or the origin of an arrival.
	OtherOrg   *Ref   `json:"other_org,omitempty"`
	OtherPlace string `json:"other_place,omitempty"`
	// Destination of a departure: org, outside or unknown.
	Destination string    `json:"destination,omitempty"`
	EnrolmentID *int64    `json:"enrolment_id,omitempty"`
	Date        string    `json:"date"`
	BasisNumber string    `json:"basis_number,omitempty"`
	BasisDate   string    `json:"basis_date,omitempty"`
	Reason      string    `json:"reason,omitempty"`
	Author      string    `json:"author"`
	CreatedAt   time.Time `json:"created_at"`
	// TransferID is the transfer a departure opened, when it opened one.
	TransferID *int64 `json:"transfer_id,omitempty"`
}

// Enrolment is a pupil's enrolment at an organisation.
type Enrolment struct {
	ID          int64  `json:"id"`
	PersonID    int64  `json:"person_id"`
	Org         Ref    `json:"org"`
	Class       *Ref   `json:"class,omitempty"`
	Kind        string `json:"kind"`
	FormOfStudy string `json:"form_of_study"`
	Level       string `json:"level,omitempty"`
	Status      string `json:"status"`
	StartsOn    string `json:"starts_on"`
	EndsOn      string `json:"ends_on,omitempty"`
}

// Transfer is a departure waiting for (or resolved by) an arrival.
type Transfer struct {
	ID          int64     `json:"id"`
	Person      PersonRef `json:"person"`
	From        Ref       `json:"from_org"`
	To          *Ref      `json:"to_org,omitempty"` // absent: destination unknown
	Status      string    `json:"status"`
	DepartedOn  string    `json:"departed_on"`
	DepartureID int64     `json:"departure_id"`
	ArrivalID   *int64    `json:"arrival_id,omitempty"`
	// DaysOpen counts the days since the departure while the transfer is
	// open (pending or declined); 0 once the pupil has arrived.
	DaysOpen      int        `json:"days_open"`
	ResolvedAt    *time.Time `json:"resolved_at,omitempty"`
	ResolvedBy    string     `json:"resolved_by,omitempty"`
	DeclinedBy    *Ref       `json:"declined_by_org,omitempty"`
	DeclinedAt    *time.Time `json:"declined_at,omitempty"`
	DeclineReason string     `json:"decline_reason,omitempty"`
}

// Request is a movement to record. Which fields apply depends on Kind; a
// field that the kind does not use is refused rather than ignored.
type Request struct {
	Kind Kind   `json:"kind"`
	Date string `json:"date"`
	// Admission: the admitting organisation, the class and the form of study.
	OrgID       int64  `json:"org_id,omitempty"`
	ClassID     int64  `json:"class_id,omitempty"` // admission, class transfer
	FormOfStudy string `json:"form_of_study,omitempty"`
	// Departure: where to (org, outside, unknown), which organisation or place.
	Destination string `json:"destination,omitempty"`
	ToOrgID     int64  `json:"to_org_id,omitempty"`
	Place       string `json:"place,omitempty"`
	// Every kind: the order it is made by, and why.
	Reason      string `json:"reason,omitempty"`
	BasisNumber string `json:"basis_number,omitempty"`
	BasisDate   string `json:"basis_date,omitempty"`
}

// Accept is the receiving school's confirmation of a transfer.
type Accept struct {
	ClassID     int64  `json:"class_id"`
	Date        string `json:"date"`
	FormOfStudy string `json:"form_of_study,omitempty"`
	BasisNumber string `json:"basis_number"`
	BasisDate   string `json:"basis_date"`
}

// Decline is the receiving school's refusal of a transfer.
type Decline struct {
	Reason string `json:"reason"`
}
