package admin

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// maxBody bounds a request body of the API.
const maxBody = 1 << 20

// document is the JSON object of a request body, by member, so that each
// member is decoded into its field on its own and a problem names it.
type document map[string]json.RawMessage

// readDocument reads a JSON object from the request body; an empty body is
// an empty document.
func readDocument(w http.ResponseWriter, r *http.Request) (document, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return nil, ErrUnsupportedMediaType.WithDescription("send the body as application/json")
		}
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, ErrInvalidRequest.WithDescription("the body is larger than 1 MiB")
		}
		return nil, err
	}
	d := document{}
	if len(bytes.TrimSpace(raw)) == 0 {
		return d, nil
	}
	if err := json.Unmarshal(raw, &d); err != nil || d == nil {
		return nil, ErrInvalidRequest.WithDescription("the body must be a JSON object")
	}
	return d, nil
}

// apply decodes each member of d into the field fields names it by. A
// member named in fixed must equal that value (it shows a field that
// cannot change here); members in ignored are the record's read-only state
// and are skipped, so a representation read with GET can be sent back
// whole. Any other member is an unknown field.
func (d document) apply(fields map[string]any, fixed map[string]any, ignored ...string) error {
	var fe fieldErrors
	names := make([]string, 0, len(d))
	for name := range d {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		raw := d[name]
		if ptr, ok := fields[name]; ok {
			if err := decodeField(raw, ptr); err != nil {
				fe.add(name, "must be "+typeName(reflect.TypeOf(ptr).Elem()))
			}
			continue
		}
		if want, ok := fixed[name]; ok {
			if !sameJSON(raw, want) {
				fe.add(name, "cannot be changed here")
			}
			continue
		}
		if slices.Contains(ignored, name) {
			continue
		}
		fe.add(name, "unknown field")
	}
	return fe.err()
}

// decodeField decodes one member into ptr, after zeroing it, so that null
// clears the field.
func decodeField(raw json.RawMessage, ptr any) error {
	v := reflect.ValueOf(ptr).Elem()
	v.SetZero()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(ptr)
}

// sameJSON reports whether a member equals the JSON form of want.
func sameJSON(raw json.RawMessage, want any) bool {
	b, err := json.Marshal(want)
	if err != nil {
		return false
	}
	var x, y any
	return json.Unmarshal(raw, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}

// typeName says what JSON a field takes.
func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return typeName(t.Elem()) + " or null"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64:
		return "an integer"
	case reflect.Slice:
		return "a list of " + strings.TrimPrefix(typeName(t.Elem()), "a ") + "s"
	}
	return "a " + t.String()
}

// precondition returns the version a change names: the If-Match header, or
// else the document's version member; 0 when it names none. A required
// precondition that is missing is ErrPreconditionRequired.
func precondition(r *http.Request, d document, required bool) (int64, error) {
	var fe fieldErrors
	version, named := int64(0), false
	if h := strings.TrimSpace(r.Header.Get("If-Match")); h != "" {
		named = true
		if h != "*" {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(h, `"`), `"`), 10, 64)
			if err != nil || n <= 0 || len(h) < 3 || h[0] != '"' || h[len(h)-1] != '"' {
				fe.add("If-Match", `must be the ETag of the record, such as "3"`)
			}
			version = n
		}
	}
	if raw, ok := d["version"]; ok {
		var n int64
		switch err := json.Unmarshal(raw, &n); {
		case err != nil || n <= 0:
			fe.add("version", "must be a positive integer")
		case named && version != 0 && n != version:
			fe.add("version", "differs from If-Match")
		case !named:
			version, named = n, true
		}
	}
	if err := fe.err(); err != nil {
		return 0, err
	}
	if required && !named {
		return 0, ErrPreconditionRequired.WithDescription(`name the version you read: send If-Match with its ETag, or "version" in the body`)
	}
	return version, nil
}
