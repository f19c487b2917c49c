package contingent

import "slices"

// Kind is the kind of a movement.
type Kind string

// Movement kinds (seed 000 cl. 4b; brief "Contingent and movements").
const (
	KindAdmission     Kind = "admission"
	KindClassTransfer Kind = "class_transfer"
	KindDeparture     Kind = "departure"
	KindArrival       Kind = "arrival"
	KindExpulsion     Kind = "expulsion"
	KindGraduation    Kind = "graduation"
	KindLeave         Kind = "leave"
	KindReturn        Kind = "return"
)

// Kinds lists every kind in the order the UI offers them.
func Kinds() []Kind {
	return []Kind{KindAdmission, KindClassTransfer, KindDeparture, KindArrival, KindExpulsion, KindGraduation, KindLeave, KindReturn}
}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return slices.Contains(Kinds(), k) }

// needsBasis: these movements are made by an order, whose number and date
// are required (an arrival is the receiving school's admission order).
func (k Kind) needsBasis() bool {
	switch k {
	case KindAdmission, KindArrival, KindDeparture, KindExpulsion, KindGraduation:
		return true
	}
	return false
}

// needsReason: an expulsion and a leave must say why.
func (k Kind) needsReason() bool { return k == KindExpulsion || k == KindLeave }

// Destinations of a departure.
const (
	ToOrg     = "org"     // another organisation of the region: a transfer waits for it
	ToOutside = "outside" // another region or abroad, named in place: no transfer
	ToUnknown = "unknown" // nobody knows: a transfer with no destination waits
)

// Destinations lists the destinations of a departure.
func Destinations() []string { return []string{ToOrg, ToOutside, ToUnknown} }

// Transfer statuses. A declined transfer is still open for its origin: the
// pupil has not arrived anywhere.
const (
	Pending  = "pending"
	Arrived  = "arrived"
	Declined = "declined"
)

// Enrolment statuses.
const (
	Active  = "active"
	OnLeave = "on_leave"
	Ended   = "ended"
)

// FormsOfStudy are the codes a primary enrolment takes (RU 273-FZ art. 17,
// UA "Про освіту" art. 9). They move to the reference directory's
// form_of_study list once that serves them.
func FormsOfStudy() []string {
	return []string{"full_time", "part_time", "extramural", "distance", "home_based", "family", "self_education", "external"}
}

// DefaultLostAfterDays is how long a transfer may stay open before the
// pupil is listed as "whereabouts unknown", unless configured.
const DefaultLostAfterDays = 30
