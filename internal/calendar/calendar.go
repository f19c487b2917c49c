package calendar

import (
	"time"
)

// Kinds of study period a year is divided into.
const (
	Quarter   = "quarter"
	Trimester = "trimester"
	Semester  = "semester"
)

// PeriodKinds lists the kinds in the order the UI offers them.
func PeriodKinds() []string { return []string{Quarter, Trimester, Semester} }

// Statuses of an academic year: one year per organisation is current.
const (
	Planned = "planned"
	Current = "current"
	Closed  = "closed"
)

// Statuses lists every year status.
func Statuses() []string { return []string{Planned, Current, Closed} }

func oneOf(s string, list []string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Year is one academic year of an organisation. Dates are ISO strings
// (YYYY-MM-DD), inclusive. Version is the ETag updates send back.
type Year struct {
	ID         int64     `json:"id"`
	OrgID      int64     `json:"org_id"`
	Name       string    `json:"name"`
	StartsOn   string    `json:"starts_on"`
	EndsOn     string    `json:"ends_on"`
	PeriodKind string    `json:"period_kind"`
	Status     string    `json:"status"`
	Version    int64     `json:"version"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Period is one study period (a quarter, trimester or semester). The journal
// closes and reopens periods; ClosedAt is set while one is closed.
type Period struct {
	ID       int64      `json:"id"`
	YearID   int64      `json:"year_id"`
	Seq      int        `json:"seq"`
	Name     string     `json:"name"`
	StartsOn string     `json:"starts_on"`
	EndsOn   string     `json:"ends_on"`
	ClosedAt *time.Time `json:"closed_at,omitempty"`
	ClosedBy string     `json:"closed_by,omitempty"`
	Version  int64      `json:"version"`
}

// Holiday is a school holiday (inclusive dates) within a year.
type Holiday struct {
	ID       int64  `json:"id"`
	YearID   int64  `json:"year_id"`
	Name     string `json:"name"`
	StartsOn string `json:"starts_on"`
	EndsOn   string `json:"ends_on"`
}

// NewYear is what creating a year takes. An empty name is derived from the
// dates ("2026/2027"); an empty status is planned. Unless NoDefaults, the
// year gets study periods of its kind and the usual holidays, all editable.
type NewYear struct {
	Name       string `json:"name"`
	StartsOn   string `json:"starts_on"`
	EndsOn     string `json:"ends_on"`
	PeriodKind string `json:"period_kind"`
	Status     string `json:"status"`
	NoDefaults bool   `json:"no_defaults"`
}

// YearPatch lists what an update may change; nil leaves a field as it is.
// The period kind is fixed once periods exist: edit the periods instead.
type YearPatch struct {
	Name     *string `json:"name"`
	StartsOn *string `json:"starts_on"`
	EndsOn   *string `json:"ends_on"`
	Status   *string `json:"status"`
}

// NewPeriod adds a study period after the last one.
type NewPeriod struct {
	Name     string `json:"name"`
	StartsOn string `json:"starts_on"`
	EndsOn   string `json:"ends_on"`
}

// PeriodPatch changes a period's name or dates.
type PeriodPatch struct {
	Name     *string `json:"name"`
	StartsOn *string `json:"starts_on"`
	EndsOn   *string `json:"ends_on"`
}

// NewHoliday adds a holiday to a year.
type NewHoliday struct {
	Name     string `json:"name"`
	StartsOn string `json:"starts_on"`
	EndsOn   string `json:"ends_on"`
}
