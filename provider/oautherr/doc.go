// Package oautherr holds the OAuth 2.0 and OpenID Connect error values of the
// core (RFC 6749 §4.1.2.1 and §5.2, RFC 6750 §3.1, RFC 7009 §2.2.1, OIDC Core
// §3.1.2.6) and the one writer that renders them as JSON.
//
// Each sentinel carries its HTTP status. Handlers return errors; the writer
// maps anything that is not an *Error to server_error and logs the cause, so
// internal detail never reaches a client.
package oautherr
