// Package importer reads registry files (pupils with their guardians,
// guardians of known pupils, staff, classes) from CSV or XLSX and writes
// them through the domains' own rules. A file is checked whole before
// anything is written; an import writes all its rows in one transaction or
// none (or, when asked, every valid row), and importing the same file again
// changes nothing. Files are read as streams, twice: once to check, once to
// write, so memory does not grow with the file (docs/IMPORT.md).
package importer

import (
	"time"

	"shkola/internal/access"
	"shkola/internal/audit"
	"shkola/internal/classes"
	"shkola/internal/contingent"
	"shkola/internal/registry"
	"shkola/internal/staff"
	"shkola/internal/store"
)

// Resource is the import in the access matrix: "create" on the target
// organisation. The kind's own resource (person, staff, class) must allow
// "create" there too.
const Resource = "import"

// Kind is what a file holds.
type Kind string

const (
	Pupils    Kind = "pupils"
	Guardians Kind = "guardians"
	Staff     Kind = "staff"
	Classes   Kind = "classes"
)

// Kinds lists the kinds in the order the documentation gives them.
func Kinds() []Kind { return []Kind{Pupils, Guardians, Staff, Classes} }

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds() {
		if x == k {
			return true
		}
	}
	return false
}

// Options say what to import where and how.
type Options struct {
	Kind  Kind
	OrgID int64
	// DryRun checks the whole file and writes nothing.
	DryRun bool
	// ValidOnly writes every valid row and reports the others; without it
	// one bad row means nothing is written.
	ValidOnly bool
	// ExpectSHA256, when set, is the hash of the file a person checked in a
	// preview: a different file is refused, so what is written is what was
	// shown.
	ExpectSHA256 string
	// FileName is recorded in the audit entry and the report (base name only).
	FileName string
}

// CellError is one broken rule: the row of the file (1 is the header), the
// column, the rule and a message. Errors about the file as a whole name
// row 0 or the header row.
type CellError struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// Report is what an import (or a dry run) did or would do.
type Report struct {
	Kind      Kind   `json:"kind"`
	OrgID     int64  `json:"org_id"`
	File      string `json:"file,omitempty"`
	SHA256    string `json:"sha256"`
	Format    string `json:"format"`
	DryRun    bool   `json:"dry_run"`
	Mode      string `json:"mode"` // all_or_nothing or valid_only
	Rows      int    `json:"rows"`
	Created   int    `json:"created"`
	Unchanged int    `json:"unchanged"`
	Failed    int    `json:"failed"`
	// Written says whether anything was committed.
	Written bool `json:"written"`
	// Errors lists every broken rule, up to MaxErrors; ErrorCount counts all.
	Errors     []CellError `json:"errors"`
	ErrorCount int         `json:"error_count"`
}

// MaxErrors bounds the errors a report lists (all are counted).
const MaxErrors = 10000

// Service imports files. Access is decided once for the batch; the rows
// are then written through the domains' trusted bulk paths.
type Service struct {
	DB         *store.DB
	People     *registry.People
	Contingent *contingent.Service
	Staff      *staff.Service
	Classes    *classes.Service
	Policy     *access.Policy
	Audit      *audit.Log
	// TempDir holds the spooled upload while it is read twice ("" : the
	// system's temporary directory).
	TempDir string
	Now     func() time.Time
	// Batch is the number of rows checked and written together (0: 500).
	Batch int
}

func (s *Service) batch() int {
	if s.Batch > 0 {
		return s.Batch
	}
	return 500
}
