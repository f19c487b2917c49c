package api

import (
	"net/http"
	"time"

	"shkola/internal/contingent"
	"shkola/internal/errs"
)

// RegisterContingent serves pupils' movements, the transfers between
// organisations and the list of pupils whose whereabouts are unknown. The
// handlers hold only the Guard: every call passes the access policy and
// every movement is audited. Movements are append-only: there is no route
// that changes or deletes one.
func RegisterContingent(rt *Router, g *contingent.Guard) {
	h := contingentHandlers{g: g}
	rt.Handle("POST", "/persons/{id}/movements", h.record)
	rt.Handle("GET", "/persons/{id}/movements", h.trajectory)
	rt.Handle("GET", "/persons/{id}/enrolment", h.enrolment)
	rt.Handle("GET", "/organisations/{id}/transfers", h.transfers)
	rt.Handle("GET", "/organisations/{id}/movements", h.register)
	rt.Handle("GET", "/organisations/{id}/whereabouts-unknown", h.whereabouts)
	rt.Handle("POST", "/transfers/{id}/accept", h.accept)
	rt.Handle("POST", "/transfers/{id}/decline", h.decline)
}

type contingentHandlers struct{ g *contingent.Guard }

func isDate(s string) bool {
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

// pathAndPage reads the {id} of the path, the page and the allowed filters.
func pathAndPage(r *http.Request, allowed map[string]func(string) bool) (int64, Page, map[string]string, error) {
	id, err := PathID(r, "id")
	if err != nil {
		return 0, Page{}, nil, err
	}
	q := r.URL.Query()
	page, err := ParsePage(q)
	if err != nil {
		return 0, Page{}, nil, err
	}
	f, err := Filters(q, allowed)
	return id, page, f, err
}

func (h contingentHandlers) record(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var req contingent.Request
	if err := Decode(r, &req); err != nil {
		Fail(w, r, err)
		return
	}
	m, err := h.g.Record(r.Context(), id, req)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusCreated, m)
}

func (h contingentHandlers) trajectory(w http.ResponseWriter, r *http.Request) {
	id, page, _, err := pathAndPage(r, nil)
	if err != nil {
		Fail(w, r, err)
		return
	}
	items, err := h.g.Trajectory(r.Context(), id, page.After, page.Limit)
	writeMovements(w, r, items, page, err)
}

func writeMovements(w http.ResponseWriter, r *http.Request, items []contingent.Movement, page Page, err error) {
	if err != nil {
		Fail(w, r, err)
		return
	}
	WritePage(w, r, items, page.Limit, func(v contingent.Movement) int64 { return v.ID })
}

func (h contingentHandlers) enrolment(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	e, ok, err := h.g.Enrolment(r.Context(), id)
	switch {
	case err != nil:
		Fail(w, r, err)
	case !ok:
		Fail(w, r, errs.E(errs.NotFound, "the pupil has no current enrolment"))
	default:
		Write(w, r, http.StatusOK, e)
	}
}

func (h contingentHandlers) register(w http.ResponseWriter, r *http.Request) {
	id, page, f, err := pathAndPage(r, map[string]func(string) bool{
		"from": isDate, "to": isDate,
		"kind": func(s string) bool { return contingent.Kind(s).Valid() },
	})
	if err != nil {
		Fail(w, r, err)
		return
	}
	items, err := h.g.Register(r.Context(), id, contingent.RegisterFilter{From: f["from"], To: f["to"], Kind: contingent.Kind(f["kind"]),
		After: page.After, Limit: page.Limit})
	writeMovements(w, r, items, page, err)
}

func writeTransfers(w http.ResponseWriter, r *http.Request, items []contingent.Transfer, page Page, err error) {
	if err != nil {
		Fail(w, r, err)
		return
	}
	WritePage(w, r, items, page.Limit, func(v contingent.Transfer) int64 { return v.ID })
}

func (h contingentHandlers) transfers(w http.ResponseWriter, r *http.Request) {
	id, page, f, err := pathAndPage(r, map[string]func(string) bool{
		"direction": func(s string) bool { return s == "in" || s == "out" },
		"status": func(s string) bool {
			return s == contingent.Pending || s == contingent.Arrived || s == contingent.Declined
		},
	})
	if err != nil {
		Fail(w, r, err)
		return
	}
	items, err := h.g.Transfers(r.Context(), id, contingent.TransferFilter{Direction: f["direction"], Status: f["status"],
		After: page.After, Limit: page.Limit})
	writeTransfers(w, r, items, page, err)
}

func (h contingentHandlers) whereabouts(w http.ResponseWriter, r *http.Request) {
	id, page, _, err := pathAndPage(r, nil)
	if err != nil {
		Fail(w, r, err)
		return
	}
	items, err := h.g.Whereabouts(r.Context(), id, page.After, page.Limit)
	writeTransfers(w, r, items, page, err)
}

func (h contingentHandlers) accept(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var in contingent.Accept
	if err := Decode(r, &in); err != nil {
		Fail(w, r, err)
		return
	}
	t, err := h.g.Accept(r.Context(), id, in)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, t)
}

func (h contingentHandlers) decline(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var in contingent.Decline
	if err := Decode(r, &in); err != nil {
		Fail(w, r, err)
		return
	}
	t, err := h.g.DeclineTransfer(r.Context(), id, in)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, t)
}
