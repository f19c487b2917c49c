package api

import (
	"net/http"
	"strconv"

	"shkola/internal/registry"
)

// RegisterPerson serves person records and guardian links; which fields a
// caller sees is the registry's decision.
func RegisterPerson(rt *Router, p *registry.People) {
	h := personHandlers{p: p}
	rt.Handle("GET", "/persons", h.list)
	rt.Handle("POST", "/persons", h.create)
	rt.Handle("GET", "/persons/duplicates", h.duplicates)
	rt.Handle("GET", "/persons/{id}", h.get)
	rt.Handle("PATCH", "/persons/{id}", h.update)
	rt.Handle("POST", "/persons/{id}/documents", h.addDocument)
	rt.Handle("POST", "/persons/{id}/merge", h.merge)
	rt.Handle("GET", "/persons/{id}/guardians", ByID(http.StatusOK, h.guardians))
	rt.Handle("POST", "/persons/{id}/guardians", h.link)
	rt.Handle("GET", "/persons/{id}/children", ByID(http.StatusOK, h.children))
	rt.Handle("POST", "/guardianships/{id}/end", h.endLink)
}

type personHandlers struct{ p *registry.People }

func personFilters() map[string]func(string) bool {
	text := func(s string) bool { return len(s) > 0 && len(s) <= 200 }
	return map[string]func(string) bool{
		"q": text, "snils": text, "document": text, "birth_date": text,
		"org_id": positiveID, "class_id": positiveID,
		"merged": func(s string) bool { return s == "true" || s == "false" },
	}
}

func (h personHandlers) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, err := ParsePage(q)
	if err != nil {
		Fail(w, r, err)
		return
	}
	f, err := Filters(q, personFilters())
	if err != nil {
		Fail(w, r, err)
		return
	}
	orgID, _ := strconv.ParseInt(f["org_id"], 10, 64)
	classID, _ := strconv.ParseInt(f["class_id"], 10, 64)
	items, err := h.p.List(r.Context(), registry.Filter{Q: f["q"], SNILS: f["snils"], Document: f["document"], BirthDate: f["birth_date"],
		OrgID: orgID, ClassID: classID, Merged: f["merged"] == "true", After: page.After, Limit: page.Limit})
	if err != nil {
		Fail(w, r, err)
		return
	}
	WritePage(w, r, items, page.Limit, func(s registry.Summary) int64 { return s.ID })
}

func (h personHandlers) create(w http.ResponseWriter, r *http.Request) {
	var n registry.NewPerson
	if err := Decode(r, &n); err != nil {
		Fail(w, r, err)
		return
	}
	out, err := h.p.Create(r.Context(), n)
	if err != nil {
		Fail(w, r, err)
		return
	}
	SetVersion(w, out.Version)
	w.Header().Set("Location", Prefix+"/persons/"+strconv.FormatInt(out.ID, 10))
	Write(w, r, http.StatusCreated, out)
}

func (h personHandlers) get(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	out, err := h.p.Get(r.Context(), id)
	writeVersioned(w, r, out, out.Version, err)
}

func (h personHandlers) update(w http.ResponseWriter, r *http.Request) {
	var patch registry.Patch
	id, version, err := DecodeUpdate(r, &patch)
	if err != nil {
		Fail(w, r, err)
		return
	}
	out, err := h.p.Update(r.Context(), id, version, patch)
	writeVersioned(w, r, out, out.Version, err)
}

func (h personHandlers) addDocument(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var d registry.NewDocument
	if err := Decode(r, &d); err != nil {
		Fail(w, r, err)
		return
	}
	out, err := h.p.AddDocument(r.Context(), id, d)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusCreated, out)
}

func (h personHandlers) duplicates(w http.ResponseWriter, r *http.Request) {
	page, err := ParsePage(r.URL.Query())
	if err != nil {
		Fail(w, r, err)
		return
	}
	items, err := h.p.Duplicates(r.Context(), page.Limit)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, List[registry.DuplicateGroup]{Items: items})
}

func (h personHandlers) merge(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var body struct {
		From int64 `json:"from"`
	}
	if err := Decode(r, &body); err != nil {
		Fail(w, r, err)
		return
	}
	out, err := h.p.Merge(r.Context(), id, body.From)
	writeVersioned(w, r, out, out.Version, err)
}

func (h personHandlers) guardians(r *http.Request, id int64) (List[registry.Guardianship], error) {
	items, err := h.p.Guardians(r.Context(), id)
	return List[registry.Guardianship]{Items: items}, err
}

func (h personHandlers) children(r *http.Request, id int64) (List[registry.Guardianship], error) {
	items, err := h.p.Children(r.Context(), id)
	return List[registry.Guardianship]{Items: items}, err
}

func (h personHandlers) link(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var n registry.NewGuardianship
	if err := Decode(r, &n); err != nil {
		Fail(w, r, err)
		return
	}
	out, err := h.p.Link(r.Context(), id, n)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusCreated, out)
}

func (h personHandlers) endLink(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var body struct {
		EndsOn string `json:"ends_on"`
	}
	if err := Decode(r, &body); err != nil {
		Fail(w, r, err)
		return
	}
	out, err := h.p.EndLink(r.Context(), id, body.EndsOn)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, out)
}
