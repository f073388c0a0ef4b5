package provider_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tongxing/tongxing/provider/clientreg"
)

func TestAuthorizeErrorsShownToUser(t *testing.T) {
	// Without a client and redirect URI known to be good, the error is shown,
	// never redirected.
	e := newEnv(t)
	id, _ := e.webClient("web")
	b := e.browser()
	tests := []struct {
		name  string
		query url.Values
	}{
		{"no client", url.Values{"response_type": {"code"}, "redirect_uri": {callback}}},
		{"unknown client", url.Values{"response_type": {"code"}, "client_id": {"nobody"}, "redirect_uri": {callback}}},
		{"no redirect uri", url.Values{"response_type": {"code"}, "client_id": {id}}},
		{"unregistered redirect uri", url.Values{"response_type": {"code"}, "client_id": {id}, "redirect_uri": {"https://evil.example/cb"}}},
		{"host-suffix redirect uri", url.Values{"response_type": {"code"}, "client_id": {id}, "redirect_uri": {"https://evil-rp.example/cb"}}},
		{"prefix of a redirect uri", url.Values{"response_type": {"code"}, "client_id": {id}, "redirect_uri": {callback + "/more"}}},
		{"repeated parameter", url.Values{"response_type": {"code"}, "client_id": {id, id}, "redirect_uri": {callback}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, page := b.get(e.srv.URL + "/oauth2/authorize?" + tt.query.Encode())
			if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" || !strings.Contains(page, "invalid_") {
				t.Fatalf("got %d %q", resp.StatusCode, page)
			}
		})
	}
}

func TestAuthorizeErrorsRedirected(t *testing.T) {
	e := newEnv(t)
	id, _ := e.webClient("web")
	pubID, _ := e.client(clientreg.Metadata{ClientID: "spa", ClientName: "spa", GrantTypes: []string{"authorization_code"},
		RedirectURIs: []string{callback}, TokenEndpointAuthMethod: "none", Scope: "openid"})
	ccID, _ := e.client(clientreg.Metadata{ClientID: "cc", ClientName: "cc", GrantTypes: []string{"client_credentials"},
		RedirectURIs: []string{callback}, Scope: "api"})
	_, challenge := pkce()
	b := e.browser()
	tests := []struct {
		name   string
		client string
		edit   url.Values
		code   string
	}{
		{"implicit", id, url.Values{"response_type": {"token"}}, "unsupported_response_type"},
		{"hybrid", id, url.Values{"response_type": {"code id_token"}}, "unsupported_response_type"},
		{"no response type", id, url.Values{"response_type": {""}}, "invalid_request"},
		{"scope not registered", id, url.Values{"scope": {"openid admin"}}, "invalid_scope"},
		{"public client without pkce", pubID, url.Values{"scope": {"openid"}}, "invalid_request"},
		{"plain pkce", id, url.Values{"code_challenge": {challenge}, "code_challenge_method": {"plain"}}, "invalid_request"},
		{"challenge without method", id, url.Values{"code_challenge": {challenge}}, "invalid_request"},
		{"method without challenge", id, url.Values{"code_challenge_method": {"S256"}}, "invalid_request"},
		{"malformed challenge", id, url.Values{"code_challenge": {"abc"}, "code_challenge_method": {"S256"}}, "invalid_request"},
		{"unknown prompt", id, url.Values{"prompt": {"maybe"}}, "invalid_request"},
		{"prompt none with login", id, url.Values{"prompt": {"none login"}}, "invalid_request"},
		{"bad max_age", id, url.Values{"max_age": {"-1"}}, "invalid_request"},
		{"request object", id, url.Values{"request": {"eyJ"}}, "request_not_supported"},
		{"prompt none without session", id, url.Values{"prompt": {"none"}}, "login_required"},
		{"client without the code grant", ccID, url.Values{"scope": {"api"}}, "unauthorized_client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := url.Values{}
			for k, v := range tt.edit {
				q[k] = v
			}
			u := e.authorizeURL(tt.client, q)
			resp, _ := b.get(u)
			loc, _ := url.Parse(resp.Header.Get("Location"))
			if resp.StatusCode != http.StatusSeeOther || loc == nil || !strings.HasPrefix(loc.String(), callback+"?") {
				t.Fatalf("got %d to %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			got := loc.Query()
			if got.Get("error") != tt.code || got.Get("state") != "st-1" || got.Get("iss") != e.issuer() || got.Get("code") != "" {
				t.Fatalf("redirect query %v", got)
			}
		})
	}
}

func TestLoginAndConsentPages(t *testing.T) {
	e := newEnv(t)
	id, _ := e.webClient("web")
	e.user("gus", "gus-password")
	authz := e.authorizeURL(id, nil)

	t.Run("wrong password shows the form again", func(t *testing.T) {
		b := e.browser()
		_, page := b.get(authz)
		f := fields(page)
		f.Set("username", "gus")
		f.Set("password", "nope")
		resp, page := b.submit(e.srv.URL+"/oauth2/login", f)
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, `name="password"`) || !strings.Contains(page, `role="alert"`) {
			t.Fatalf("%d %s", resp.StatusCode, page)
		}
	})
	t.Run("unknown user looks the same", func(t *testing.T) {
		b := e.browser()
		_, page := b.get(authz)
		f := fields(page)
		f.Set("username", "nobody")
		f.Set("password", "nope")
		if resp, _ := b.submit(e.srv.URL+"/oauth2/login", f); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("%d", resp.StatusCode)
		}
	})
	t.Run("missing csrf token", func(t *testing.T) {
		b := e.browser()
		_, page := b.get(authz)
		f := fields(page)
		f.Del("csrf_token")
		f.Set("username", "gus")
		f.Set("password", "gus-password")
		if resp, _ := b.submit(e.srv.URL+"/oauth2/login", f); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("%d", resp.StatusCode)
		}
	})
	t.Run("csrf token of another browser", func(t *testing.T) {
		_, page := e.browser().get(authz)
		f := fields(page)
		b := e.browser()
		b.get(authz) // has its own csrf cookie
		f.Set("username", "gus")
		f.Set("password", "gus-password")
		if resp, _ := b.submit(e.srv.URL+"/oauth2/login", f); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("%d", resp.StatusCode)
		}
	})
	t.Run("tampered authorization request", func(t *testing.T) {
		b := e.browser()
		_, page := b.get(authz)
		f := fields(page)
		f.Set("authz", strings.Replace(f.Get("authz"), url.QueryEscape(callback), url.QueryEscape("https://evil.example/cb"), 1))
		f.Set("username", "gus")
		f.Set("password", "gus-password")
		resp, _ := b.submit(e.srv.URL+"/oauth2/login", f)
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
			t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
	t.Run("deny sends access_denied", func(t *testing.T) {
		b := e.browser()
		_, page := b.get(authz)
		f := fields(page)
		f.Set("username", "gus")
		f.Set("password", "gus-password")
		_, page = b.submit(e.srv.URL+"/oauth2/login", f)
		f = fields(page)
		f.Set("decision", "deny")
		resp, _ := b.submit(e.srv.URL+"/oauth2/consent", f)
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusSeeOther || loc.Query().Get("error") != "access_denied" || loc.Query().Get("state") != "st-1" {
			t.Fatalf("%d %s", resp.StatusCode, loc)
		}
	})
	t.Run("consent without session goes to login", func(t *testing.T) {
		b := e.browser()
		_, page := b.get(authz)
		f := fields(page)
		f.Set("decision", "allow")
		resp, page := b.submit(e.srv.URL+"/oauth2/consent", f)
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, `name="password"`) {
			t.Fatalf("%d %s", resp.StatusCode, page)
		}
	})
	t.Run("session and remembered consent", func(t *testing.T) {
		b := e.browser()
		if code := e.signIn(b, authz, "gus", "gus-password").Query().Get("code"); code == "" {
			t.Fatal("no code")
		}
		// Signed in and consented: straight back with a code.
		resp, _ := b.get(authz)
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusSeeOther || loc.Query().Get("code") == "" {
			t.Fatalf("second authorization: %d %s", resp.StatusCode, loc)
		}
		// prompt=none works silently now.
		resp, _ = b.get(e.authorizeURL(id, url.Values{"prompt": {"none"}}))
		if loc, _ := url.Parse(resp.Header.Get("Location")); loc.Query().Get("code") == "" {
			t.Fatalf("prompt=none: %s", loc)
		}
		// More scope than consented: consent again, or consent_required.
		resp, _ = b.get(e.authorizeURL(id, url.Values{"prompt": {"none"}, "scope": {"openid email"}}))
		if loc, _ := url.Parse(resp.Header.Get("Location")); loc.Query().Get("error") != "consent_required" {
			t.Fatalf("prompt=none, new scope: %s", loc)
		}
		resp, page := b.get(e.authorizeURL(id, url.Values{"scope": {"openid email"}}))
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, `value="allow"`) || !strings.Contains(page, "email") {
			t.Fatalf("new scope: %d", resp.StatusCode)
		}
		// prompt=login and max_age=0 ask for the password again.
		for _, q := range []url.Values{{"prompt": {"login"}}, {"max_age": {"0"}}} {
			resp, page = b.get(e.authorizeURL(id, q))
			if resp.StatusCode != http.StatusOK || !strings.Contains(page, `name="password"`) {
				t.Fatalf("%v: %d", q, resp.StatusCode)
			}
			f := fields(page)
			f.Set("username", "gus")
			f.Set("password", "gus-password")
			resp, _ = b.submit(e.srv.URL+"/oauth2/login", f)
			if loc, _ := url.Parse(resp.Header.Get("Location")); resp.StatusCode != http.StatusSeeOther || loc.Query().Get("code") == "" {
				t.Fatalf("%v after login: %d %s", q, resp.StatusCode, loc)
			}
		}
		// prompt=consent shows the consent page despite the record.
		if resp, page := b.get(e.authorizeURL(id, url.Values{"prompt": {"consent"}})); resp.StatusCode != 200 || !strings.Contains(page, `value="allow"`) {
			t.Fatalf("prompt=consent: %d", resp.StatusCode)
		}
	})
	t.Run("disabled user cannot sign in", func(t *testing.T) {
		u := e.user("hal", "hal-password")
		u.Disabled = true
		_ = e.records.Users.Update(t.Context(), u)
		b := e.browser()
		_, page := b.get(authz)
		f := fields(page)
		f.Set("username", "hal")
		f.Set("password", "hal-password")
		if resp, _ := b.submit(e.srv.URL+"/oauth2/login", f); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("%d", resp.StatusCode)
		}
	})
	t.Run("login page on its own", func(t *testing.T) {
		b := e.browser()
		resp, page := b.get(e.srv.URL + "/oauth2/login")
		if resp.StatusCode != 200 || resp.Header.Get("X-Frame-Options") != "DENY" {
			t.Fatalf("%d", resp.StatusCode)
		}
		f := fields(page)
		f.Set("username", "gus")
		f.Set("password", "gus-password")
		resp, _ = b.submit(e.srv.URL+"/oauth2/login", f)
		if resp.StatusCode != 200 {
			t.Fatalf("%d", resp.StatusCode)
		}
		var session *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == "tongxing_session" {
				session = c
			}
		}
		if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Secure {
			t.Fatalf("session cookie %+v (plain http issuer: not Secure)", session)
		}
	})
}

func TestFreshLoginStartsANewSession(t *testing.T) {
	e := newEnv(t)
	id, secret := e.webClient("web")
	e.user("ned", "ned-password")
	b := e.browser()
	redeem := func(loc *url.URL, verifier string) map[string]any {
		r := e.post("/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")},
			"redirect_uri": {callback}, "code_verifier": {verifier}}, id, secret)
		return verifyJWT(t, e, r.str("id_token"), "JWT")
	}
	v1, c1 := pkce()
	first := redeem(e.signIn(b, e.authorizeURL(id, url.Values{"code_challenge": {c1}, "code_challenge_method": {"S256"}}), "ned", "ned-password"), v1)
	e.clock.Advance(time.Minute)
	v2, c2 := pkce()
	_, page := b.get(e.authorizeURL(id, url.Values{"prompt": {"login"}, "code_challenge": {c2}, "code_challenge_method": {"S256"}}))
	f := fields(page)
	f.Set("username", "ned")
	f.Set("password", "ned-password")
	resp, _ := b.submit(e.srv.URL+"/oauth2/login", f)
	loc, _ := url.Parse(resp.Header.Get("Location"))
	second := redeem(loc, v2)
	if second["auth_time"] == first["auth_time"] || second["sid"] == first["sid"] {
		t.Fatalf("re-authentication kept the old session: %v %v", first, second)
	}
	// The browser now holds the new session.
	v3, c3 := pkce()
	resp, _ = b.get(e.authorizeURL(id, url.Values{"code_challenge": {c3}, "code_challenge_method": {"S256"}}))
	loc, _ = url.Parse(resp.Header.Get("Location"))
	if third := redeem(loc, v3); third["sid"] != second["sid"] {
		t.Fatalf("silent authorization used session %v, want %v", third["sid"], second["sid"])
	}
}

func TestPagesAllowTheRedirectInFormAction(t *testing.T) {
	// Browsers apply form-action to the redirect after a form POST.
	e := newEnv(t)
	id, _ := e.webClient("web")
	resp, _ := e.browser().get(e.authorizeURL(id, nil))
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "form-action 'self' https://rp.example;") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Fatalf("CSP %q", csp)
	}
	resp, _ = e.browser().get(e.srv.URL + "/oauth2/login")
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self';") {
		t.Fatalf("CSP of the bare login page %q", csp)
	}
}
