// Package errs holds the domain error codes that every layer speaks; the
// HTTP edge maps them to statuses in one place (httpx.Status).
package errs

import (
	"errors"
	"fmt"
)

// Code classifies an error for the edge. Internal details never travel in it.
type Code string

const (
	NotFound     Code = "not_found"
	Invalid      Code = "invalid"
	Conflict     Code = "conflict"
	Forbidden    Code = "forbidden"
	Unauthorized Code = "unauthorized"
	Precondition Code = "precondition_failed"
	TooMany      Code = "too_many_requests"
	Unavailable  Code = "unavailable"
	Internal     Code = "internal"
)

// FieldError names the field and the rule it broke, so a form or an API
// client can show the message beside the field.
type FieldError struct {
	Field   string `json:"field"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// Error is a domain error with a code, a message safe to show, and field
// details for validation failures.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
	Err     error // wrapped cause, logged but never shown
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// E builds an error with a code and a safe message.
func E(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap keeps cause for the logs while showing only msg.
func Wrap(code Code, err error, msg string) *Error {
	return &Error{Code: code, Message: msg, Err: err}
}

// CodeOf returns the code of err, Internal for anything unclassified.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Validation collects field errors; Err returns nil when there are none.
type Validation struct{ Fields []FieldError }

// Add records that field broke rule.
func (v *Validation) Add(field, rule, message string) {
	v.Fields = append(v.Fields, FieldError{Field: field, Rule: rule, Message: message})
}

// Has reports whether field already has an error, so checks do not pile up.
func (v *Validation) Has(field string) bool {
	for _, f := range v.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// Err is nil when nothing was added.
func (v *Validation) Err() error {
	if len(v.Fields) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: "validation failed", Fields: v.Fields}
}

// Field builds an error about one field: a rule broken by a value that is
// well-formed on its own (a duplicate, a movement against the rules).
func Field(code Code, field, rule, message string) *Error {
	return &Error{Code: code, Message: message, Fields: []FieldError{{Field: field, Rule: rule, Message: message}}}
}
