// Package access decides who may do what. The rules are data (matrix/*.csv:
// role x relationship x resource x action -> allow/deny); relationship facts
// (guardian of, teaches, class teacher of) are answered by the owning domains
// through the Relations interface, so this package imports no domain.
// Anything not allowed by a row is denied.
package access

import (
	"bufio"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"shkola/internal/identity"
)

// One file per domain, so that domains grow their rows without touching
// each other's; a cell may still be listed only once across all files.
//
//go:embed matrix/*.csv
var matrixFiles embed.FS

// Relationship between the actor's grant and the target.
type Relationship string

const (
	// Anyone: no relationship needed (public directory data, own account).
	Anyone Relationship = "any"
	// InScope: the target's organisation is within the grant's organisation subtree.
	InScope Relationship = "scope"
	// Self: the target is the actor's own account or person.
	Self Relationship = "self"
	// GuardianOf: the actor is a guardian of the target pupil.
	GuardianOf Relationship = "guardian_of"
	// Teaches: the actor teaches the target (class/subject) within the grant's scope.
	Teaches Relationship = "teaches"
	// ClassTeacherOf: the actor is class teacher of the target's class.
	ClassTeacherOf Relationship = "class_teacher_of"
	// TakesLesson: the actor takes the target lesson, as its teacher or as
	// the substitute named for it.
	TakesLesson Relationship = "takes_lesson"
)

// Anonymous is the pseudo-role of a visitor who is not logged in.
const Anonymous identity.Role = "anonymous"

// Rule is one row of the matrix.
type Rule struct {
	Role     identity.Role
	Rel      Relationship
	Resource string
	Action   string
	Allow    bool
	File     string
	Line     int
}

// Key identifies a cell.
func (r Rule) Key() string {
	return string(r.Role) + "|" + string(r.Rel) + "|" + r.Resource + "|" + r.Action
}

// Matrix is the parsed rule table.
type Matrix struct {
	Rules []Rule
	cells map[string]bool
}

// LoadMatrix parses the embedded matrix files.
func LoadMatrix() (*Matrix, error) {
	names, err := fs.Glob(matrixFiles, "matrix/*.csv")
	if err != nil {
		return nil, err
	}
	m := &Matrix{cells: map[string]bool{}}
	for _, name := range names {
		text, err := matrixFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		if err := m.parse(name, string(text)); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// ParseMatrix parses rule lines "role,relationship,resource,action,allow|deny";
// blank lines and lines starting with # are skipped. A cell listed twice is
// an error, so the files cannot contradict themselves.
func ParseMatrix(text string) (*Matrix, error) {
	m := &Matrix{cells: map[string]bool{}}
	return m, m.parse("matrix.csv", text)
}

func (m *Matrix) parse(file, text string) error {
	sc := bufio.NewScanner(strings.NewReader(text))
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, ",")
		if len(f) != 5 {
			return fmt.Errorf("%s:%d: want 5 fields, got %d", file, n, len(f))
		}
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		role := identity.Role(f[0])
		if !role.Valid() && role != Anonymous {
			return fmt.Errorf("%s:%d: unknown role %q", file, n, f[0])
		}
		rel := Relationship(f[1])
		if !rel.valid() {
			return fmt.Errorf("%s:%d: unknown relationship %q", file, n, f[1])
		}
		if f[4] != "allow" && f[4] != "deny" {
			return fmt.Errorf("%s:%d: effect must be allow or deny", file, n)
		}
		r := Rule{Role: role, Rel: rel, Resource: f[2], Action: f[3], Allow: f[4] == "allow", File: file, Line: n}
		if _, dup := m.cells[r.Key()]; dup {
			return fmt.Errorf("%s:%d: cell %s listed twice", file, n, r.Key())
		}
		m.cells[r.Key()] = r.Allow
		m.Rules = append(m.Rules, r)
	}
	return sc.Err()
}

func (r Relationship) valid() bool {
	switch r {
	case Anyone, InScope, Self, GuardianOf, Teaches, ClassTeacherOf, TakesLesson:
		return true
	}
	return false
}

// Allows reports whether the cell is listed as allow.
func (m *Matrix) Allows(role identity.Role, rel Relationship, resource, action string) bool {
	return m.cells[string(role)+"|"+string(rel)+"|"+resource+"|"+action]
}

// Relationships lists, for a role, resource and action, the relationships
// that grant it.
func (m *Matrix) Relationships(role identity.Role, resource, action string) []Relationship {
	var out []Relationship
	for _, r := range m.Rules {
		if r.Allow && r.Role == role && r.Resource == resource && r.Action == action {
			out = append(out, r.Rel)
		}
	}
	return out
}

// Resources lists every resource/action pair the matrix mentions, sorted.
func (m *Matrix) Resources() [][2]string {
	seen := map[[2]string]bool{}
	var out [][2]string
	for _, r := range m.Rules {
		k := [2]string{r.Resource, r.Action}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i][0] != out[j][0] {
			return out[i][0] < out[j][0]
		}
		return out[i][1] < out[j][1]
	})
	return out
}

// AllRelationships lists the relationships in a stable order.
func AllRelationships() []Relationship {
	return []Relationship{Anyone, InScope, Self, GuardianOf, Teaches, ClassTeacherOf, TakesLesson}
}
