package staff

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"shkola/internal/errs"
)

const (
	maxBasis    = 200
	maxTitle    = 300
	maxIssuer   = 300
	maxDocument = 200
	// hireAhead: an employment may be entered before it starts (a teacher
	// hired in June for September), but not years ahead.
	hireAhead = 366 * 24 * time.Hour
)

// date checks an optional date field, returning it parsed.
func date(v *errs.Validation, field, s string, required bool) (time.Time, bool) {
	if s == "" {
		if required {
			v.Add(field, "required", "a date as YYYY-MM-DD is required")
		}
		return time.Time{}, false
	}
	d, err := time.Parse(dateLayout, s)
	if err != nil {
		v.Add(field, "format", "a date as YYYY-MM-DD")
		return time.Time{}, false
	}
	return d, true
}

func text(v *errs.Validation, field string, s *string, max int, required bool) {
	*s = strings.TrimSpace(*s)
	switch {
	case *s == "" && required:
		v.Add(field, "required", "required")
	case utf8.RuneCountInString(*s) > max:
		v.Add(field, "max_length", "at most "+strconv.Itoa(max)+" characters")
	}
}

// checkNew validates the input on its own (the position against the
// directory); the person and the organisation are checked in the
// transaction. An error is a failure to check, not a broken rule.
func (s *Service) checkNew(ctx context.Context, n *NewEmployment, v *errs.Validation) error {
	return s.checkNewWith(n, v, func(dir, code string) (bool, error) { return s.known(ctx, dir, code) })
}

// checkNewWith is checkNew with the directory lookup given (a bulk write
// looks the directory up once for the batch).
func (s *Service) checkNewWith(n *NewEmployment, v *errs.Validation, known func(dir, code string) (bool, error)) error {
	if n.PersonID <= 0 {
		v.Add("person_id", "required", "the person to employ")
	}
	if n.OrgID <= 0 {
		v.Add("org_id", "required", "the organisation that employs")
	}
	n.Position = normCode(n.Position)
	if n.Position == "" {
		v.Add("position", "required", "a position of the directory")
	} else if ok, err := known(PositionDirectory, n.Position); err != nil {
		return err
	} else if !ok {
		v.Add("position", "enum", "not a position of the directory")
	}
	s.checkTerms(n, v)
	return nil
}

// checkTerms checks the rate, the dates and the basis of an employment.
func (s *Service) checkTerms(n *NewEmployment, v *errs.Validation) {
	rate, rule := ParseRate(string(n.Rate))
	switch rule {
	case "":
		n.Rate = rate
	case "format":
		v.Add("rate", rule, "a decimal number such as 0.5 or 1")
	case "range":
		v.Add("rate", rule, "from 0.1 to 2")
	default:
		v.Add("rate", rule, "in steps of 0.05 (0.25, 0.5, 0.75, 1…)")
	}
	n.StartsOn, n.EndsOn = strings.TrimSpace(n.StartsOn), strings.TrimSpace(n.EndsOn)
	start, okStart := date(v, "starts_on", n.StartsOn, true)
	end, okEnd := date(v, "ends_on", n.EndsOn, false)
	if okStart && start.After(s.now().Add(hireAhead)) {
		v.Add("starts_on", "future", "at most a year ahead")
	}
	if okStart && okEnd && end.Before(start) {
		v.Add("ends_on", "order", "the end cannot be before the start ("+n.StartsOn+")")
	}
	text(v, "basis", &n.Basis, maxBasis, false)
}

func (s *Service) checkQualification(n *NewQualification, v *errs.Validation) {
	n.Kind = normCode(n.Kind)
	switch {
	case n.Kind == "":
		v.Add("kind", "required", "one of "+strings.Join(QualificationKinds(), ", "))
	case !contains(QualificationKinds(), n.Kind):
		v.Add("kind", "enum", "one of "+strings.Join(QualificationKinds(), ", "))
	}
	text(v, "title", &n.Title, maxTitle, true)
	text(v, "issuer", &n.Issuer, maxIssuer, false)
	text(v, "document", &n.Document, maxDocument, false)
	n.IssuedOn, n.ValidUntil = strings.TrimSpace(n.IssuedOn), strings.TrimSpace(n.ValidUntil)
	issued, okIssued := date(v, "issued_on", n.IssuedOn, false)
	valid, okValid := date(v, "valid_until", n.ValidUntil, false)
	if okIssued && issued.After(s.now()) {
		v.Add("issued_on", "future", "the issue date is in the future")
	}
	if okIssued && okValid && valid.Before(issued) {
		v.Add("valid_until", "order", "cannot be before the issue date ("+n.IssuedOn+")")
	}
}
