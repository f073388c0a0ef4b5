package partner

import (
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

var errSecret = errors.New("dial tcp 10.0.0.7:6379: connection refused")

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// FuzzTimestamp: t_ and p_ never panic, and are either accepted or a 601
// sent with HTTP 200; an accepted pair is digits whose p_ matches.
func FuzzTimestamp(f *testing.F) {
	f.Add("1422339152058", "8519", int64(1422339152058))
	f.Add("1422339152058", "8520", int64(1422339152058))
	f.Add("", "", int64(0))
	f.Add("-1", "2342", int64(0))
	f.Add("999999999999999999", "32342", int64(1<<62))
	f.Add("0", "2345", int64(-1<<62))
	f.Add("１４２２", "8519", int64(0))
	f.Fuzz(func(t *testing.T, ts, p string, nowMs int64) {
		err := checkTimestamp(ts, p, time.UnixMilli(nowMs), 5*time.Minute)
		if err == nil {
			n, ok1 := digits(ts)
			q, ok2 := digits(p)
			if !ok1 || !ok2 || q != Proof(n) {
				t.Fatalf("accepted t_=%q p_=%q", ts, p)
			}
			return
		}
		var e *Error
		if !errors.As(err, &e) || e.Code != 601 || e.Status != http.StatusOK {
			t.Fatalf("t_=%q p_=%q: %v", ts, p, err)
		}
	})
}

// FuzzParseRequest: any query and Authorization header parse to a request
// or to an error of the table other than 500.
func FuzzParseRequest(f *testing.F) {
	sig := "&t_=1422339152058&p_=8519"
	f.Add("access_token=tok&client_id=1102084294&auth_code=code"+sig, "Basic MTEwMjA4NDI5NDpha3U4aEN5WEJkOVNxWWtU", true)
	f.Add("access_token=tok"+sig, "Basic MTEwMjA4NDI5NDpha3U4aEN5WEJkOVNxWWtU", false)
	f.Add("access_token=%zz"+sig, "Basic MTEwMjA4NDI5NDpha3U4aEN5WEJkOVNxWWtU", false)
	f.Add("a;b"+sig, "basic  MTEwMjA4NDI5NDpha3U4aEN5WEJkOVNxWWtU", true)
	f.Add("", "", false)
	f.Add("t_=1&p_=2348&access_token=x", "Basic Og==", true)
	f.Add("t_=1422339152058&t_=1&p_=8519", "Basic \x00\xff", true)
	now := time.UnixMilli(1422339152058)
	f.Fuzz(func(t *testing.T, query, authorization string, needCode bool) {
		r := httptest.NewRequest(http.MethodGet, "/x", nil)
		r.URL.RawQuery = query
		r.Header.Set("Authorization", authorization)
		req, err := parseRequest(r, needCode, now, time.Minute)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Status != http.StatusOK {
				t.Fatalf("query %q header %q: %v", query, authorization, err)
			}
			return
		}
		if req.clientID == "" || req.clientSecret == "" || req.accessToken == "" || needCode && req.authCode == "" {
			t.Fatalf("query %q header %q parsed to %+v", query, authorization, req)
		}
	})
}

// FuzzBasic: a header parses to a non-empty ID and secret that encode back
// to it, or to 100009.
func FuzzBasic(f *testing.F) {
	for _, h := range []string{"Basic MTEwMjA4NDI5NDpha3U4aEN5WEJkOVNxWWtU", "Basic", "Basic Og==", "Bearer x", "BASIC YTpi", "Basic YTpiOmMrZA=="} {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, h string) {
		id, secret, err := parseBasic(h)
		if err != nil {
			if err != ErrBasicAuth {
				t.Fatalf("%q: %v", h, err)
			}
			return
		}
		if id == "" || secret == "" {
			t.Fatalf("%q gave %q %q", h, id, secret)
		}
		again := "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
		if id2, secret2, _ := parseBasic(again); id2 != id || secret2 != secret {
			t.Fatalf("%q does not round-trip: %q %q", h, id2, secret2)
		}
	})
}
