package api

import (
	"net/http"
	"strconv"

	"shkola/internal/org"
)

// RegisterOrg serves the organisation directory. The handlers hold only the
// Guard, so every call passes the access policy and every change is audited.
func RegisterOrg(rt *Router, svc *org.Guard) {
	h := orgHandlers{svc: svc}
	rt.Handle("GET", "/organisations", h.list)
	rt.Handle("POST", "/organisations", h.create)
	rt.Handle("GET", "/organisations/{id}", h.get)
	rt.Handle("PATCH", "/organisations/{id}", h.update)
	rt.Handle("PUT", "/organisations/{id}/status", h.status)
	rt.Handle("GET", "/organisations/{id}/history", h.history)
}

type orgHandlers struct{ svc *org.Guard }

func (h orgHandlers) create(w http.ResponseWriter, r *http.Request) {
	var n org.New
	if err := Decode(r, &n); err != nil {
		Fail(w, r, err)
		return
	}
	o, err := h.svc.Create(r.Context(), n)
	if err != nil {
		Fail(w, r, err)
		return
	}
	SetVersion(w, o.Version)
	w.Header().Set("Location", Prefix+"/organisations/"+strconv.FormatInt(o.ID, 10))
	Write(w, r, http.StatusCreated, o)
}

func (h orgHandlers) update(w http.ResponseWriter, r *http.Request) {
	var p org.Patch
	id, version, err := DecodeUpdate(r, &p)
	if err != nil {
		Fail(w, r, err)
		return
	}
	o, err := h.svc.Update(r.Context(), id, version, p)
	writeVersioned(w, r, o, o.Version, err)
}

func (h orgHandlers) status(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Status org.Status `json:"status"`
	}
	id, version, err := DecodeUpdate(r, &body)
	if err != nil {
		Fail(w, r, err)
		return
	}
	o, err := h.svc.ChangeStatus(r.Context(), id, version, body.Status)
	writeVersioned(w, r, o, o.Version, err)
}

func positiveID(s string) bool {
	n, err := strconv.ParseInt(s, 10, 64)
	return err == nil && n > 0
}

// orgFilters is the allowlist of list filters and their value checks.
func orgFilters() map[string]func(string) bool {
	return map[string]func(string) bool{
		"kind":   func(s string) bool { return org.Kind(s).Valid() },
		"status": func(s string) bool { return org.Status(s).Valid() },
		"parent": positiveID,
		"within": positiveID,
		"q":      func(s string) bool { return len(s) > 0 && len(s) <= 200 },
	}
}

func (h orgHandlers) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, err := ParsePage(q)
	if err != nil {
		Fail(w, r, err)
		return
	}
	f, err := Filters(q, orgFilters())
	if err != nil {
		Fail(w, r, err)
		return
	}
	parent, _ := strconv.ParseInt(f["parent"], 10, 64)
	within, _ := strconv.ParseInt(f["within"], 10, 64)
	items, err := h.svc.List(r.Context(), org.Filter{Kind: org.Kind(f["kind"]), Status: org.Status(f["status"]),
		Parent: parent, Within: within, Q: f["q"], After: page.After, Limit: page.Limit})
	if err != nil {
		Fail(w, r, err)
		return
	}
	WritePage(w, r, items, page.Limit, func(v org.Organisation) int64 { return v.ID })
}

func (h orgHandlers) get(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	o, err := h.svc.Get(r.Context(), id)
	if err != nil {
		Fail(w, r, err)
		return
	}
	SetVersion(w, o.Version)
	Write(w, r, http.StatusOK, o)
}

func (h orgHandlers) history(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	items, err := h.svc.History(r.Context(), id)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, List[org.HistoryEntry]{Items: items})
}
