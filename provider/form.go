package provider

import (
	"mime"
	"net/http"
	"net/url"

	"github.com/tongxing/tongxing/provider/oautherr"
)

// maxFormBytes bounds a form body; no OAuth request comes near it.
const maxFormBytes = 64 << 10

// postForm parses an application/x-www-form-urlencoded POST body (RFC 6749
// §3.2) and refuses repeated parameters, which §3.1 forbids.
func postForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	if r.Method != http.MethodPost {
		return nil, oautherr.ErrInvalidRequest.WithDescription("the request must be a POST")
	}
	ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || ct != "application/x-www-form-urlencoded" {
		return nil, oautherr.ErrInvalidRequest.WithDescription("the body must be application/x-www-form-urlencoded")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return nil, oautherr.ErrInvalidRequest.WithDescription("malformed form body")
	}
	if err := single(r.PostForm); err != nil {
		return nil, err
	}
	return r.PostForm, nil
}

// queryOrForm returns the parameters of an endpoint that takes GET and
// POST alike (OpenID Connect Core §3.1.2.1, RP-Initiated Logout §2): the
// query string, or the form body of a POST.
func queryOrForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	if r.Method == http.MethodPost {
		return postForm(w, r)
	}
	return r.URL.Query(), nil
}

// single refuses a parameter given more than once.
func single(v url.Values) error {
	for k, vs := range v {
		if len(vs) > 1 {
			return oautherr.ErrInvalidRequest.WithDescription("parameter " + k + " is repeated")
		}
	}
	return nil
}
