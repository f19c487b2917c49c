package registry

import (
	"errors"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"shkola/internal/errs"
	"shkola/internal/natid"
)

// NewPerson is what creating a person takes: the fields of seed 000's
// appendix for pupils and guardians, and seed 001's stage-2 health fields.
type NewPerson struct {
	OrgID       int64  `json:"org_id"`
	LastName    string `json:"last_name"`
	FirstName   string `json:"first_name"`
	MiddleName  string `json:"middle_name"`
	BirthDate   string `json:"birth_date"`
	Sex         string `json:"sex"`
	Citizenship string `json:"citizenship"`

	RegAddress  string `json:"reg_address"`
	FactAddress string `json:"fact_address"`
	Phone       string `json:"phone"`
	Email       string `json:"email"`

	SNILS     string        `json:"snils"`
	RNOKPP    string        `json:"rnokpp"`
	UNZR      string        `json:"unzr"`
	Documents []NewDocument `json:"documents"`

	HealthGroup      string `json:"health_group"`
	PEGroup          string `json:"pe_group"`
	Disability       string `json:"disability"`
	DisabilityCause  string `json:"disability_cause"`
	LongTreatment    string `json:"long_treatment"`
	AdaptedProgramme string `json:"adapted_programme"`
}

// sealed returns the value of a sealed field by name.
func (n *NewPerson) sealed(name string) *string {
	switch name {
	case "snils":
		return &n.SNILS
	case "rnokpp":
		return &n.RNOKPP
	case "unzr":
		return &n.UNZR
	case "health_group":
		return &n.HealthGroup
	case "pe_group":
		return &n.PEGroup
	case "disability":
		return &n.Disability
	case "disability_cause":
		return &n.DisabilityCause
	case "long_treatment":
		return &n.LongTreatment
	case "adapted_programme":
		return &n.AdaptedProgramme
	}
	panic("registry: unknown sealed field " + name)
}

// Codes of the reference directories these fields take (seed 001 stage 2).
// They will be read from the directory package once it serves them.
var (
	healthGroups    = []string{"I", "II", "III", "IV", "V"}
	peGroups        = []string{"main", "preparatory", "special_a", "special_b", "exempt"}
	disabilityKinds = []string{"child", "group_1", "group_2", "group_3"}
	yesNo           = []string{"yes", "no"}
)

func (p *People) validate(n *NewPerson, v *errs.Validation) {
	validateName(v, "last_name", &n.LastName, true)
	validateName(v, "first_name", &n.FirstName, true)
	validateName(v, "middle_name", &n.MiddleName, false)
	if n.OrgID <= 0 {
		v.Add("org_id", "required", "the organisation the record belongs to")
	}
	validateBirthDate(v, n.BirthDate, p.now())
	if n.Sex != "m" && n.Sex != "f" {
		v.Add("sex", "enum", "m or f")
	}
	if n.Citizenship == "" {
		n.Citizenship = "RU"
	}
	if len(n.Citizenship) != 2 || strings.ToUpper(n.Citizenship) != n.Citizenship {
		v.Add("citizenship", "format", "an ISO 3166 alpha-2 code such as RU")
	}
	validateContacts(v, &n.RegAddress, &n.FactAddress, &n.Phone, &n.Email)
	validateIdentifiers(v, &n.SNILS, &n.RNOKPP, &n.UNZR, n.BirthDate, n.Sex)
	validateSpecial(v, n)
	for i := range n.Documents {
		n.Documents[i].validate(v, "documents["+itoa(i)+"].", p.now())
	}
}

func validateName(v *errs.Validation, field string, s *string, required bool) {
	*s = strings.Join(strings.Fields(*s), " ")
	switch {
	case *s == "" && required:
		v.Add(field, "required", "required")
	case utf8.RuneCountInString(*s) > maxNameRunes:
		v.Add(field, "max_length", "at most 100 characters")
	case strings.IndexFunc(*s, func(r rune) bool {
		return !unicode.IsLetter(r) && r != '-' && r != ' ' && r != '\'' && r != '’' && r != '.'
	}) >= 0:
		v.Add(field, "letters", "letters, spaces, hyphens and apostrophes only")
	}
}

func validateBirthDate(v *errs.Validation, s string, now time.Time) {
	born, err := time.Parse(dateLayout, s)
	switch {
	case err != nil:
		v.Add("birth_date", "format", "a date as YYYY-MM-DD")
	case born.After(now):
		v.Add("birth_date", "future", "the birth date is in the future")
	case born.Before(now.AddDate(-oldestYears, 0, 0)):
		v.Add("birth_date", "range", "the birth date is more than 120 years ago")
	}
}

func validateContacts(v *errs.Validation, reg, fact, phone, email *string) {
	for field, s := range map[string]*string{"reg_address": reg, "fact_address": fact} {
		*s = strings.TrimSpace(*s)
		if utf8.RuneCountInString(*s) > 300 {
			v.Add(field, "max_length", "at most 300 characters")
		}
	}
	*phone = strings.TrimSpace(*phone)
	if *phone != "" {
		digits := 0
		for _, r := range *phone {
			switch {
			case r >= '0' && r <= '9':
				digits++
			case strings.ContainsRune("+-() ", r):
			default:
				digits = -100
			}
		}
		if digits < 10 || digits > 15 {
			v.Add("phone", "format", "a phone number of 10 to 15 digits, such as +7 912 345-67-89")
		}
	}
	*email = strings.TrimSpace(*email)
	if *email != "" {
		if a, err := mail.ParseAddress(*email); err != nil || a.Address != *email || len(*email) > 254 {
			v.Add("email", "format", "an e-mail address such as name@example.ru")
		}
	}
}

// validateIdentifiers checks the national identifiers with their check
// digits and normalises them. The RNOKPP and the UNZR carry the birth date
// (and the RNOKPP the sex), so they must agree with the record.
func validateIdentifiers(v *errs.Validation, snils, rnokpp, unzr *string, birth, sex string) {
	check := func(field string, s *string, f func(string) (string, error)) bool {
		if *s == "" {
			return false
		}
		norm, err := f(*s)
		if err != nil {
			rule := "format"
			var ne *natid.Error
			if errors.As(err, &ne) {
				rule = ne.Rule
			}
			v.Add(field, rule, err.Error())
			return false
		}
		*s = norm
		return true
	}
	check("snils", snils, natid.SNILS)
	if check("rnokpp", rnokpp, natid.RNOKPP) {
		born, male, err := natid.RNOKPPBirthDate(*rnokpp)
		switch {
		case err == nil && len(birth) == 10 && born.Format(dateLayout) != birth:
			v.Add("rnokpp", "birth_date", "the RNOKPP encodes the birth date "+born.Format(dateLayout)+", which differs from birth_date")
		case err == nil && (sex == "m") != male && (sex == "m" || sex == "f"):
			v.Add("rnokpp", "sex", "the RNOKPP encodes the other sex")
		}
	}
	if check("unzr", unzr, natid.UNZR) && len(birth) == 10 && (*unzr)[:8] != strings.ReplaceAll(birth, "-", "") {
		v.Add("unzr", "birth_date", "the UNZR begins with the birth date (YYYYMMDD), which differs from birth_date")
	}
}

func validateSpecial(v *errs.Validation, n *NewPerson) {
	enum := func(field string, s *string, allowed []string) {
		*s = strings.TrimSpace(*s)
		if *s != "" && !slices.Contains(allowed, *s) {
			v.Add(field, "enum", "one of "+strings.Join(allowed, ", "))
		}
	}
	enum("health_group", &n.HealthGroup, healthGroups)
	enum("pe_group", &n.PEGroup, peGroups)
	enum("disability", &n.Disability, disabilityKinds)
	enum("long_treatment", &n.LongTreatment, yesNo)
	for field, s := range map[string]*string{"disability_cause": &n.DisabilityCause, "adapted_programme": &n.AdaptedProgramme} {
		*s = strings.TrimSpace(*s)
		if utf8.RuneCountInString(*s) > 200 {
			v.Add(field, "max_length", "at most 200 characters")
		}
	}
	if n.DisabilityCause != "" && n.Disability == "" {
		v.Add("disability_cause", "requires", "give the disability group first")
	}
}
