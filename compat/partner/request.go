package partner

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// request is a partner call as parsed from HTTP, before anything is looked
// up: parsing needs no store, so a malformed call costs nothing.
type request struct {
	clientID     string // the Basic user name
	clientSecret string // the Basic password
	accessToken  string
	authCode     string // getUserInfo and getCompanyInfo only
}

// parseRequest reads a call in the document's order of concerns: the
// Basic header (100009), the query (601), the signature t_/p_ (601), then
// the call's parameters (601; a client_id parameter naming another client
// than the header's is 100002). needCode says the call takes an auth_code.
func parseRequest(r *http.Request, needCode bool, now time.Time, window time.Duration) (request, error) {
	var req request
	var err error
	req.clientID, req.clientSecret, err = parseBasic(r.Header.Get("Authorization"))
	if err != nil {
		return request{}, err
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return request{}, invalidQuery
	}
	if err := checkTimestamp(q.Get("t_"), q.Get("p_"), now, window); err != nil {
		return request{}, err
	}
	if req.accessToken = q.Get("access_token"); req.accessToken == "" {
		return request{}, missingAccessToken
	}
	if !needCode {
		return req, nil
	}
	if req.authCode = q.Get("auth_code"); req.authCode == "" {
		return request{}, missingAuthCode
	}
	// The document lists client_id among these calls' parameters; the
	// header is what authenticates, so the parameter may be left out but
	// never name another client.
	if id := q.Get("client_id"); id != "" && id != req.clientID {
		return request{}, ErrClientDenied
	}
	return req, nil
}

// parseBasic returns the client ID and secret of an Authorization header
// "Basic base64(client_id:client_secret)" (RFC 7617). The scheme is case
// insensitive; the credentials are taken as they are, without the form
// decoding RFC 6749 §2.3.1 asks of the token endpoint, because the
// document's clients send them raw. Both parts must be present.
func parseBasic(header string) (id, secret string, err error) {
	scheme, payload, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return "", "", ErrBasicAuth
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(payload))
	if err != nil {
		return "", "", ErrBasicAuth
	}
	id, secret, ok = strings.Cut(string(raw), ":")
	if !ok || id == "" || secret == "" {
		return "", "", ErrBasicAuth
	}
	return id, secret, nil
}

// Proof returns the p_ of a t_: (t_ % 10000) * 3 + 2345, as section 3 of
// the document defines it.
func Proof(t int64) int64 { return t%10000*3 + 2345 }

// maxDigits bounds t_ and p_ so their values fit an int64.
const maxDigits = 18

// checkTimestamp checks t_ (epoch milliseconds) and p_. Both must be
// decimal digits only; p_ must be Proof(t_); t_ must be within window of
// now, either way.
func checkTimestamp(t, p string, now time.Time, window time.Duration) error {
	switch {
	case t == "":
		return missingTimestamp
	case p == "":
		return missingProof
	}
	ms, ok := digits(t)
	if !ok {
		return invalidTimestamp
	}
	proof, ok := digits(p)
	if !ok || proof != Proof(ms) {
		return invalidProof
	}
	d := now.UnixMilli() - ms
	if d < 0 {
		d = -d
	}
	if d > window.Milliseconds() {
		return staleTimestamp
	}
	return nil
}

// digits parses a non-empty string of at most maxDigits ASCII digits.
func digits(s string) (int64, bool) {
	if s == "" || len(s) > maxDigits {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
