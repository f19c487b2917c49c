package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"shkola/internal/api"
	"shkola/internal/apptest"
)

// Every served API route is documented and every documented route is served;
// the document the server serves is the one compared.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	s := apptest.Start(t)
	status, hdr, body := apptest.Do(t, s.Client(), "GET", s.URL+"/api/v1/openapi.json", nil)
	if status != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
		t.Fatalf("openapi.json: %d %s", status, hdr.Get("Content-Type"))
	}
	var doc api.Document
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi version %v, want 3.1.0", doc["openapi"])
	}
	documented := map[string]bool{}
	for _, op := range doc.Operations() {
		documented[op.String()] = true
	}
	served := map[string]bool{}
	for _, r := range s.App.API.Routes() {
		served[r.String()] = true
		if !documented[r.String()] {
			t.Errorf("served but not documented: %s", r)
		}
	}
	for op := range documented {
		if !served[op] {
			t.Errorf("documented but not served: %s", op)
		}
	}
	// Every operation needs an id and responses, and every $ref must resolve.
	paths := doc["paths"].(map[string]any)
	for p, item := range paths {
		for m, op := range item.(map[string]any) {
			o, ok := op.(map[string]any)
			if !ok {
				continue
			}
			if o["operationId"] == nil || o["responses"] == nil {
				t.Errorf("%s %s: operationId and responses are required", m, p)
			}
		}
	}
	checkRefs(t, doc, doc)
}

func checkRefs(t *testing.T, root map[string]any, node any) {
	switch n := node.(type) {
	case map[string]any:
		if ref, ok := n["$ref"].(string); ok {
			if !resolves(root, ref) {
				t.Errorf("$ref %s does not resolve", ref)
			}
		}
		for _, v := range n {
			checkRefs(t, root, v)
		}
	case []any:
		for _, v := range n {
			checkRefs(t, root, v)
		}
	}
}

func resolves(root map[string]any, ref string) bool {
	if !strings.HasPrefix(ref, "#/") {
		return false
	}
	var cur any = root
	for _, part := range strings.Split(ref[2:], "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		if cur, ok = m[part]; !ok {
			return false
		}
	}
	return true
}
