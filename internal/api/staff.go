package api

import (
	"net/http"
	"strconv"

	"shkola/internal/staff"
)

// RegisterStaff serves employments, the staff lists of organisations and
// the staff cards of people. The handlers hold only the Guard.
func RegisterStaff(rt *Router, g *staff.Guard) {
	h := staffHandlers{g: g}
	rt.Handle("GET", "/organisations/{id}/staff", h.list)
	rt.Handle("POST", "/employments", h.hire)
	rt.Handle("GET", "/employments/{id}", h.employment)
	rt.Handle("POST", "/employments/{id}/end", h.end)
	rt.Handle("GET", "/persons/{id}/staff", h.card)
	rt.Handle("GET", "/persons/{id}/employments", h.employments)
	rt.Handle("GET", "/persons/{id}/subjects", h.subjects)
	rt.Handle("PUT", "/persons/{id}/subjects", h.setSubjects)
	rt.Handle("GET", "/persons/{id}/qualifications", h.qualifications)
	rt.Handle("POST", "/persons/{id}/qualifications", h.addQualification)
}

type staffHandlers struct{ g *staff.Guard }

// staffFilters is the allowlist of the staff list's filters; codes are
// checked against the directory by the service.
func staffFilters() map[string]func(string) bool {
	code := func(s string) bool { return len(s) > 0 && len(s) <= 64 }
	return map[string]func(string) bool{
		"position": code,
		"subject":  code,
		"q":        func(s string) bool { return len(s) > 0 && len(s) <= 200 },
	}
}

func (h staffHandlers) list(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	q := r.URL.Query()
	// The list is ordered by name, so its cursor is the staff package's,
	// not the id cursor of ParsePage.
	cursor := q.Get("cursor")
	q.Del("cursor")
	page, err := ParsePage(q)
	if err != nil {
		Fail(w, r, err)
		return
	}
	f, err := Filters(q, staffFilters())
	if err != nil {
		Fail(w, r, err)
		return
	}
	filter := staff.Filter{OrgID: id, Position: f["position"], Subject: f["subject"], Q: f["q"], Limit: page.Limit}
	if cursor != "" {
		if filter.After, err = staff.ParseCursor(cursor); err != nil {
			Fail(w, r, err)
			return
		}
	}
	items, err := h.g.List(r.Context(), filter)
	if err != nil {
		Fail(w, r, err)
		return
	}
	out := List[staff.Member]{Items: items}
	if c := staff.NextCursor(items, page.Limit); c != nil {
		out.Next = c.String()
	}
	Write(w, r, http.StatusOK, out)
}

func (h staffHandlers) hire(w http.ResponseWriter, r *http.Request) {
	var n staff.NewEmployment
	if err := Decode(r, &n); err != nil {
		Fail(w, r, err)
		return
	}
	e, err := h.g.Hire(r.Context(), n)
	if err != nil {
		Fail(w, r, err)
		return
	}
	SetVersion(w, e.Version)
	w.Header().Set("Location", Prefix+"/employments/"+strconv.FormatInt(e.ID, 10))
	Write(w, r, http.StatusCreated, e)
}

func (h staffHandlers) employment(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	e, err := h.g.Employment(r.Context(), id)
	writeVersioned(w, r, e, e.Version, err)
}

func (h staffHandlers) end(w http.ResponseWriter, r *http.Request) {
	var in staff.End
	id, version, err := DecodeUpdate(r, &in)
	if err != nil {
		Fail(w, r, err)
		return
	}
	e, err := h.g.End(r.Context(), id, version, in)
	writeVersioned(w, r, e, e.Version, err)
}

func (h staffHandlers) card(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	c, err := h.g.Card(r.Context(), id)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, c)
}

func (h staffHandlers) employments(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	items, err := h.g.Employments(r.Context(), id)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, List[staff.Employment]{Items: items})
}

type subjectList struct {
	Subjects []string `json:"subjects"`
}

func (h staffHandlers) subjects(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	out, err := h.g.Subjects(r.Context(), id)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, subjectList{out})
}

func (h staffHandlers) setSubjects(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var in subjectList
	if err := Decode(r, &in); err != nil {
		Fail(w, r, err)
		return
	}
	out, err := h.g.SetSubjects(r.Context(), id, in.Subjects)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, subjectList{out})
}

func (h staffHandlers) qualifications(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	items, err := h.g.Qualifications(r.Context(), id)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, List[staff.Qualification]{Items: items})
}

func (h staffHandlers) addQualification(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var n staff.NewQualification
	if err := Decode(r, &n); err != nil {
		Fail(w, r, err)
		return
	}
	q, err := h.g.AddQualification(r.Context(), id, n)
	if err != nil {
		Fail(w, r, err)
		return
	}
	w.Header().Set("Location", Prefix+"/persons/"+strconv.FormatInt(id, 10)+"/qualifications")
	Write(w, r, http.StatusCreated, q)
}
