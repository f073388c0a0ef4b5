package admin

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
)

// errorBody is the document of every error of the API.
type errorBody struct {
	Error       string       `json:"error"`
	Description string       `json:"error_description,omitempty"`
	Fields      []FieldError `json:"fields,omitempty"`
}

// writeError renders err: its status, a Bearer challenge for 401 and 403,
// and the error document. Errors that are not *Error are logged and
// answered server_error without detail.
func writeError(w http.ResponseWriter, log *slog.Logger, err error) {
	e := From(err)
	if e.Status >= 500 {
		log.Error("admin API request failed", "error", err)
		e = ErrServerError
	}
	if e.challenge != "" {
		w.Header().Set("WWW-Authenticate", e.challenge)
	}
	writeJSON(w, e.Status, errorBody{Error: e.Code, Description: e.Description, Fields: e.Fields})
}

// writeJSON renders a document; nothing of the API may be cached.
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// etag is the entity tag of a record version: the version quoted.
func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }
