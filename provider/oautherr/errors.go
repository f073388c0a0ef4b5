package oautherr

import (
	"errors"
	"net/http"
)

// Error is one protocol error: the RFC code, a human description, the
// status it is answered with, and an optional cause kept for the log.
type Error struct {
	Code        string
	Description string
	Status      int
	cause       error
}

// Protocol errors, each with the status its RFC assigns.
var (
	// RFC 6749 §5.2: every token endpoint error is 400 except invalid_client.
	ErrInvalidRequest       = &Error{Code: "invalid_request", Status: http.StatusBadRequest}
	ErrInvalidClient        = &Error{Code: "invalid_client", Status: http.StatusUnauthorized}
	ErrInvalidGrant         = &Error{Code: "invalid_grant", Status: http.StatusBadRequest}
	ErrUnauthorizedClient   = &Error{Code: "unauthorized_client", Status: http.StatusBadRequest}
	ErrUnsupportedGrantType = &Error{Code: "unsupported_grant_type", Status: http.StatusBadRequest}
	ErrInvalidScope         = &Error{Code: "invalid_scope", Status: http.StatusBadRequest}

	// RFC 6749 §4.1.2.1: authorization endpoint errors, sent by redirect.
	ErrAccessDenied            = &Error{Code: "access_denied", Status: http.StatusForbidden}
	ErrUnsupportedResponseType = &Error{Code: "unsupported_response_type", Status: http.StatusBadRequest}
	ErrServerError             = &Error{Code: "server_error", Status: http.StatusInternalServerError}
	ErrTemporarilyUnavailable  = &Error{Code: "temporarily_unavailable", Status: http.StatusServiceUnavailable}

	// OIDC Core §3.1.2.6.
	ErrLoginRequired       = &Error{Code: "login_required", Status: http.StatusBadRequest}
	ErrConsentRequired     = &Error{Code: "consent_required", Status: http.StatusBadRequest}
	ErrInteractionRequired = &Error{Code: "interaction_required", Status: http.StatusBadRequest}

	// RFC 6750 §3.1: protected resource errors.
	ErrInvalidToken      = &Error{Code: "invalid_token", Status: http.StatusUnauthorized}
	ErrInsufficientScope = &Error{Code: "insufficient_scope", Status: http.StatusForbidden}

	// RFC 7009 §2.2.1.
	ErrUnsupportedTokenType = &Error{Code: "unsupported_token_type", Status: http.StatusBadRequest}
)

func (e *Error) Error() string {
	if e.Description == "" {
		return e.Code
	}
	return e.Code + ": " + e.Description
}

// Unwrap returns the cause, so errors.Is sees through to it.
func (e *Error) Unwrap() error { return e.cause }

// Is matches any *Error with the same code, so errors.Is(err,
// ErrInvalidGrant) holds for every described copy of it.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// WithDescription returns a copy of e with a description for the client.
func (e *Error) WithDescription(desc string) *Error {
	c := *e
	c.Description = desc
	return &c
}

// WithCause returns a copy of e remembering cause for the log; the cause is
// never shown to the client.
func (e *Error) WithCause(cause error) *Error {
	c := *e
	c.cause = cause
	return &c
}

// From returns err as an *Error: itself if it is one (or wraps one),
// otherwise server_error with err as its cause.
func From(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return ErrServerError.WithCause(err)
}
