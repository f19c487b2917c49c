package classes

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"shkola/internal/audit"
	"shkola/internal/errs"
	"shkola/internal/store"
)

// Statuses of a group: a class of last year is closed (promoted) or
// graduated; sub-groups and clubs close with their year.
const (
	Active    = "active"
	Graduated = "graduated"
	Closed    = "closed"
)

// Directories whose codes groups store.
const (
	LevelDirectory   = "education_level"
	SubjectDirectory = "subject"
)

// MaxParallel is the highest parallel; 0 is a preschool group.
const MaxParallel = 11

// Levels lists the education level codes of the reference directory as
// shipped, in the order the UI offers them.
func Levels() []string {
	return []string{"ru_primary", "ru_basic", "ru_secondary", "ua_primary", "ua_basic", "ua_profile", "preschool", "additional"}
}

// Kinds lists the kinds of group.
func Kinds() []string { return []string{Class, Subgroup, Club} }

func oneOf(s string, list []string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// LevelFor is the education level of a parallel in a country: RU 1-4
// primary, 5-9 basic, 10-11 secondary general; UA 1-4 primary, 5-9 basic,
// 10-12 profile; 0 is preschool.
func LevelFor(country string, parallel int) string {
	prefix := "ru_"
	if country == "UA" {
		prefix = "ua_"
	}
	switch {
	case parallel <= 0:
		return "preschool"
	case parallel <= 4:
		return prefix + "primary"
	case parallel <= 9:
		return prefix + "basic"
	case country == "UA":
		return "ua_profile"
	}
	return "ru_secondary"
}

// ClassName is the usual name of a class: parallel and letter, "5А".
func ClassName(parallel int, letter string) string { return strconv.Itoa(parallel) + letter }

var (
	leadingNumber = regexp.MustCompile(`^\d+`)
	subjectCode   = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)
)

// promotedName is the name of a class one parallel up: the usual name is
// derived again ("5А" -> "6А"; a preschool group becomes "1А"); a name
// that starts with the parallel keeps the rest ("5А инж." -> "6А инж.");
// any other name stays.
func promotedName(name string, parallel int, letter string) string {
	if parallel == 0 || name == ClassName(parallel, letter) {
		return ClassName(parallel+1, letter)
	}
	if leadingNumber.FindString(name) == strconv.Itoa(parallel) {
		return strconv.Itoa(parallel+1) + name[len(strconv.Itoa(parallel)):]
	}
	return name
}

// promotedLevel keeps a level that is not the usual one of its parallel
// (an "additional" class) and derives the usual one otherwise.
func promotedLevel(level, country string, parallel int) string {
	if level == "" || level == LevelFor(country, parallel) {
		return LevelFor(country, parallel+1)
	}
	return level
}

// normLetter accepts one Cyrillic or Latin letter (or none) and returns it
// in upper case.
func normLetter(s string, v *errs.Validation) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	r, n := utf8.DecodeRuneInString(s)
	if n != len(s) || !unicode.IsLetter(r) || !(unicode.Is(unicode.Cyrillic, r) || unicode.Is(unicode.Latin, r)) {
		v.Add("letter", "format", "one Cyrillic or Latin letter, or none")
		return s
	}
	return string(unicode.ToUpper(r))
}

func (s *Service) known(ctx context.Context, directory, code string) (bool, error) {
	if s.Known != nil {
		return s.Known(ctx, directory, code)
	}
	switch directory {
	case LevelDirectory:
		return oneOf(code, Levels()), nil
	case SubjectDirectory:
		return subjectCode.MatchString(code), nil
	}
	return false, nil
}

// checkLevel refuses a level the directory does not know, and a level of
// the other country's school system.
func (s *Service) checkLevel(ctx context.Context, level, country string, v *errs.Validation) error {
	ok, err := s.known(ctx, LevelDirectory, level)
	if err != nil {
		return err
	}
	switch {
	case !ok:
		v.Add("level", "unknown", "not an education level of the reference directory")
	case (country == "RU" && strings.HasPrefix(level, "ua_")) || (country == "UA" && strings.HasPrefix(level, "ru_")):
		v.Add("level", "country", "a level of another country's school system")
	}
	return nil
}

// checkPerson checks that personID names a live person record of the
// organisation (a class teacher, a teacher).
func checkPerson(ctx context.Context, q store.Querier, field string, personID, orgID int64, v *errs.Validation) error {
	var org int64
	var merged sql.NullInt64
	err := q.QueryRowContext(ctx, "SELECT org_id, merged_into FROM persons WHERE id = $1", personID).Scan(&org, &merged)
	switch {
	case store.IsNoRows(err):
		v.Add(field, "exists", "no such person")
	case err != nil:
		return err
	case merged.Valid:
		v.Add(field, "merged", fmt.Sprintf("the record was merged into person %d", merged.Int64))
	case org != orgID:
		v.Add(field, "organisation", "must be a person of this organisation")
	}
	return nil
}

// Optional is a PATCH field that tells "not sent" (Set false) from "null"
// (Set true, Value nil: clear the field).
type Optional[T any] struct {
	Set   bool
	Value *T
}

// UnmarshalJSON records that the field was sent.
func (o *Optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Value = nil
		return nil
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	o.Value = &v
	return nil
}

// fields is the audited content of a group.
func (g Group) fields() map[string]string {
	str := func(p *int) string {
		if p == nil {
			return ""
		}
		return strconv.Itoa(*p)
	}
	id := func(p *int64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatInt(*p, 10)
	}
	return map[string]string{"kind": g.Kind, "parent_id": id(g.ParentID), "parallel": str(g.Parallel), "letter": g.Letter, "name": g.Name,
		"level": g.Level, "class_teacher_id": id(g.ClassTeacherID), "capacity": str(g.Capacity), "status": g.Status,
		"previous_id": id(g.PreviousID), "year_id": strconv.FormatInt(g.YearID, 10)}
}

func diff(a, b map[string]string) []audit.FieldChange {
	keys := make([]string, 0, len(b))
	for k := range b {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []audit.FieldChange
	for _, k := range keys {
		if a[k] != b[k] {
			c := audit.FieldChange{Field: k}
			if a[k] != "" {
				c.Old = a[k]
			}
			if b[k] != "" {
				c.New = b[k]
			}
			out = append(out, c)
		}
	}
	return out
}

func intPtr(n int) *int { return &n }

func nullable[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}
