package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"shkola/internal/errs"
	"shkola/internal/filestore"
	"shkola/internal/httpx"
	"shkola/internal/portfolio"
)

// RegisterPortfolio serves the pupil's portfolio in the shape a mobile app
// uses: one request for everything of one pupil, the caller's own and
// children's portfolios, achievements entered by staff or proposed with a
// document and reviewed, exam results, certificates, and the documents.
func RegisterPortfolio(rt *Router, g *portfolio.Guard) {
	h := portfolioHandlers{g: g}
	rt.Handle("GET", "/me/portfolios", h.mine)
	rt.Handle("GET", "/persons/{id}/portfolio", ByID(http.StatusOK, func(r *http.Request, id int64) (portfolio.Portfolio, error) {
		return g.Get(r.Context(), id)
	}))
	rt.Handle("POST", "/persons/{id}/achievements", h.add)
	rt.Handle("POST", "/persons/{id}/proposals", h.propose)
	rt.Handle("GET", "/proposals", h.proposals)
	rt.Handle("POST", "/achievements/{id}/review", h.review)
	rt.Handle("DELETE", "/achievements/{id}", h.delete)
	rt.Handle("GET", "/achievements/{id}/document", h.document)
	rt.Handle("POST", "/persons/{id}/exams", ByID(http.StatusCreated, func(r *http.Request, id int64) (portfolio.ExamResult, error) {
		var n portfolio.NewExam
		if err := Decode(r, &n); err != nil {
			return portfolio.ExamResult{}, err
		}
		return g.AddExam(r.Context(), id, n)
	}))
	rt.Handle("DELETE", "/exams/{id}", h.deleteExam)
	rt.Handle("PUT", "/persons/{id}/certificates/{kind}", ByID(http.StatusOK, func(r *http.Request, id int64) (portfolio.Certificate, error) {
		var n portfolio.NewCertificate
		if err := Decode(r, &n); err != nil {
			return portfolio.Certificate{}, err
		}
		return g.SetCertificate(r.Context(), id, r.PathValue("kind"), n)
	}))
}

type portfolioHandlers struct{ g *portfolio.Guard }

func (h portfolioHandlers) mine(w http.ResponseWriter, r *http.Request) {
	if _, err := Filters(r.URL.Query(), nil); err != nil {
		Fail(w, r, err)
		return
	}
	items, err := h.g.Mine(r.Context())
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, List[portfolio.Summary]{Items: items})
}

// decodeAchievement reads an achievement either as a JSON body (no
// document) or as multipart/form-data with the JSON in the part
// "achievement" and the file in the part "document". The JSON is decoded
// strictly in both cases. The caller closes the returned file.
func decodeAchievement(w http.ResponseWriter, r *http.Request) (portfolio.NewAchievement, *portfolio.Upload, io.Closer, error) {
	var n portfolio.NewAchievement
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return n, nil, nil, Decode(r, &n)
	}
	// LimitBody already caps every body; the cap is repeated here so that
	// this parse is bounded where it happens: one document and its fields.
	r.Body = http.MaxBytesReader(w, r.Body, httpx.UploadLimit)
	if err := r.ParseMultipartForm(1 << 20); err != nil { // #nosec G120 -- r.Body is capped by http.MaxBytesReader just above (and by httpx.LimitBody)
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return n, nil, nil, errs.Field(errs.Invalid, portfolio.DocumentField, "size", "the upload is larger than the limit")
		}
		return n, nil, nil, errs.E(errs.Invalid, "malformed multipart body")
	}
	part := r.MultipartForm.Value["achievement"]
	if len(part) != 1 {
		return n, nil, nil, errs.Field(errs.Invalid, "achievement", "required", "send the achievement as JSON in the part \"achievement\"")
	}
	dec := json.NewDecoder(strings.NewReader(part[0]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&n); err != nil {
		return n, nil, nil, decodeError(err)
	}
	for name := range r.MultipartForm.Value {
		if name != "achievement" && name != "csrf" {
			return n, nil, nil, errs.Field(errs.Invalid, name, "unknown", "this part is not accepted")
		}
	}
	for name := range r.MultipartForm.File {
		if name != portfolio.DocumentField {
			return n, nil, nil, errs.Field(errs.Invalid, name, "unknown", "this part is not accepted")
		}
	}
	files := r.MultipartForm.File[portfolio.DocumentField]
	if len(files) == 0 {
		return n, nil, nil, nil
	}
	if len(files) > 1 {
		return n, nil, nil, errs.Field(errs.Invalid, portfolio.DocumentField, "count", "one document per entry")
	}
	f, err := files[0].Open()
	if err != nil {
		return n, nil, nil, errs.Wrap(errs.Invalid, err, "the document could not be read")
	}
	return n, &portfolio.Upload{Name: files[0].Filename, R: f}, f, nil
}

func (h portfolioHandlers) write(w http.ResponseWriter, r *http.Request,
	f func(id int64, n portfolio.NewAchievement, doc *portfolio.Upload) (portfolio.Achievement, error)) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	n, doc, closer, err := decodeAchievement(w, r)
	if closer != nil {
		defer closer.Close()
	}
	if err != nil {
		Fail(w, r, err)
		return
	}
	a, err := f(id, n, doc)
	if err != nil {
		Fail(w, r, err)
		return
	}
	SetVersion(w, a.Version)
	Write(w, r, http.StatusCreated, a)
}

func (h portfolioHandlers) add(w http.ResponseWriter, r *http.Request) {
	h.write(w, r, func(id int64, n portfolio.NewAchievement, doc *portfolio.Upload) (portfolio.Achievement, error) {
		return h.g.Add(r.Context(), id, n, doc)
	})
}

func (h portfolioHandlers) propose(w http.ResponseWriter, r *http.Request) {
	h.write(w, r, func(id int64, n portfolio.NewAchievement, doc *portfolio.Upload) (portfolio.Achievement, error) {
		return h.g.Propose(r.Context(), id, n, doc)
	})
}

func (h portfolioHandlers) proposals(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, err := ParsePage(q)
	if err != nil {
		Fail(w, r, err)
		return
	}
	if _, err := Filters(q, nil); err != nil {
		Fail(w, r, err)
		return
	}
	limit := min(page.Limit, portfolio.MaxProposals)
	items, err := h.g.Proposals(r.Context(), page.After, limit)
	if err != nil {
		Fail(w, r, err)
		return
	}
	WritePage(w, r, items, limit, func(p portfolio.Proposal) int64 { return p.ID })
}

// review takes If-Match when the client has it; without it the decision
// applies to whatever proposal is waiting (only a waiting one can change).
func (h portfolioHandlers) review(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var rv portfolio.Review
	if err := Decode(r, &rv); err != nil {
		Fail(w, r, err)
		return
	}
	var version int64
	if r.Header.Get("If-Match") != "" {
		if version, err = IfMatch(r); err != nil {
			Fail(w, r, err)
			return
		}
	}
	a, err := h.g.Review(r.Context(), id, version, rv)
	writeVersioned(w, r, a, a.Version, err)
}

func (h portfolioHandlers) delete(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	if err := h.g.Delete(r.Context(), id); err != nil {
		Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h portfolioHandlers) deleteExam(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	if err := h.g.DeleteExam(r.Context(), id); err != nil {
		Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h portfolioHandlers) document(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	f, rc, err := h.g.Document(r.Context(), id)
	if err != nil {
		Fail(w, r, err)
		return
	}
	if err := filestore.Serve(w, f, rc); err != nil {
		httpx.Logger(r.Context()).Debug("serve document", "err", err, "achievement", strconv.FormatInt(id, 10))
	}
}
