package api

import (
	"net/http"
	"strconv"

	"shkola/internal/calendar"
	"shkola/internal/classes"
)

// RegisterClasses serves classes, sub-groups and clubs, their members and
// teaching assignments, and the year rollover that promotes them.
func RegisterClasses(rt *Router, g *classes.Guard) {
	h := classHandlers{g: g}
	rt.Handle("GET", "/organisations/{id}/classes", h.list)
	rt.Handle("POST", "/classes", h.create)
	rt.Handle("GET", "/classes/{id}", h.get)
	rt.Handle("PATCH", "/classes/{id}", h.update)
	rt.Handle("GET", "/classes/{id}/history", h.history)
	rt.Handle("GET", "/classes/{id}/members", h.members)
	rt.Handle("POST", "/classes/{id}/members", h.addMember)
	rt.Handle("DELETE", "/classes/{id}/members/{person_id}", h.removeMember)
	rt.Handle("GET", "/classes/{id}/assignments", h.assignments)
	rt.Handle("POST", "/classes/{id}/assignments", h.addAssignment)
	rt.Handle("POST", "/assignments/{id}/end", h.endAssignment)
	rt.Handle("POST", "/years/{id}/rollover", h.rollover)
}

type classHandlers struct{ g *classes.Guard }

func classFilters() map[string]func(string) bool {
	parallel := func(s string) bool {
		n, err := strconv.Atoi(s)
		return err == nil && n >= 0 && n <= classes.MaxParallel
	}
	oneOf := func(list ...string) func(string) bool {
		return func(s string) bool {
			for _, v := range list {
				if v == s {
					return true
				}
			}
			return false
		}
	}
	return map[string]func(string) bool{
		"year": positiveID, "parent": positiveID, "parallel": parallel,
		"kind":   oneOf(classes.Kinds()...),
		"status": oneOf(classes.Active, classes.Graduated, classes.Closed),
	}
}

func (h classHandlers) list(w http.ResponseWriter, r *http.Request) {
	org, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	q := r.URL.Query()
	page, err := ParsePage(q)
	if err != nil {
		Fail(w, r, err)
		return
	}
	f, err := Filters(q, classFilters())
	if err != nil {
		Fail(w, r, err)
		return
	}
	year, _ := strconv.ParseInt(f["year"], 10, 64)
	parent, _ := strconv.ParseInt(f["parent"], 10, 64)
	filter := classes.Filter{OrgID: org, YearID: year, ParentID: parent, Kind: f["kind"], Status: f["status"], After: page.After, Limit: page.Limit}
	if s, ok := f["parallel"]; ok {
		n, _ := strconv.Atoi(s)
		filter.Parallel = &n
	}
	items, err := h.g.List(r.Context(), filter)
	if err != nil {
		Fail(w, r, err)
		return
	}
	WritePage(w, r, items, page.Limit, func(v classes.Summary) int64 { return v.ID })
}

func (h classHandlers) create(w http.ResponseWriter, r *http.Request) {
	var n classes.NewGroup
	if err := Decode(r, &n); err != nil {
		Fail(w, r, err)
		return
	}
	g, err := h.g.Create(r.Context(), n)
	if err != nil {
		Fail(w, r, err)
		return
	}
	out, err := h.g.Get(r.Context(), g.ID)
	if err != nil {
		Fail(w, r, err)
		return
	}
	SetVersion(w, out.Version)
	w.Header().Set("Location", Prefix+"/classes/"+strconv.FormatInt(g.ID, 10))
	Write(w, r, http.StatusCreated, out)
}

func (h classHandlers) get(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	g, err := h.g.Get(r.Context(), id)
	writeVersioned(w, r, g, g.Version, err)
}

func (h classHandlers) update(w http.ResponseWriter, r *http.Request) {
	var p classes.Patch
	id, version, err := DecodeUpdate(r, &p)
	if err != nil {
		Fail(w, r, err)
		return
	}
	if _, err := h.g.Update(r.Context(), id, version, p); err != nil {
		Fail(w, r, err)
		return
	}
	g, err := h.g.Get(r.Context(), id)
	writeVersioned(w, r, g, g.Version, err)
}

func (h classHandlers) history(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	items, err := h.g.History(r.Context(), id)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, List[classes.Summary]{Items: items})
}

func (h classHandlers) members(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	f, err := Filters(r.URL.Query(), map[string]func(string) bool{"on": calendar.ValidDate})
	if err != nil {
		Fail(w, r, err)
		return
	}
	items, err := h.g.Members(r.Context(), id, f["on"])
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, List[classes.Member]{Items: items})
}

func (h classHandlers) addMember(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var n classes.NewMember
	if err := Decode(r, &n); err != nil {
		Fail(w, r, err)
		return
	}
	m, err := h.g.AddMember(r.Context(), id, n)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusCreated, m)
}

func (h classHandlers) removeMember(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	person, err := PathID(r, "person_id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	f, err := Filters(r.URL.Query(), map[string]func(string) bool{"on": calendar.ValidDate})
	if err != nil {
		Fail(w, r, err)
		return
	}
	if err := h.g.RemoveMember(r.Context(), id, person, f["on"]); err != nil {
		Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h classHandlers) assignments(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	f, err := Filters(r.URL.Query(), map[string]func(string) bool{"current": func(s string) bool { return s == "true" || s == "false" }})
	if err != nil {
		Fail(w, r, err)
		return
	}
	items, err := h.g.Assignments(r.Context(), id, f["current"] == "true")
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, List[classes.Assignment]{Items: items})
}

func (h classHandlers) addAssignment(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var n classes.NewAssignment
	if err := Decode(r, &n); err != nil {
		Fail(w, r, err)
		return
	}
	a, err := h.g.AddAssignment(r.Context(), id, n)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusCreated, a)
}

func (h classHandlers) endAssignment(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var body struct {
		EndsOn string `json:"ends_on"`
	}
	if r.ContentLength != 0 {
		if err := Decode(r, &body); err != nil {
			Fail(w, r, err)
			return
		}
	}
	a, err := h.g.EndAssignment(r.Context(), id, body.EndsOn)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, a)
}

func (h classHandlers) rollover(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var body classes.Rollover
	if r.ContentLength != 0 {
		if err := Decode(r, &body); err != nil {
			Fail(w, r, err)
			return
		}
	}
	res, err := h.g.Rollover(r.Context(), id, body)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, res)
}
