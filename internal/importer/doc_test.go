package importer

import (
	"os"
	"strings"
	"testing"
)

// Every column of every layout is documented in docs/IMPORT.md.
func TestLayoutsDocumented(t *testing.T) {
	b, err := os.ReadFile("../../docs/IMPORT.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range Kinds() {
		if !strings.Contains(string(b), "### "+string(k)) {
			t.Errorf("docs/IMPORT.md has no section for %s", k)
		}
		for _, c := range Layout(k) {
			if !strings.Contains(string(b), "| `"+c.Name+"` |") {
				t.Errorf("docs/IMPORT.md does not document %s.%s", k, c.Name)
			}
		}
	}
}
