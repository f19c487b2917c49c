package web

import (
	"net/http"

	"shkola/internal/directory"
	"shkola/internal/journal"
)

// scaleData is the mark scale page of an organisation: the scale in use,
// where it comes from, and the scales that may be chosen.
type scaleData struct {
	Cur     journal.OrgScale
	Choices []codeName
	CanSet  bool
	Form    *formState
}

// markScale shows the scale an organisation's journal uses.
func (h journalPages) markScale(w http.ResponseWriter, r *http.Request) {
	h.scalePage(w, r, newForm(), http.StatusOK)
}

func (h journalPages) scalePage(w http.ResponseWriter, r *http.Request, f *formState, status int) {
	id, err := pathInt(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	cur, err := h.g.Scale(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := scaleData{Cur: cur, Form: f, CanSet: h.g.CanSetScale(r.Context(), id)}
	if d.CanSet && h.dirs != nil {
		es, err := h.dirs.List(r.Context(), directory.MarkScale, false)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		lang, _ := h.site.Prefs(r)
		for _, e := range es {
			d.Choices = append(d.Choices, codeName{Code: e.Code, Name: directory.Name(e, lang)})
		}
	}
	if f.Values["scale"] == "" {
		f.Values["scale"] = cur.Scale.Code
	}
	h.site.Render(w, r, status, "mark_scale", h.site.NewPage(r, "journal.scale.title", d))
}

// setMarkScale chooses the scale of an organisation and its subtree.
func (h journalPages) setMarkScale(w http.ResponseWriter, r *http.Request) {
	id, err := pathInt(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm()
	f.Values["scale"] = r.PostFormValue("scale")
	if _, err := h.g.SetScale(r.Context(), id, f.Values["scale"]); err != nil {
		if status := httpStatus(err); status == http.StatusUnprocessableEntity {
			f.Errors["scale"] = "journal.scale.unknown"
			h.scalePage(w, r, f, status)
			return
		}
		h.fail(w, r, err)
		return
	}
	f.Done = "journal.scale.saved"
	h.scalePage(w, r, f, http.StatusOK)
}
