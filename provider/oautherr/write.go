package oautherr

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
)

// body is the RFC 6749 §5.1/§5.2 error document.
type body struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// NoStore sets the headers RFC 6749 §5.1 requires on any response that
// carries tokens or credentials.
func NoStore(h http.Header) {
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
}

// WriteJSON renders err as an RFC 6749 §5.2 JSON error. A 401 carries the
// WWW-Authenticate challenge of the scheme the client tried (RFC 6749 §5.2
// requires it when the client used the Authorization header), Basic by
// default. Errors that are not *Error are logged and answered server_error.
func WriteJSON(w http.ResponseWriter, log *slog.Logger, err error) {
	e := From(err)
	if e.Status >= 500 && log != nil {
		log.Error("request failed", "error", err)
	}
	h := w.Header()
	NoStore(h)
	if e.Status == http.StatusUnauthorized && h.Get("WWW-Authenticate") == "" {
		h.Set("WWW-Authenticate", `Basic realm="tongxing"`)
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(body{Error: e.Code, Description: e.Description})
}

// WriteBearer renders err for a protected resource (RFC 6750 §3): the
// status and a Bearer challenge naming the error, and the JSON body.
func WriteBearer(w http.ResponseWriter, log *slog.Logger, err error) {
	e := From(err)
	challenge := `Bearer realm="tongxing"`
	if e.Status < 500 {
		challenge += `, error="` + e.Code + `"`
		if e.Description != "" {
			challenge += `, error_description="` + strings.ReplaceAll(e.Description, `"`, `'`) + `"`
		}
	}
	w.Header().Set("WWW-Authenticate", challenge)
	WriteJSON(w, log, e)
}

// WriteBearerMissing answers a request that carried no token at all: RFC
// 6750 §3.1 says the challenge then names no error code.
func WriteBearerMissing(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="tongxing"`)
	NoStore(w.Header())
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusUnauthorized)
	_ = json.NewEncoder(w).Encode(body{Error: ErrInvalidToken.Code, Description: "no access token in the request"})
}

// RedirectQuery adds the error to a redirect URI's query as RFC 6749
// §4.1.2.1 says, with state and the issuer (RFC 9207) when given.
func RedirectQuery(redirectURI string, err error, state, issuer string) string {
	e := From(err)
	u, perr := url.Parse(redirectURI)
	if perr != nil {
		return redirectURI
	}
	q := u.Query()
	q.Set("error", e.Code)
	if e.Description != "" {
		q.Set("error_description", e.Description)
	}
	if state != "" {
		q.Set("state", state)
	}
	if issuer != "" {
		q.Set("iss", issuer)
	}
	u.RawQuery = q.Encode()
	return u.String()
}
