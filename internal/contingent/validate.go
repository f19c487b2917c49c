package contingent

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"shkola/internal/errs"
)

const (
	maxReason = 500
	maxBasis  = 50
	maxPlace  = 200
)

// normalise trims the text fields and fills defaults.
func (r *Request) normalise() {
	r.Date = strings.TrimSpace(r.Date)
	r.FormOfStudy = strings.TrimSpace(r.FormOfStudy)
	r.Destination = strings.TrimSpace(r.Destination)
	r.Place = strings.TrimSpace(r.Place)
	r.Reason = strings.TrimSpace(r.Reason)
	r.BasisNumber = strings.TrimSpace(r.BasisNumber)
	r.BasisDate = strings.TrimSpace(r.BasisDate)
	if r.Kind == KindAdmission && r.FormOfStudy == "" {
		r.FormOfStudy = "full_time"
	}
	if r.Kind == KindDeparture && r.Destination == "" {
		switch {
		case r.ToOrgID != 0:
			r.Destination = ToOrg
		case r.Place != "":
			r.Destination = ToOutside
		}
	}
}

// validate checks what can be checked without the database: the kind, the
// fields that kind uses (and no others), formats, required fields and
// dates in the future. latest is the last date that has begun.
func (r *Request) validate(v *errs.Validation, latest string) {
	r.normalise()
	switch {
	case r.Kind == "":
		v.Add("kind", "required", "the kind of movement: "+kindList())
		return
	case r.Kind == KindArrival:
		v.Add("kind", "arrival", "an arrival is recorded by the receiving school accepting the transfer, or by an admission")
		return
	case !r.Kind.Valid():
		v.Add("kind", "enum", "one of "+kindList())
		return
	}
	used := map[string]bool{}
	switch r.Kind {
	case KindAdmission:
		used["org_id"], used["class_id"], used["form_of_study"] = true, true, true
	case KindClassTransfer:
		used["class_id"] = true
	case KindDeparture:
		used["destination"], used["to_org_id"], used["place"] = true, true, true
	}
	set := map[string]bool{"org_id": r.OrgID != 0, "class_id": r.ClassID != 0, "form_of_study": r.FormOfStudy != "",
		"destination": r.Destination != "", "to_org_id": r.ToOrgID != 0, "place": r.Place != ""}
	for _, f := range []string{"org_id", "class_id", "form_of_study", "destination", "to_org_id", "place"} {
		if set[f] && !used[f] {
			v.Add(f, "not_allowed", fmt.Sprintf("a movement of kind %s does not take %s", r.Kind, f))
		}
	}
	checkDate(v, "date", r.Date, true, latest)
	if r.Kind == KindAdmission {
		if r.OrgID <= 0 {
			v.Add("org_id", "required", "the organisation the pupil is admitted to")
		}
		checkForm(v, r.FormOfStudy)
	}
	if (r.Kind == KindAdmission || r.Kind == KindClassTransfer) && r.ClassID <= 0 {
		v.Add("class_id", "required", "the class the pupil joins")
	}
	if r.Kind == KindDeparture {
		switch r.Destination {
		case "":
			v.Add("destination", "required", "where the pupil goes: org, outside or unknown")
		case ToOrg:
			if r.ToOrgID <= 0 {
				v.Add("to_org_id", "required", "the organisation of the region the pupil goes to")
			}
			if r.Place != "" {
				v.Add("place", "not_allowed", "a departure to an organisation of the region names no place")
			}
		case ToOutside:
			if r.Place == "" {
				v.Add("place", "required", "where the pupil goes: another region or country")
			}
			if r.ToOrgID != 0 {
				v.Add("to_org_id", "not_allowed", "a departure outside the region names no organisation")
			}
		case ToUnknown:
			if r.ToOrgID != 0 {
				v.Add("to_org_id", "not_allowed", "a departure to an unknown destination names no organisation")
			}
			if r.Place != "" {
				v.Add("place", "not_allowed", "a departure to an unknown destination names no place")
			}
		default:
			v.Add("destination", "enum", "one of org, outside, unknown")
		}
		checkLen(v, "place", r.Place, maxPlace)
	}
	if r.Kind.needsReason() && r.Reason == "" {
		v.Add("reason", "required", fmt.Sprintf("a movement of kind %s must give its reason", r.Kind))
	}
	checkLen(v, "reason", r.Reason, maxReason)
	checkBasis(v, r.Kind.needsBasis(), r.BasisNumber, r.BasisDate, latest)
}

func kindList() string {
	var out []string
	for _, k := range Kinds() {
		if k != KindArrival {
			out = append(out, string(k))
		}
	}
	return strings.Join(out, ", ")
}

// checkDate checks a YYYY-MM-DD date that must not lie in the future.
func checkDate(v *errs.Validation, field, s string, required bool, latest string) {
	if s == "" {
		if required {
			v.Add(field, "required", "a date as YYYY-MM-DD")
		}
		return
	}
	if _, err := time.Parse(dateLayout, s); err != nil {
		v.Add(field, "format", "a date as YYYY-MM-DD")
		return
	}
	if s > latest {
		v.Add(field, "future", "the date is in the future")
	}
}

func checkForm(v *errs.Validation, form string) {
	if !slices.Contains(FormsOfStudy(), form) {
		v.Add("form_of_study", "enum", "one of "+strings.Join(FormsOfStudy(), ", "))
	}
}

func checkLen(v *errs.Validation, field, s string, n int) {
	if utf8.RuneCountInString(s) > n {
		v.Add(field, "max_length", fmt.Sprintf("at most %d characters", n))
	}
}

// checkBasis checks the order a movement is made by.
func checkBasis(v *errs.Validation, required bool, number, date, latest string) {
	if required && number == "" {
		v.Add("basis_number", "required", "the number of the order this movement is made by")
	}
	checkLen(v, "basis_number", number, maxBasis)
	checkDate(v, "basis_date", date, required, latest)
}

// validate checks an acceptance of a transfer.
func (a *Accept) validate(v *errs.Validation, latest string) {
	a.Date, a.FormOfStudy = strings.TrimSpace(a.Date), strings.TrimSpace(a.FormOfStudy)
	a.BasisNumber, a.BasisDate = strings.TrimSpace(a.BasisNumber), strings.TrimSpace(a.BasisDate)
	if a.FormOfStudy == "" {
		a.FormOfStudy = "full_time"
	}
	if a.ClassID <= 0 {
		v.Add("class_id", "required", "the class the pupil joins")
	}
	checkDate(v, "date", a.Date, true, latest)
	checkForm(v, a.FormOfStudy)
	checkBasis(v, true, a.BasisNumber, a.BasisDate, latest)
}

func (d *Decline) validate(v *errs.Validation) {
	d.Reason = strings.TrimSpace(d.Reason)
	if d.Reason == "" {
		v.Add("reason", "required", "why the school declines the pupil")
	}
	checkLen(v, "reason", d.Reason, maxReason)
}
