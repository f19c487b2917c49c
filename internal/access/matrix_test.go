package access_test

import (
	"strings"
	"testing"

	"shkola/internal/access"
)

func TestMatrixFileParses(t *testing.T) {
	m, err := access.LoadMatrix()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Rules) == 0 {
		t.Fatal("empty matrix")
	}
}

func TestMatrixRejectsContradictionsAndTypos(t *testing.T) {
	for name, text := range map[string]string{
		"duplicate cell":   "teacher,scope,journal,read,allow\nteacher,scope,journal,read,deny\n",
		"unknown role":     "headmaster,scope,journal,read,allow\n",
		"unknown relation": "teacher,friend_of,journal,read,allow\n",
		"bad effect":       "teacher,scope,journal,read,maybe\n",
		"short line":       "teacher,scope,journal\n",
	} {
		if _, err := access.ParseMatrix(text); err == nil {
			t.Errorf("%s: accepted", name)
		} else if !strings.Contains(err.Error(), "matrix.csv:") {
			t.Errorf("%s: error does not name the line: %v", name, err)
		}
	}
}

func TestUnlistedCellIsDenied(t *testing.T) {
	m, err := access.ParseMatrix("teacher,scope,journal,read,allow\n")
	if err != nil {
		t.Fatal(err)
	}
	if !m.Allows("teacher", access.InScope, "journal", "read") {
		t.Fatal("listed allow not allowed")
	}
	if m.Allows("teacher", access.InScope, "journal", "update") || m.Allows("student", access.InScope, "journal", "read") {
		t.Fatal("unlisted cell allowed")
	}
}
