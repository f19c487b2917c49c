package api

import (
	"net/http"
	"strconv"

	"shkola/internal/registry"
)

// RegisterPerson serves person records; field visibility is the registry's.
func RegisterPerson(rt *Router, p *registry.People) {
	rt.Handle("POST", "/persons", func(w http.ResponseWriter, r *http.Request) {
		var n registry.NewPerson
		if err := Decode(r, &n); err != nil {
			Fail(w, r, err)
			return
		}
		out, err := p.Create(r.Context(), n)
		if err != nil {
			Fail(w, r, err)
			return
		}
		SetVersion(w, out.Version)
		w.Header().Set("Location", Prefix+"/persons/"+strconv.FormatInt(out.ID, 10))
		Write(w, r, http.StatusCreated, out)
	})
	rt.Handle("GET", "/persons/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := PathID(r, "id")
		if err != nil {
			Fail(w, r, err)
			return
		}
		out, err := p.Get(r.Context(), id)
		writeVersioned(w, r, out, out.Version, err)
	})
}
