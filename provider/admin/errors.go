package admin

import (
	"errors"
	"net/http"
	"strings"

	"github.com/tongxing/tongxing/models"
)

// FieldError names a field of a request that is wrong and why.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Error is an error of the admin API: a code, its HTTP status, a
// description for people, and the fields at fault. The cause is kept for
// errors.Is and the log, never shown.
type Error struct {
	Status      int
	Code        string
	Description string
	Fields      []FieldError
	// challenge is the WWW-Authenticate value of a 401 or 403.
	challenge string
	cause     error
}

// Errors of the API, each with its status.
var (
	ErrInvalidRequest       = &Error{Status: http.StatusBadRequest, Code: "invalid_request"}
	ErrUnauthorized         = &Error{Status: http.StatusUnauthorized, Code: "invalid_token", challenge: `Bearer realm="tongxing", error="invalid_token"`}
	ErrForbidden            = &Error{Status: http.StatusForbidden, Code: "insufficient_scope", challenge: `Bearer realm="tongxing", error="insufficient_scope", scope="admin"`}
	ErrNotFound             = &Error{Status: http.StatusNotFound, Code: "not_found"}
	ErrMethodNotAllowed     = &Error{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed"}
	ErrConflict             = &Error{Status: http.StatusConflict, Code: "conflict"}
	ErrAlreadyExists        = &Error{Status: http.StatusConflict, Code: "already_exists"}
	ErrUnsupportedMediaType = &Error{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type"}
	ErrPreconditionRequired = &Error{Status: http.StatusPreconditionRequired, Code: "precondition_required"}
	ErrServerError          = &Error{Status: http.StatusInternalServerError, Code: "server_error"}
)

// errNoToken answers a request without credentials: RFC 6750 §3.1 says
// its challenge names no error.
var errNoToken = &Error{Status: http.StatusUnauthorized, Code: "invalid_token",
	Description: "the admin API needs a Bearer access token", challenge: `Bearer realm="tongxing"`}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Code)
	if e.Description != "" {
		b.WriteString(": " + e.Description)
	}
	for _, f := range e.Fields {
		b.WriteString("; " + f.Field + ": " + f.Reason)
	}
	return b.String()
}

// Unwrap returns the cause, so errors.Is(err, models.ErrNotFound) holds
// for a not_found built from one.
func (e *Error) Unwrap() error { return e.cause }

// Is matches any *Error with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// WithDescription returns a copy of e with a description.
func (e *Error) WithDescription(desc string) *Error {
	c := *e
	c.Description = desc
	return &c
}

// WithCause returns a copy of e that remembers cause.
func (e *Error) WithCause(cause error) *Error {
	c := *e
	c.cause = cause
	return &c
}

// invalid is ErrInvalidRequest naming the fields at fault.
func invalid(fields ...FieldError) *Error {
	e := ErrInvalidRequest.WithDescription("the request has invalid fields")
	e.Fields = fields
	return e
}

// invalidField is invalid for one field.
func invalidField(field, reason string) *Error {
	return invalid(FieldError{Field: field, Reason: reason})
}

// fieldErrors collects the problems of a request.
type fieldErrors []FieldError

func (fe *fieldErrors) add(field, reason string) {
	*fe = append(*fe, FieldError{Field: field, Reason: reason})
}

// err returns the problems as one error, nil when there are none.
func (fe fieldErrors) err() error {
	if len(fe) == 0 {
		return nil
	}
	return invalid(fe...)
}

// storeError turns a repository sentinel into the API's error about the
// record named what (e.g. `client "c1"`); other errors pass unchanged.
func storeError(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, models.ErrNotFound):
		return ErrNotFound.WithDescription("no " + what).WithCause(err)
	case errors.Is(err, models.ErrConflict):
		return ErrConflict.WithDescription(what + " has changed since that version: read it again").WithCause(err)
	case errors.Is(err, models.ErrAlreadyExists):
		return ErrAlreadyExists.WithDescription(what + " already exists").WithCause(err)
	}
	return err
}

// From returns err as an *Error: itself if it is one (or wraps one), the
// matching error for a repository sentinel, otherwise server_error with err
// as its cause.
func From(err error) *Error {
	var e *Error
	switch {
	case errors.As(err, &e):
		return e
	case errors.Is(err, models.ErrNotFound), errors.Is(err, models.ErrConflict), errors.Is(err, models.ErrAlreadyExists):
		errors.As(storeError(err, "the record"), &e)
		return e
	}
	return ErrServerError.WithCause(err)
}
