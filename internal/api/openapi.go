package api

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"sort"
)

// The document is written by hand, one fragment per domain
// (openapi/<domain>.json holding "paths" and "components"), and merged here.
// Writing it by hand keeps it a contract rather than a by-product of the code,
// and TestOpenAPIMatchesRoutes fails when the two disagree.
//
//go:embed openapi/*.json
var openapiFiles embed.FS

// Document is the merged OpenAPI 3.1 document.
type Document map[string]any

// LoadDocument merges base.json with every other fragment.
func LoadDocument() (Document, error) {
	raw, err := fs.ReadFile(openapiFiles, "openapi/base.json")
	if err != nil {
		return nil, err
	}
	var doc Document
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("openapi/base.json: %w", err)
	}
	paths := ensure(doc, "paths")
	schemas := ensure(ensure(doc, "components"), "schemas")
	params := ensure(ensure(doc, "components"), "parameters")
	entries, err := fs.ReadDir(openapiFiles, "openapi")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if e.Name() == "base.json" || path.Ext(e.Name()) != ".json" {
			continue
		}
		b, err := fs.ReadFile(openapiFiles, "openapi/"+e.Name())
		if err != nil {
			return nil, err
		}
		var frag map[string]any
		if err := json.Unmarshal(b, &frag); err != nil {
			return nil, fmt.Errorf("openapi/%s: %w", e.Name(), err)
		}
		if err := mergeInto(paths, frag["paths"], e.Name(), "path"); err != nil {
			return nil, err
		}
		if comps, ok := frag["components"].(map[string]any); ok {
			if err := mergeInto(schemas, comps["schemas"], e.Name(), "schema"); err != nil {
				return nil, err
			}
			if err := mergeInto(params, comps["parameters"], e.Name(), "parameter"); err != nil {
				return nil, err
			}
		}
	}
	return doc, nil
}

func ensure(m map[string]any, key string) map[string]any {
	if v, ok := m[key].(map[string]any); ok {
		return v
	}
	v := map[string]any{}
	m[key] = v
	return v
}

func mergeInto(dst map[string]any, src any, file, what string) error {
	m, _ := src.(map[string]any)
	for k, v := range m {
		if _, dup := dst[k]; dup {
			return fmt.Errorf("openapi/%s: %s %s is defined twice", file, what, k)
		}
		dst[k] = v
	}
	return nil
}

// Operations lists "METHOD /path" for every operation in the document.
func (d Document) Operations() []Route {
	var out []Route
	paths, _ := d["paths"].(map[string]any)
	for p, item := range paths {
		ops, _ := item.(map[string]any)
		for m := range ops {
			switch m {
			case "get", "put", "post", "delete", "patch", "head", "options":
				out = append(out, Route{Method: upper(m), Path: p})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

func upper(m string) string {
	b := []byte(m)
	for i := range b {
		b[i] -= 'a' - 'A'
	}
	return string(b)
}

// ServeDocument serves the document as JSON.
func ServeDocument(doc Document) http.HandlerFunc {
	b, err := json.MarshalIndent(doc, "", "  ")
	return func(w http.ResponseWriter, r *http.Request) {
		if err != nil {
			Fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=300")
		_, _ = w.Write(b)
	}
}
