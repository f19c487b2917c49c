// Package org keeps the organisations of a region as a tree (region >
// municipality > school, preschool, out-of-school or college) with their
// identifiers, status and the history of every change. Other domains scope
// their rows by organisation through the org_tree closure table.
package org

import (
	"strings"
	"time"
	"unicode/utf8"

	"shkola/internal/errs"
	"shkola/internal/natid"
)

// Kind of organisation.
type Kind string

const (
	Region       Kind = "region"
	Municipality Kind = "municipality"
	School       Kind = "school"
	Preschool    Kind = "preschool"
	OutOfSchool  Kind = "out_of_school"
	College      Kind = "college"
)

// Kinds lists every kind in the order the UI offers them.
func Kinds() []Kind {
	return []Kind{Region, Municipality, School, Preschool, OutOfSchool, College}
}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, v := range Kinds() {
		if v == k {
			return true
		}
	}
	return false
}

// parentKinds says under which kinds an organisation of a kind may sit; a
// region is a root. Institutions usually belong to a municipality, but
// regional ones (colleges, boarding schools) sit under the region itself.
func parentKinds(k Kind) []Kind {
	switch k {
	case Municipality:
		return []Kind{Region}
	case School, Preschool, OutOfSchool, College:
		return []Kind{Municipality, Region}
	}
	return nil
}

// Status of an organisation.
type Status string

const (
	Active     Status = "active"
	Suspended  Status = "suspended"
	Liquidated Status = "liquidated"
)

// Statuses lists every status.
func Statuses() []Status { return []Status{Active, Suspended, Liquidated} }

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return s == Active || s == Suspended || s == Liquidated }

// Countries whose identifiers the system knows.
const (
	RU = "RU"
	UA = "UA"
)

// Organisation is one node of the tree. Version goes up with every change
// and is the ETag that updates must send back.
type Organisation struct {
	ID        int64     `json:"id"`
	ParentID  *int64    `json:"parent_id"`
	Kind      Kind      `json:"kind"`
	Name      string    `json:"name"`
	ShortName string    `json:"short_name"`
	Country   string    `json:"country"`
	INN       string    `json:"inn,omitempty"`
	OGRN      string    `json:"ogrn,omitempty"`
	EDRPOU    string    `json:"edrpou,omitempty"`
	Address   string    `json:"address"`
	Status    Status    `json:"status"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// New is what creating an organisation takes.
type New struct {
	ParentID  *int64 `json:"parent_id"`
	Kind      Kind   `json:"kind"`
	Name      string `json:"name"`
	ShortName string `json:"short_name"`
	Country   string `json:"country"`
	INN       string `json:"inn"`
	OGRN      string `json:"ogrn"`
	EDRPOU    string `json:"edrpou"`
	Address   string `json:"address"`
}

// Patch lists the fields an update may change; nil leaves a field as it is.
// Kind, parent and country are not among them: moving an organisation in
// the tree is a separate operation.
type Patch struct {
	Name      *string `json:"name"`
	ShortName *string `json:"short_name"`
	INN       *string `json:"inn"`
	OGRN      *string `json:"ogrn"`
	EDRPOU    *string `json:"edrpou"`
	Address   *string `json:"address"`
}

// fields is the editable content of an organisation, validated together.
type fields struct {
	Name, ShortName, Country, INN, OGRN, EDRPOU, Address string
}

// normalise trims the fields and validates them; identifiers come back in
// their normalised form.
func (f *fields) normalise(v *errs.Validation) {
	f.Name = strings.TrimSpace(f.Name)
	f.ShortName = strings.TrimSpace(f.ShortName)
	f.Address = strings.TrimSpace(f.Address)
	f.INN = strings.TrimSpace(f.INN)
	f.OGRN = strings.TrimSpace(f.OGRN)
	f.EDRPOU = strings.TrimSpace(f.EDRPOU)
	switch {
	case f.Name == "":
		v.Add("name", "required", "the full name is required")
	case utf8.RuneCountInString(f.Name) > 500:
		v.Add("name", "length", "at most 500 characters")
	}
	if utf8.RuneCountInString(f.ShortName) > 200 {
		v.Add("short_name", "length", "at most 200 characters")
	}
	if utf8.RuneCountInString(f.Address) > 500 {
		v.Add("address", "length", "at most 500 characters")
	}
	if f.Country != RU && f.Country != UA {
		v.Add("country", "enum", "country must be RU or UA")
		return
	}
	id := func(field string, val *string, country string, check func(string) (string, error)) {
		if *val == "" {
			return
		}
		if f.Country != country {
			v.Add(field, "country", field+" is used only for organisations in "+country)
			return
		}
		n, err := check(*val)
		if err != nil {
			rule := "format"
			if ne, ok := err.(*natid.Error); ok {
				rule = ne.Rule
			}
			v.Add(field, rule, err.Error())
			return
		}
		*val = n
	}
	id("inn", &f.INN, RU, natid.LegalINN)
	id("ogrn", &f.OGRN, RU, natid.OGRN)
	id("edrpou", &f.EDRPOU, UA, natid.EDRPOU)
}

func (o *Organisation) fields() fields {
	return fields{Name: o.Name, ShortName: o.ShortName, Country: o.Country, INN: o.INN, OGRN: o.OGRN, EDRPOU: o.EDRPOU, Address: o.Address}
}

// searchKey is what name searches compare: lower case, ё as е, no quote
// marks, single spaces. Go does this because SQLite's lower() is ASCII-only.
func searchKey(s string) string {
	s = strings.ToLower(s)
	s = strings.NewReplacer("ё", "е", "«", " ", "»", " ", "\"", " ", "„", " ", "“", " ", "”", " ").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
