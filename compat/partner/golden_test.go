package partner_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tongxing/tongxing/compat/partner"
)

// The golden JSON files are the document's example responses as printed
// there; the XML files are the same envelopes in this API's XML form.
// Responses must equal them byte for byte (the JSON ones once the
// document's line breaks are removed).

// The document's nowtime values: its examples were answered at these times.
var (
	userNow    = time.Unix(1522404566, 0)
	companyNow = time.Unix(1522404881, 0)
)

// issuedCode is the shape of the auth_codes the core issues today (43
// base64url characters) or the document's (40 hex digits).
var issuedCode = regexp.MustCompile(`^(?:[0-9a-f]{40}|[A-Za-z0-9_-]{43})$`)

// docAuthCode is the document's example auth_code.
const docAuthCode = "c3a8ad070c745db455e30a51511dca819b607bf7"

func TestGolden(t *testing.T) {
	e := newEnv(t, func(o *options) { o.start = userNow.Add(-time.Hour) })
	u := e.docUser("li")
	e.partnerClient(docClientID, docClientSecret, partner.ScopeUser+" "+partner.ScopeCompany)
	token := e.token(u.ID, 24*time.Hour)

	for _, f := range []string{"json", "xml"} {
		t.Run(f, func(t *testing.T) {
			// The document's request: its Basic header, verbatim.
			e.clock.Set(userNow.Add(-10 * time.Second))
			r := e.get(partner.PathAuthorize+"/"+f, e.signed(url.Values{"access_token": {token}}).Encode(), docBasic)
			code := extractCode(t, f, r.body)
			if !issuedCode.MatchString(code) {
				t.Fatalf("auth_code %q has neither the core's nor the document's shape", code)
			}
			checkGolden(t, f, "authorize", r, func(s string) string { return strings.ReplaceAll(s, docAuthCode, code) })

			q := url.Values{"access_token": {token}, "client_id": {docClientID}, "auth_code": {code}}
			e.clock.Set(userNow)
			checkGolden(t, f, "user_info", e.get(partner.PathUserInfo+"/"+f, e.signed(q).Encode(), docBasic), nil)

			// The document's company example came 315s later, after a
			// code of 300s would have expired: the partner asked again.
			e.clock.Set(companyNow.Add(-10 * time.Second))
			q.Set("auth_code", e.authCode(docClientID, docClientSecret, token))
			e.clock.Set(companyNow)
			checkGolden(t, f, "company_info", e.get(partner.PathCompanyInfo+"/"+f, e.signed(q).Encode(), docBasic), nil)

			q.Set("auth_code", strings.Repeat("0", 40))
			checkGolden(t, f, "error", e.get(partner.PathCompanyInfo+"/"+f, e.signed(q).Encode(), docBasic), nil)
		})
	}
}

// checkGolden compares r with testdata/<name>.<f>, after edit (which puts
// the random values of r in the golden text).
func checkGolden(t *testing.T, f, name string, r response, edit func(string) string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name+"."+f))
	if err != nil {
		t.Fatal(err)
	}
	golden := string(raw)
	if edit != nil {
		golden = edit(golden)
	}
	if r.status != http.StatusOK {
		t.Errorf("%s.%s: status %d", name, f, r.status)
	}
	wantType := map[string]string{"json": "application/json; charset=utf-8", "xml": "application/xml; charset=utf-8"}[f]
	if got := r.header.Get("Content-Type"); got != wantType {
		t.Errorf("%s.%s: Content-Type %q, want %q", name, f, got, wantType)
	}
	if got := r.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("%s.%s: Cache-Control %q", name, f, got)
	}
	if f == "xml" {
		wellFormed(t, r.body)
		if r.body != golden {
			t.Errorf("%s.xml differs:\n got %s\nwant %s", name, r.body, golden)
		}
		return
	}
	// Field by field, with JSON types, for a readable failure.
	want, got := decodeJSON(t, golden), decodeJSON(t, r.body)
	for _, k := range []string{"code", "message"} {
		sameValue(t, name+"."+k, got[k], want[k])
	}
	wantData, _ := want["data"].(map[string]any)
	gotData, _ := got["data"].(map[string]any)
	if (want["data"] == nil) != (got["data"] == nil) {
		t.Errorf("%s.data = %v, want %v", name, got["data"], want["data"])
	}
	for k, w := range wantData {
		if g, ok := gotData[k]; !ok {
			t.Errorf("%s.data.%s is missing", name, k)
		} else {
			sameValue(t, name+".data."+k, g, w)
		}
	}
	for k := range gotData {
		if _, ok := wantData[k]; !ok {
			t.Errorf("%s.data.%s is not in the document", name, k)
		}
	}
	// Then the bytes: key order, escaping, no extra space.
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(golden)); err != nil {
		t.Fatal(err)
	}
	if r.body != compact.String() {
		t.Errorf("%s.json differs:\n got %s\nwant %s", name, r.body, compact.String())
	}
}

func decodeJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatalf("bad JSON %q: %v", s, err)
	}
	return m
}

// sameValue compares two decoded JSON values with their types: "3" is not
// 3, null is not "".
func sameValue(t *testing.T, name string, got, want any) {
	t.Helper()
	if reflect.TypeOf(got) != reflect.TypeOf(want) || got != want {
		t.Errorf("%s = %#v (%T), want %#v (%T)", name, got, got, want, want)
	}
}

func wellFormed(t *testing.T, s string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("malformed XML %q: %v", s, err)
		}
	}
}

var xmlCode = regexp.MustCompile(`<auth_code>([^<]*)</auth_code>`)

func extractCode(t *testing.T, f, body string) string {
	t.Helper()
	if f == "xml" {
		m := xmlCode.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no auth_code in %s", body)
		}
		return m[1]
	}
	var r struct {
		Data struct {
			AuthCode string `json:"auth_code"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &r); err != nil || r.Data.AuthCode == "" {
		t.Fatalf("no auth_code in %s (%v)", body, err)
	}
	return r.Data.AuthCode
}
