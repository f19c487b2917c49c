// Package httpx is the HTTP edge shared by the API and the UI: the server
// with its timeouts and graceful shutdown, the middleware chain, and the one
// function that maps domain errors to statuses.
package httpx

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"shkola/internal/errs"
)

// Problem is an RFC 9457 problem document with field-level details.
type Problem struct {
	Type      string            `json:"type"`
	Title     string            `json:"title"`
	Status    int               `json:"status"`
	Detail    string            `json:"detail,omitempty"`
	Instance  string            `json:"instance,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
	Errors    []errs.FieldError `json:"errors,omitempty"`
}

// Status maps a domain error code to an HTTP status. This is the only place
// that does so.
func Status(code errs.Code) int {
	switch code {
	case errs.NotFound:
		return http.StatusNotFound
	case errs.Invalid:
		return http.StatusUnprocessableEntity
	case errs.Conflict:
		return http.StatusConflict
	case errs.Forbidden:
		return http.StatusForbidden
	case errs.Unauthorized:
		return http.StatusUnauthorized
	case errs.Precondition:
		return http.StatusPreconditionFailed
	case errs.TooMany:
		return http.StatusTooManyRequests
	case errs.Unavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// ProblemOf turns err into a problem document. Internal errors are logged
// with the request id and answered with a generic message only.
func ProblemOf(r *http.Request, err error) Problem {
	code := errs.CodeOf(err)
	status := Status(code)
	p := Problem{
		Type:      "https://shkola.example/problems/" + string(code),
		Title:     http.StatusText(status),
		Status:    status,
		Instance:  r.URL.Path,
		RequestID: RequestID(r.Context()),
	}
	var e *errs.Error
	if code != errs.Internal && errors.As(err, &e) {
		p.Detail = e.Message
		p.Errors = e.Fields
	}
	if status >= 500 {
		Logger(r.Context()).Error("request failed", "err", err)
	}
	return p
}

// WriteProblem answers with application/problem+json.
func WriteProblem(w http.ResponseWriter, r *http.Request, err error) {
	p := ProblemOf(r, err)
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	if encErr := json.NewEncoder(w).Encode(p); encErr != nil {
		Logger(r.Context()).Debug("write problem", "err", encErr)
	}
}

// Logger is the request's logger (with its request id), or the default one.
func Logger(ctx interface{ Value(any) any }) *slog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}
