// Package api is the REST edge under /api/v1: JSON in and out, problem+json
// errors, paging and filtering conventions, and the OpenAPI document that a
// test holds equal to the routes actually served.
package api

import (
	"net/http"
	"sort"
)

// Prefix is where the API lives.
const Prefix = "/api/v1"

// Route is one served operation, as registered.
type Route struct {
	Method string
	Path   string // OpenAPI-style path, e.g. /api/v1/organisations/{id}
}

// Router registers API handlers on a mux and remembers what it registered,
// so the OpenAPI test can compare the served routes with the document.
type Router struct {
	mux    *http.ServeMux
	routes []Route
}

// NewRouter registers on mux.
func NewRouter(mux *http.ServeMux) *Router { return &Router{mux: mux} }

// Handle serves h for method and path (path relative to /api/v1, with
// {name} segments as in both ServeMux and OpenAPI).
func (rt *Router) Handle(method, path string, h http.HandlerFunc) {
	full := Prefix + path
	rt.mux.Handle(method+" "+full, h)
	rt.routes = append(rt.routes, Route{Method: method, Path: full})
}

// Routes lists the served routes, sorted.
func (rt *Router) Routes() []Route {
	out := append([]Route(nil), rt.routes...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Method < out[j].Method
	})
	return out
}

func (r Route) String() string { return r.Method + " " + r.Path }
