package provider

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"sync"

	"github.com/tongxing/tongxing/provider/oautherr"
)

// maxFormBytes bounds a form body; no OAuth request comes near it.
const maxFormBytes = 64 << 10

const formType = "application/x-www-form-urlencoded"

// postForm parses an application/x-www-form-urlencoded POST body (RFC 6749
// §3.2) and refuses repeated parameters, which §3.1 forbids. The form is
// kept in r.PostForm, so a second call returns it again.
//
// It reads the body itself rather than through r.ParseForm, which also
// builds r.Form (the body merged with the query string, a second map no
// endpoint reads) and grows a fresh buffer per request: every token and
// introspection request paid for both.
func postForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	if r.Method != http.MethodPost {
		return nil, oautherr.ErrInvalidRequest.WithDescription("the request must be a POST")
	}
	if !isForm(r.Header.Get("Content-Type")) {
		return nil, oautherr.ErrInvalidRequest.WithDescription("the body must be " + formType)
	}
	if r.PostForm == nil {
		form, err := readForm(w, r)
		if err != nil {
			return nil, err
		}
		r.PostForm = form
	}
	if err := single(r.PostForm); err != nil {
		return nil, err
	}
	return r.PostForm, nil
}

// isForm reports whether a Content-Type is the form media type, with any
// well-formed parameters (a charset, say).
func isForm(contentType string) bool {
	if contentType == formType {
		return true // what clients send; mime.ParseMediaType allocates
	}
	ct, _, err := mime.ParseMediaType(contentType)
	return err == nil && ct == formType
}

// formBuffers holds the buffers bodies are read into; the form's values
// are copied out of them, so a buffer goes back as soon as it is parsed.
var formBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledForm is the largest buffer put back in formBuffers: a rare
// large body should not stay in memory for good.
const maxPooledForm = 4 << 10

// readForm reads and parses the body of r, at most maxFormBytes.
func readForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	buf := formBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledForm {
			buf.Reset()
			formBuffers.Put(buf)
		}
	}()
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, maxFormBytes)); err != nil {
		if tooLarge := (*http.MaxBytesError)(nil); errors.As(err, &tooLarge) {
			return nil, oautherr.ErrInvalidRequest.WithDescription(fmt.Sprintf("the form body is larger than %d KiB", maxFormBytes>>10))
		}
		return nil, oautherr.ErrInvalidRequest.WithDescription("the form body could not be read")
	}
	form, err := url.ParseQuery(buf.String())
	if err != nil {
		return nil, oautherr.ErrInvalidRequest.WithDescription("malformed form body")
	}
	return form, nil
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
