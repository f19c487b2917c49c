// Package directory keeps the region's reference directories (seed 000
// cl. 6b): subjects, kinds of work and lessons, absence reasons, document
// types, citizenship, education levels and the other coded lists that the
// domains store by code. Every entry is versioned (ref_history keeps each
// version whole), a directory is imported from CSV all at once or not at
// all, and only regional officers change them.
package directory

import (
	"time"
)

// Names of the directories other domains look codes up in.
const (
	Subject           = "subject"
	WorkKind          = "work_kind"
	LessonKind        = "lesson_kind"
	AbsenceReason     = "absence_reason"
	DocumentType      = "document_type"
	EducationLevel    = "education_level"
	FormOfStudy       = "form_of_study"
	HealthGroup       = "health_group"
	PEGroup           = "pe_group"
	DisabilityGroup   = "disability_group"
	AchievementLevel  = "achievement_level"
	AchievementResult = "achievement_result"
	Position          = "position"
	Citizenship       = "citizenship"
	// MarkScale lists the mark scales an organisation may use (the journal
	// reads their attributes: kind, range, pass mark, modifiers, step).
	MarkScale = "mark_scale"
	// ExamKind: state exams whose results go into the portfolio (ОГЭ, ЕГЭ,
	// ГВЭ; ЗНО, НМТ, ДПА), with the country and the usual top score.
	ExamKind = "exam_kind"
)

// Names lists every directory in the order the UI shows them.
func Names() []string {
	return []string{Subject, WorkKind, LessonKind, AbsenceReason, DocumentType, Citizenship, EducationLevel, FormOfStudy,
		HealthGroup, PEGroup, DisabilityGroup, AchievementLevel, AchievementResult, Position, MarkScale, ExamKind}
}

// Known reports whether name is a directory.
func Known(name string) bool {
	_, ok := specOf(name)
	return ok
}

// Entry is one coded value of a directory. The code never changes (other
// domains store it); Version goes up with every change and is the ETag
// updates send back.
type Entry struct {
	Directory string         `json:"directory"`
	Code      string         `json:"code"`
	NameRU    string         `json:"name_ru"`
	NameUK    string         `json:"name_uk"`
	NameEN    string         `json:"name_en"`
	Attrs     map[string]any `json:"attrs"`
	Sort      int            `json:"sort"`
	Active    bool           `json:"active"`
	Version   int64          `json:"version"`
	UpdatedAt time.Time      `json:"updated_at"`

	id int64
}

// Name returns the entry's name in lang (ru, uk or en), falling back to the
// Russian name, which is always present.
func Name(e Entry, lang string) string {
	switch lang {
	case "uk":
		if e.NameUK != "" {
			return e.NameUK
		}
	case "en":
		if e.NameEN != "" {
			return e.NameEN
		}
	}
	return e.NameRU
}

// New is what creating an entry takes. Active defaults to true.
type New struct {
	Code   string         `json:"code"`
	NameRU string         `json:"name_ru"`
	NameUK string         `json:"name_uk"`
	NameEN string         `json:"name_en"`
	Attrs  map[string]any `json:"attrs"`
	Sort   int            `json:"sort"`
	Active *bool          `json:"active"`
}

// Patch lists what an update may change; nil leaves a field as it is. The
// code is not among them: it is the entry's identity. Setting Active to
// false retires an entry: it stays readable (old records keep their code)
// but is no longer offered or accepted for new ones.
type Patch struct {
	NameRU *string         `json:"name_ru"`
	NameUK *string         `json:"name_uk"`
	NameEN *string         `json:"name_en"`
	Attrs  *map[string]any `json:"attrs"`
	Sort   *int            `json:"sort"`
	Active *bool           `json:"active"`
}

// Summary is one directory with its number of entries.
type Summary struct {
	Name    string `json:"name"`
	Entries int    `json:"entries"`
	Active  int    `json:"active"`
}

// Version is one stored version of an entry, whole.
type Version struct {
	Version   int64          `json:"version"`
	NameRU    string         `json:"name_ru"`
	NameUK    string         `json:"name_uk"`
	NameEN    string         `json:"name_en"`
	Attrs     map[string]any `json:"attrs"`
	Sort      int            `json:"sort"`
	Active    bool           `json:"active"`
	ChangedAt time.Time      `json:"changed_at"`
	ChangedBy string         `json:"changed_by,omitempty"`
}
