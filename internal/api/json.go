package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"shkola/internal/errs"
	"shkola/internal/httpx"
)

// Decode reads one JSON object into dst, rejecting unknown fields (update
// types list exactly what may change: no mass assignment), trailing data and
// bodies over the server's limit. Errors name the field.
func Decode(r *http.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") && !strings.HasPrefix(ct, "application/merge-patch+json") {
		return errs.E(errs.Invalid, "Content-Type must be application/json")
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errs.E(errs.Invalid, "request body must hold exactly one JSON object")
	}
	return nil
}

func decodeError(err error) error {
	var v errs.Validation
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return errs.E(errs.Invalid, "request body is larger than %d bytes", tooBig.Limit)
	case errors.As(err, &syn):
		return errs.E(errs.Invalid, "malformed JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		v.Add(typ.Field, "type", fmt.Sprintf("must be %s", typ.Type.String()))
		return v.Err()
	case errors.Is(err, io.EOF):
		return errs.E(errs.Invalid, "request body is empty")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		v.Add(name, "unknown", "this field does not exist or may not be changed")
		return v.Err()
	}
	return errs.E(errs.Invalid, "request body is not valid JSON")
}

// Write answers status with v as JSON.
func Write(w http.ResponseWriter, r *http.Request, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		httpx.Logger(r.Context()).Debug("write json", "err", err)
	}
}

// Fail answers err as problem+json.
func Fail(w http.ResponseWriter, r *http.Request, err error) { httpx.WriteProblem(w, r, err) }

// PathID parses the {name} path value as a positive integer id. A malformed
// id is "not found", like an id that does not exist.
func PathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.E(errs.NotFound, "not found")
	}
	return id, nil
}

// ByID serves a route about one object: the {id} of the path, one call,
// its result with status (or the error as a problem).
func ByID[T any](status int, f func(r *http.Request, id int64) (T, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := PathID(r, "id")
		if err != nil {
			Fail(w, r, err)
			return
		}
		out, err := f(r, id)
		if err != nil {
			Fail(w, r, err)
			return
		}
		Write(w, r, status, out)
	}
}
