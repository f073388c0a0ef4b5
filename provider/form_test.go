package provider

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tongxing/tongxing/provider/oautherr"
)

// failingBody is a request body whose read fails midway.
type failingBody struct{ read bool }

func (b *failingBody) Read(p []byte) (int, error) {
	if !b.read {
		b.read = true
		return copy(p, "grant_type="), nil
	}
	return 0, errors.New("connection reset")
}

func (b *failingBody) Close() error { return nil }

func TestPostForm(t *testing.T) {
	tests := []struct {
		name        string
		method      string
		contentType string
		body        io.Reader
		want        map[string]string // the form, or nil for an error
		wantDesc    string
	}{
		{name: "form", contentType: formType, body: strings.NewReader("grant_type=client_credentials&scope=a+b"),
			want: map[string]string{"grant_type": "client_credentials", "scope": "a b"}},
		{name: "charset parameter", contentType: formType + "; charset=UTF-8", body: strings.NewReader("a=1"),
			want: map[string]string{"a": "1"}},
		{name: "media type in capitals", contentType: "Application/X-WWW-Form-URLEncoded", body: strings.NewReader("a=1"),
			want: map[string]string{"a": "1"}},
		{name: "empty body", contentType: formType, body: strings.NewReader(""), want: map[string]string{}},
		{name: "body at the limit", contentType: formType, body: strings.NewReader("a=" + strings.Repeat("x", maxFormBytes-2)),
			want: map[string]string{"a": strings.Repeat("x", maxFormBytes-2)}},
		{name: "GET", method: http.MethodGet, contentType: formType, body: strings.NewReader("a=1"),
			wantDesc: "the request must be a POST"},
		{name: "JSON", contentType: "application/json", body: strings.NewReader(`{"a":1}`),
			wantDesc: "the body must be " + formType},
		{name: "no content type", body: strings.NewReader("a=1"), wantDesc: "the body must be " + formType},
		{name: "malformed parameter", contentType: formType + "; charset", body: strings.NewReader("a=1"),
			wantDesc: "the body must be " + formType},
		{name: "form type as a prefix", contentType: formType + "x", body: strings.NewReader("a=1"),
			wantDesc: "the body must be " + formType},
		{name: "body over the limit", contentType: formType, body: strings.NewReader("a=" + strings.Repeat("x", maxFormBytes-1)),
			wantDesc: "the form body is larger than 64 KiB"},
		{name: "read fails", contentType: formType, body: &failingBody{}, wantDesc: "the form body could not be read"},
		{name: "malformed encoding", contentType: formType, body: strings.NewReader("a=%zz"), wantDesc: "malformed form body"},
		{name: "semicolon separator", contentType: formType, body: strings.NewReader("a=1;b=2"), wantDesc: "malformed form body"},
		{name: "repeated parameter", contentType: formType, body: strings.NewReader("a=1&a=2"), wantDesc: "parameter a is repeated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = http.MethodPost
			}
			// A malformed query string is not the form's business: the
			// endpoints that read a form read nothing else.
			r := httptest.NewRequest(method, "/oauth2/token?q=%zz", tt.body)
			if tt.contentType != "" {
				r.Header.Set("Content-Type", tt.contentType)
			}
			form, err := postForm(httptest.NewRecorder(), r)
			if tt.want == nil {
				var oe *oautherr.Error
				if !errors.As(err, &oe) || !errors.Is(err, oautherr.ErrInvalidRequest) || oe.Description != tt.wantDesc {
					t.Fatalf("err = %v, want invalid_request: %s", err, tt.wantDesc)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(form) != len(tt.want) {
				t.Fatalf("form = %v, want %v", form, tt.want)
			}
			for k, v := range tt.want {
				if form.Get(k) != v {
					t.Errorf("%s = %.20q, want %.20q", k, form.Get(k), v)
				}
			}
		})
	}
}

// TestPostFormTwice checks that a second call returns the form the first
// read: the body can be read only once.
func TestPostFormTwice(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/oauth2/introspect", strings.NewReader("token=abc"))
	r.Header.Set("Content-Type", formType)
	w := httptest.NewRecorder()
	for i := range 2 {
		form, err := postForm(w, r)
		if err != nil || form.Get("token") != "abc" {
			t.Fatalf("call %d: %v, %v", i+1, form, err)
		}
	}
}

// TestPostFormBuffers checks that a body parsed from a pooled buffer does
// not change when the buffer is reused for the next request.
func TestPostFormBuffers(t *testing.T) {
	var forms []string
	for _, body := range []string{"token=first", "token=second-and-longer", "token=x"} {
		r := httptest.NewRequest(http.MethodPost, "/oauth2/introspect", strings.NewReader(body))
		r.Header.Set("Content-Type", formType)
		form, err := postForm(httptest.NewRecorder(), r)
		if err != nil {
			t.Fatal(err)
		}
		forms = append(forms, form.Get("token"))
	}
	if strings.Join(forms, ",") != "first,second-and-longer,x" {
		t.Fatalf("forms %q", forms)
	}
}
