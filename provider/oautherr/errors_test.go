package oautherr

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

func TestStatuses(t *testing.T) {
	// RFC 6749 §5.2: 400 for every token endpoint error but invalid_client.
	tests := []struct {
		err    *Error
		status int
	}{
		{ErrInvalidRequest, 400}, {ErrInvalidClient, 401}, {ErrInvalidGrant, 400},
		{ErrUnauthorizedClient, 400}, {ErrUnsupportedGrantType, 400}, {ErrInvalidScope, 400},
		{ErrInvalidToken, 401}, {ErrInsufficientScope, 403}, {ErrServerError, 500},
	}
	for _, tt := range tests {
		if tt.err.Status != tt.status {
			t.Errorf("%s: %d, want %d", tt.err.Code, tt.err.Status, tt.status)
		}
	}
}

func TestIsAndFrom(t *testing.T) {
	cause := errors.New("db down")
	e := ErrInvalidGrant.WithDescription("x").WithCause(cause)
	wrapped := fmt.Errorf("grant: %w", e)
	if !errors.Is(wrapped, ErrInvalidGrant) || errors.Is(wrapped, ErrInvalidRequest) || !errors.Is(wrapped, cause) {
		t.Fatal("errors.Is does not see through")
	}
	if got := From(wrapped); got.Code != "invalid_grant" || got.Description != "x" {
		t.Fatalf("From = %+v", got)
	}
	if got := From(cause); got.Code != "server_error" || !errors.Is(got, cause) {
		t.Fatalf("From(unknown) = %+v", got)
	}
	if ErrInvalidGrant.Description != "" {
		t.Fatal("WithDescription changed the sentinel")
	}
}

func TestWriteJSON(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		status    int
		body      string
		challenge string
	}{
		{"described", ErrInvalidScope.WithDescription("scope x"), 400, `{"error":"invalid_scope","error_description":"scope x"}`, ""},
		{"client", ErrInvalidClient, 401, `{"error":"invalid_client"}`, `Basic realm="tongxing"`},
		{"internal detail hidden", errors.New("dial tcp 10.0.0.1: refused"), 500, `{"error":"server_error"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			WriteJSON(w, nil, tt.err)
			var got, want any
			_ = json.Unmarshal(w.Body.Bytes(), &got)
			_ = json.Unmarshal([]byte(tt.body), &want)
			if w.Code != tt.status || fmt.Sprint(got) != fmt.Sprint(want) || w.Header().Get("WWW-Authenticate") != tt.challenge ||
				w.Header().Get("Cache-Control") != "no-store" {
				t.Fatalf("%d %s %v", w.Code, w.Body, w.Header())
			}
		})
	}
}

func TestWriteBearer(t *testing.T) {
	w := httptest.NewRecorder()
	WriteBearer(w, nil, ErrInvalidToken.WithDescription(`bad "token"`))
	if w.Code != http.StatusUnauthorized || w.Header().Get("WWW-Authenticate") != `Bearer realm="tongxing", error="invalid_token", error_description="bad 'token'"` {
		t.Fatalf("%d %q", w.Code, w.Header().Get("WWW-Authenticate"))
	}
	w = httptest.NewRecorder()
	WriteBearerMissing(w)
	if w.Code != 401 || w.Header().Get("WWW-Authenticate") != `Bearer realm="tongxing"` {
		t.Fatalf("%d %q", w.Code, w.Header().Get("WWW-Authenticate"))
	}
}

func TestRedirectQuery(t *testing.T) {
	got := RedirectQuery("https://rp.example/cb?keep=1", ErrAccessDenied.WithDescription("no"), "s&1", "https://idp.example")
	u, _ := url.Parse(got)
	q := u.Query()
	if q.Get("keep") != "1" || q.Get("error") != "access_denied" || q.Get("error_description") != "no" || q.Get("state") != "s&1" || q.Get("iss") != "https://idp.example" {
		t.Fatal(got)
	}
}
