package directory

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"shkola/internal/errs"
)

// spec is what one directory accepts: the shape of its codes and the
// attributes its entries carry. Attributes are typed and listed, so that a
// typo in an import ("wieght") is refused rather than silently ignored by
// the domain that reads the weight.
type spec struct {
	code     *regexp.Regexp
	codeHint string
	attrs    map[string]attrRule
}

type attrKind int

const (
	attrBool attrKind = iota
	attrInt
	attrString
)

type attrRule struct {
	kind     attrKind
	required bool
	min, max int      // attrInt: range; attrString: length
	enum     []string // attrString: allowed values, if any
}

var (
	lowerCode = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
	isoCode   = regexp.MustCompile(`^[A-Z]{2}$`)
	romanCode = regexp.MustCompile(`^[IVX]{1,4}$`)
)

const lowerHint = "lower-case Latin letters, digits and _, starting with a letter, at most 40"

// specOf returns the rules of directory name. The list is code, not data:
// the domains that use a directory are written against its codes and
// attributes, so a new directory comes with the code that reads it.
func specOf(name string) (spec, bool) {
	plain := spec{code: lowerCode, codeHint: lowerHint}
	switch name {
	case Subject, LessonKind, FormOfStudy, PEGroup, DisabilityGroup, AchievementLevel, AchievementResult, Position:
		return plain, true
	case WorkKind:
		plain.attrs = map[string]attrRule{"weight": {kind: attrInt, required: true, min: 1, max: 10}}
		return plain, true
	case AbsenceReason:
		plain.attrs = map[string]attrRule{"excused": {kind: attrBool, required: true}}
		return plain, true
	case DocumentType:
		plain.attrs = map[string]attrRule{"identity": {kind: attrBool}, "representation": {kind: attrBool}}
		return plain, true
	case EducationLevel:
		plain.attrs = map[string]attrRule{"abbr": {kind: attrString, max: 20}, "country": {kind: attrString, enum: []string{"RU", "UA"}}}
		return plain, true
	case MarkScale:
		plain.attrs = map[string]attrRule{
			"kind": {kind: attrString, required: true, enum: []string{"numeric", "pass_fail"}},
			"min":  {kind: attrInt, min: 0, max: 1000}, "max": {kind: attrInt, min: 1, max: 1000},
			"pass": {kind: attrInt, min: 0, max: 1000}, "step": {kind: attrInt, min: 1, max: 100},
			"modifiers": {kind: attrBool},
		}
		return plain, true
	case HealthGroup:
		return spec{code: romanCode, codeHint: "a Roman numeral: I, II, III, IV or V"}, true
	case ExamKind:
		plain.attrs = map[string]attrRule{"country": {kind: attrString, enum: []string{"RU", "UA"}}, "max_score": {kind: attrInt, min: 1, max: 1000}}
		return plain, true
	case Citizenship:
		return spec{code: isoCode, codeHint: "an ISO 3166-1 alpha-2 code in capitals (XX for a stateless person)"}, true
	}
	return spec{}, false
}

// Bounds of the free fields.
const (
	maxName = 300
	maxSort = 1000000
)

// content is the editable part of an entry, validated together.
type content struct {
	NameRU, NameUK, NameEN string
	Attrs                  map[string]any
	Sort                   int
	Active                 bool
}

func (e *Entry) content() content {
	return content{NameRU: e.NameRU, NameUK: e.NameUK, NameEN: e.NameEN, Attrs: e.Attrs, Sort: e.Sort, Active: e.Active}
}

func (e *Entry) setContent(c content) {
	e.NameRU, e.NameUK, e.NameEN, e.Attrs, e.Sort, e.Active = c.NameRU, c.NameUK, c.NameEN, c.Attrs, c.Sort, c.Active
}

// checkCode validates a new entry's code against the directory's shape.
func (sp spec) checkCode(code string, v *errs.Validation, field string) {
	switch {
	case code == "":
		v.Add(field, "required", "the code is required")
	case !sp.code.MatchString(code):
		v.Add(field, "format", "the code must be "+sp.codeHint)
	}
}

// normalise trims the names, puts attributes in their canonical form and
// checks everything; prefix goes before field names ("row 3: ").
func (sp spec) normalise(c *content, v *errs.Validation, prefix string) {
	c.NameRU = strings.TrimSpace(c.NameRU)
	c.NameUK = strings.TrimSpace(c.NameUK)
	c.NameEN = strings.TrimSpace(c.NameEN)
	if c.NameRU == "" {
		v.Add(prefix+"name_ru", "required", "the Russian name is required")
	}
	for field, val := range map[string]string{"name_ru": c.NameRU, "name_uk": c.NameUK, "name_en": c.NameEN} {
		if utf8.RuneCountInString(val) > maxName {
			v.Add(prefix+field, "length", fmt.Sprintf("at most %d characters", maxName))
		}
	}
	if c.Sort < 0 || c.Sort > maxSort {
		v.Add(prefix+"sort", "range", fmt.Sprintf("sort must be from 0 to %d", maxSort))
	}
	if !v.Has(prefix + "attrs") { // unreadable attributes are reported once
		c.Attrs = sp.checkAttrs(c.Attrs, v, prefix)
	}
}

// checkAttrs validates attrs and returns them in canonical form: integers
// as int64, so that an entry read back compares equal to one just parsed.
func (sp spec) checkAttrs(attrs map[string]any, v *errs.Validation, prefix string) map[string]any {
	out := map[string]any{}
	for name, val := range attrs {
		field := prefix + "attrs." + name
		rule, ok := sp.attrs[name]
		if !ok {
			v.Add(field, "unknown", "this directory has no attribute "+name+sp.attrHint())
			continue
		}
		switch rule.kind {
		case attrBool:
			b, ok := val.(bool)
			if !ok {
				v.Add(field, "type", "must be true or false")
				continue
			}
			out[name] = b
		case attrInt:
			n, ok := wholeNumber(val)
			if !ok {
				v.Add(field, "type", "must be a whole number")
				continue
			}
			if n < int64(rule.min) || n > int64(rule.max) {
				v.Add(field, "range", fmt.Sprintf("must be from %d to %d", rule.min, rule.max))
				continue
			}
			out[name] = n
		case attrString:
			s, ok := val.(string)
			if !ok {
				v.Add(field, "type", "must be a string")
				continue
			}
			s = strings.TrimSpace(s)
			switch {
			case len(rule.enum) > 0 && !slices.Contains(rule.enum, s):
				v.Add(field, "enum", "must be one of "+strings.Join(rule.enum, ", "))
				continue
			case rule.max > 0 && utf8.RuneCountInString(s) > rule.max:
				v.Add(field, "length", fmt.Sprintf("at most %d characters", rule.max))
				continue
			}
			out[name] = s
		}
	}
	for _, name := range sp.attrNames() {
		if _, ok := attrs[name]; !ok && sp.attrs[name].required {
			v.Add(prefix+"attrs."+name, "required", "this directory's entries need "+name)
		}
	}
	return out
}

func (sp spec) attrNames() []string {
	var names []string
	for k := range sp.attrs {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

func (sp spec) attrHint() string {
	if len(sp.attrs) == 0 {
		return " (it has none)"
	}
	return " (it has " + strings.Join(sp.attrNames(), ", ") + ")"
}

// wholeNumber accepts the integer forms a decoded JSON value may take.
func wholeNumber(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case float64:
		if n != math.Trunc(n) || math.Abs(n) > 1<<53 {
			return 0, false
		}
		return int64(n), true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	}
	return 0, false
}

// encodeAttrs is the stored form: JSON with sorted keys, so equal attributes
// are equal text.
func encodeAttrs(a map[string]any) (string, error) {
	if len(a) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(a)
	return string(b), err
}

// decodeAttrs reads stored attributes back in canonical form.
func decodeAttrs(s string) (map[string]any, error) {
	out := map[string]any{}
	if s == "" {
		return out, nil
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("stored attrs: %w", err)
	}
	for k, v := range raw {
		if n, ok := v.(json.Number); ok {
			if i, err := n.Int64(); err == nil {
				out[k] = i
				continue
			}
		}
		out[k] = v
	}
	return out, nil
}

// parseAttrs reads attributes as written in an import or a form.
func parseAttrs(s string) (map[string]any, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return map[string]any{}, nil
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data")
	}
	if raw == nil {
		raw = map[string]any{}
	}
	return raw, nil
}

// ParseAttrs reads attributes typed into a form (a JSON object), for the
// UI; the service validates them against the directory.
func ParseAttrs(s string) (map[string]any, error) { return parseAttrs(s) }

// FormatAttrs writes attributes as the JSON object a form shows.
func FormatAttrs(a map[string]any) string {
	s, err := encodeAttrs(a)
	if err != nil {
		return "{}"
	}
	return s
}
