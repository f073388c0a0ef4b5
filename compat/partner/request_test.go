package partner

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

// The document's example: t_=1422339152058 gives p_=8519.
func TestProofDocumentExample(t *testing.T) {
	if got := Proof(1422339152058); got != 8519 {
		t.Fatalf("Proof = %d, want 8519", got)
	}
	now := time.UnixMilli(1422339152058)
	if err := checkTimestamp("1422339152058", "8519", now, 5*time.Minute); err != nil {
		t.Fatalf("the document's example request: %v", err)
	}
}

func TestCheckTimestamp(t *testing.T) {
	now := time.UnixMilli(1422339152058)
	const window = 5 * time.Minute
	at := func(d time.Duration) (string, string) {
		ms := now.Add(d).UnixMilli()
		return strconv.FormatInt(ms, 10), strconv.FormatInt(Proof(ms), 10)
	}
	for _, c := range []struct {
		name string
		t, p string
		want *Error
	}{
		{"missing t_", "", "8519", missingTimestamp},
		{"missing p_", "1422339152058", "", missingProof},
		{"t_ with a sign", "+1422339152058", "8519", invalidTimestamp},
		{"t_ in seconds with a fraction", "1422339152.058", "8519", invalidTimestamp},
		{"t_ too long", "1234567890123456789", "8519", invalidTimestamp},
		{"p_ off by one", "1422339152058", "8520", invalidProof},
		{"p_ not a number", "1422339152058", "85l9", invalidProof},
		{"p_ with leading zeros", "1422339152058", "008519", nil},
	} {
		err := checkTimestamp(c.t, c.p, now, window)
		if c.want == nil && err != nil || c.want != nil && err != c.want {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	for _, c := range []struct {
		d    time.Duration
		want error
	}{
		{-window, nil},
		{window, nil},
		{-window - time.Millisecond, staleTimestamp},
		{window + time.Millisecond, staleTimestamp},
	} {
		ts, p := at(c.d)
		if err := checkTimestamp(ts, p, now, window); err != c.want {
			t.Errorf("t_ %v from now: %v, want %v", c.d, err, c.want)
		}
	}
}

// The document's Basic header and its variants.
func TestParseBasic(t *testing.T) {
	id, secret, err := parseBasic("Basic MTEwMjA4NDI5NDpha3U4aEN5WEJkOVNxWWtU")
	if err != nil || id != "1102084294" || secret != "aku8hCyXBd9SqYkT" {
		t.Fatalf("the document's header: %q %q %v", id, secret, err)
	}
	if id, _, err := parseBasic("basic MTEwMjA4NDI5NDpha3U4aEN5WEJkOVNxWWtU"); err != nil || id != "1102084294" {
		t.Errorf("lower-case scheme: %q %v", id, err)
	}
	// A secret with a colon keeps it; '+' is not form-decoded.
	if id, secret, err := parseBasic("Basic YTpiOmMrZA=="); err != nil || id != "a" || secret != "b:c+d" {
		t.Errorf("a:b:c+d gave %q %q %v", id, secret, err)
	}
	for _, h := range []string{"", "Basic", "Basic ", "Bearer MTEwMjA4NDI5NDpha3U4aEN5WEJkOVNxWWtU",
		"Basic !!!", "Basic MTEwMjA4NDI5NA==" /* no colon */, "Basic OnNlY3JldA==" /* empty id */, "Basic aWQ6" /* empty secret */} {
		if _, _, err := parseBasic(h); err != ErrBasicAuth {
			t.Errorf("%q: %v, want 100009", h, err)
		}
	}
}

func TestParseRequest(t *testing.T) {
	now := time.UnixMilli(1422339152058)
	req := func(query string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/x?"+query, nil)
		r.Header.Set("Authorization", "Basic MTEwMjA4NDI5NDpha3U4aEN5WEJkOVNxWWtU")
		return r
	}
	const sig = "&t_=1422339152058&p_=8519"
	got, err := parseRequest(req("access_token=tok&client_id=1102084294&auth_code=code"+sig), true, now, time.Minute)
	want := request{clientID: "1102084294", clientSecret: "aku8hCyXBd9SqYkT", accessToken: "tok", authCode: "code"}
	if err != nil || got != want {
		t.Fatalf("got %+v %v, want %+v", got, err, want)
	}
	// client_id may be left out, and authorize takes no auth_code.
	if _, err := parseRequest(req("access_token=tok&auth_code=code"+sig), true, now, time.Minute); err != nil {
		t.Errorf("without client_id: %v", err)
	}
	if got, err := parseRequest(req("access_token=tok&auth_code=code"+sig), false, now, time.Minute); err != nil || got.authCode != "" {
		t.Errorf("authorize: %+v %v", got, err)
	}
	for _, c := range []struct {
		query string
		want  *Error
	}{
		{"access_token=tok&client_id=other&auth_code=code" + sig, ErrClientDenied},
		{"client_id=1102084294&auth_code=code" + sig, missingAccessToken},
		{"access_token=tok" + sig, missingAuthCode},
		{"access_token=tok;auth_code=code" + sig, invalidQuery},
		{"access_token=%zz" + sig, invalidQuery},
		{"access_token=tok&auth_code=code", missingTimestamp},
	} {
		if _, err := parseRequest(req(c.query), true, now, time.Minute); !errors.Is(err, c.want) || err.(*Error).Message != c.want.Message {
			t.Errorf("%s: %v, want %v", c.query, err, c.want)
		}
	}
	// The header is checked first.
	r := req("")
	r.Header.Del("Authorization")
	if _, err := parseRequest(r, true, now, time.Minute); err != ErrBasicAuth {
		t.Errorf("no header, no parameters: %v", err)
	}
}
