package api

import (
	"net/http"
	"strconv"
	"strings"

	"shkola/internal/errs"
)

// Records that can be updated carry a version number that goes up with every
// change; it is sent as a weak ETag, and updates must send it back in
// If-Match so that two people editing the same record cannot overwrite each
// other unnoticed.

// SetVersion sets the ETag header for version v.
func SetVersion(w http.ResponseWriter, v int64) {
	w.Header().Set("ETag", `W/"`+strconv.FormatInt(v, 10)+`"`)
}

// IfMatch reads the version an update is based on. It is required: an update
// without it is refused with 428 semantics expressed as a precondition error.
func IfMatch(r *http.Request) (int64, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" {
		return 0, &errs.Error{Code: errs.Precondition, Message: "If-Match header with the record's ETag is required",
			Fields: []errs.FieldError{{Field: "If-Match", Rule: "required", Message: "send the ETag you read"}}}
	}
	h = strings.TrimPrefix(h, "W/")
	v, err := strconv.ParseInt(strings.Trim(h, `"`), 10, 64)
	if err != nil || v < 1 {
		return 0, &errs.Error{Code: errs.Precondition, Message: "If-Match is not an ETag this server issued",
			Fields: []errs.FieldError{{Field: "If-Match", Rule: "format", Message: "send the ETag you read"}}}
	}
	return v, nil
}

// Stale is the error for an update based on an old version.
func Stale() error {
	return errs.E(errs.Precondition, "the record was changed by someone else; read it again and reapply your change")
}

// DecodeUpdate reads what every update needs: the {id} of the path, the
// body into dst and the If-Match version it is based on.
func DecodeUpdate(r *http.Request, dst any) (id, version int64, err error) {
	if id, err = PathID(r, "id"); err != nil {
		return 0, 0, err
	}
	if err = Decode(r, dst); err != nil {
		return 0, 0, err
	}
	version, err = IfMatch(r)
	return id, version, err
}

// writeVersioned answers a read or an update: the record with its ETag, or
// the error.
func writeVersioned(w http.ResponseWriter, r *http.Request, v any, version int64, err error) {
	if err != nil {
		Fail(w, r, err)
		return
	}
	SetVersion(w, version)
	Write(w, r, http.StatusOK, v)
}
