package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/tongxing/tongxing/provider/clientreg"
)

const (
	webCallback  = "https://rp.example/cb"
	webSignedOut = "https://rp.example/signed-out"
)

// webClient registers a confidential client for the code flow.
func (ts *testServer) webClient(t *testing.T, extra ...string) clientreg.Metadata {
	t.Helper()
	return ts.createClient(t, append([]string{"--name", "Web app", "--grant-type", "authorization_code", "--grant-type", "refresh_token",
		"--redirect-uri", webCallback, "--post-logout-redirect-uri", webSignedOut,
		"--scope", "openid,profile,email,phone,offline_access"}, extra...)...)
}

// alice creates the user the scenarios sign in as.
func (ts *testServer) alice(t *testing.T) userView {
	t.Helper()
	return ts.createUser(t, "alice", alicePassword, "--phone", "13800138000", "--email", "alice@example.com",
		"--nickname", "Ally", "--real-name", "Alice Liddell")
}

const alicePassword = "correct horse battery"

func TestDiscovery(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ts := startServer(t, b.config(t))
		p := ts.discover(t)
		ep := p.Endpoint()
		if ep.AuthURL != ts.URL+"/oauth2/authorize" || ep.TokenURL != ts.URL+"/oauth2/token" || p.UserInfoEndpoint() != ts.URL+"/userinfo" {
			t.Errorf("endpoints %+v, userinfo %s", ep, p.UserInfoEndpoint())
		}
		var md struct {
			Issuer        string   `json:"issuer"`
			JWKSURI       string   `json:"jwks_uri"`
			Introspection string   `json:"introspection_endpoint"`
			Revocation    string   `json:"revocation_endpoint"`
			EndSession    string   `json:"end_session_endpoint"`
			Challenges    []string `json:"code_challenge_methods_supported"`
			ResponseTypes []string `json:"response_types_supported"`
			GrantTypes    []string `json:"grant_types_supported"`
			SigningAlgs   []string `json:"id_token_signing_alg_values_supported"`
			IssParameter  bool     `json:"authorization_response_iss_parameter_supported"`
		}
		if err := p.Claims(&md); err != nil {
			t.Fatal(err)
		}
		want := []struct{ name, got, want string }{
			{"issuer", md.Issuer, ts.URL},
			{"jwks_uri", md.JWKSURI, ts.URL + "/.well-known/jwks.json"},
			{"introspection_endpoint", md.Introspection, ts.URL + "/oauth2/introspect"},
			{"revocation_endpoint", md.Revocation, ts.URL + "/oauth2/revoke"},
			{"end_session_endpoint", md.EndSession, ts.URL + "/oauth2/logout"},
		}
		for _, w := range want {
			if w.got != w.want {
				t.Errorf("%s = %q, want %q", w.name, w.got, w.want)
			}
		}
		if !slices.Equal(md.Challenges, []string{"S256"}) || !slices.Equal(md.ResponseTypes, []string{"code"}) || !md.IssParameter {
			t.Errorf("code_challenge_methods %v, response_types %v, iss parameter %v", md.Challenges, md.ResponseTypes, md.IssParameter)
		}
		for _, g := range []string{"authorization_code", "refresh_token", "client_credentials"} {
			if !slices.Contains(md.GrantTypes, g) {
				t.Errorf("grant_types_supported %v lacks %s", md.GrantTypes, g)
			}
		}

		// RFC 8414 metadata is served too, for the same issuer.
		as := ts.get(t, "/.well-known/oauth-authorization-server", "")
		if as.status != http.StatusOK || as.str("issuer") != ts.URL || as.str("token_endpoint") != ts.URL+"/oauth2/token" {
			t.Errorf("oauth-authorization-server: %d %s", as.status, as.raw)
		}

		// The key set publishes a public key per signing algorithm.
		jwks := ts.get(t, "/.well-known/jwks.json", "")
		var set struct {
			Keys []map[string]any `json:"keys"`
		}
		if jwks.status != http.StatusOK || json.Unmarshal([]byte(jwks.raw), &set) != nil {
			t.Fatalf("jwks: %d %s", jwks.status, jwks.raw)
		}
		var algs []string
		for _, k := range set.Keys {
			algs = append(algs, k["alg"].(string))
			if k["kid"] == "" || k["kid"] == nil {
				t.Errorf("key without kid: %v", k)
			}
			for _, private := range []string{"d", "p", "q", "dp", "dq", "qi"} {
				if _, ok := k[private]; ok {
					t.Errorf("the key set publishes the private parameter %s", private)
				}
			}
		}
		slices.Sort(algs)
		if !slices.Equal(algs, []string{"ES256", "RS256"}) {
			t.Errorf("key algorithms %v, want ES256 and RS256", algs)
		}
		for _, alg := range md.SigningAlgs {
			if !slices.Contains(algs, alg) {
				t.Errorf("discovery offers %s, which no published key has", alg)
			}
		}

		// The issuer check of go-oidc is live: the same server under
		// another name is refused.
		other := strings.Replace(ts.URL, "127.0.0.1", "localhost", 1)
		var mismatch *oidc.IssuerMismatchError
		if _, err := oidc.NewProvider(t.Context(), other); !errors.As(err, &mismatch) {
			t.Errorf("discovery through %s: %v, want an issuer mismatch", other, err)
		}
	})
}

func TestAuthorizationCodeFlow(t *testing.T) {
	cases := []struct {
		name     string
		args     []string
		scopes   []string
		idAlg    string
		jwt      bool // the access token is an RFC 9068 JWT
		refresh  bool
		contacts bool // email and phone are released
	}{
		{
			name: "confidential",
			args: []string{"--name", "Web app", "--grant-type", "authorization_code,refresh_token", "--redirect-uri", webCallback,
				"--scope", "openid,profile,email,phone,offline_access"},
			scopes: []string{"openid", "profile", "email", "phone"}, idAlg: "RS256", refresh: true, contacts: true,
		},
		{
			name: "public",
			args: []string{"--name", "Single-page app", "--public", "--grant-type", "authorization_code",
				"--redirect-uri", "http://127.0.0.1:5173/cb", "--scope", "openid,profile", "--id-token-alg", "ES256"},
			scopes: []string{"openid", "profile"}, idAlg: "ES256",
		},
		{
			name: "confidential with client_secret_post and JWT access tokens",
			args: []string{"--name", "API gateway", "--grant-type", "authorization_code", "--redirect-uri", "https://gw.example/cb",
				"--scope", "openid,profile", "--auth-method", "client_secret_post", "--access-token-format", "jwt", "--access-token-alg", "ES256"},
			scopes: []string{"openid", "profile"}, idAlg: "RS256", jwt: true,
		},
	}
	forEachBackend(t, func(t *testing.T, b backend) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				ts := startServer(t, b.config(t))
				md := ts.createClient(t, tc.args...)
				if (md.ClientSecret == "") != (md.TokenEndpointAuthMethod == "none") {
					t.Fatalf("client %s with method %s and secret %q", md.ClientID, md.TokenEndpointAuthMethod, md.ClientSecret)
				}
				u := ts.alice(t)
				rp := ts.relyingParty(t, md, tc.scopes...)
				a := rp.authorize()
				ua := ts.userAgent(t)

				login := ua.expect(ua.get(a.url), "login")
				if h := login.header.Get("Content-Security-Policy"); !strings.Contains(h, "frame-ancestors 'none'") {
					t.Errorf("login page CSP %q", h)
				}
				wrong := ua.login(login, "alice", "not the password")
				if wrong.status != http.StatusUnauthorized || !strings.Contains(wrong.body, `name="password"`) {
					t.Fatalf("a wrong password: %d %s", wrong.status, wrong.body)
				}
				consent := ua.expect(ua.login(wrong, "alice", alicePassword), "consent")
				if !strings.Contains(consent.body, md.ClientName) {
					t.Errorf("the consent page does not name the client %q", md.ClientName)
				}
				for _, s := range tc.scopes {
					if !strings.Contains(consent.body, "<li>"+s+"</li>") {
						t.Errorf("the consent page does not list scope %s", s)
					}
				}
				code := rp.callback(t, a, ua.expect(ua.consent(consent, "allow"), "redirect").location)
				tok, idt := rp.exchange(t, a, code)

				if tok.TokenType != "Bearer" || tok.AccessToken == "" {
					t.Errorf("token %+v", tok)
				}
				if left := time.Until(tok.Expiry); left < 55*time.Minute || left > 61*time.Minute {
					t.Errorf("access token expires in %s, want about an hour", left)
				}
				if (tok.RefreshToken != "") != tc.refresh {
					t.Errorf("refresh token %q, want one: %v", tok.RefreshToken, tc.refresh)
				}
				if got, _ := tok.Extra("scope").(string); got != strings.Join(tc.scopes, " ") {
					t.Errorf("granted scope %q, want %q", got, strings.Join(tc.scopes, " "))
				}
				if idt.Subject != u.Sub || !slices.Equal(idt.Audience, []string{md.ClientID}) {
					t.Errorf("id_token sub %s aud %v, want %s %s", idt.Subject, idt.Audience, u.Sub, md.ClientID)
				}
				raw, _ := tok.Extra("id_token").(string)
				if h := jwtHeader(t, raw); h["alg"] != tc.idAlg || h["typ"] != "JWT" {
					t.Errorf("id_token header %v, want alg %s typ JWT", h, tc.idAlg)
				}
				var claims struct {
					AuthTime int64  `json:"auth_time"`
					SID      string `json:"sid"`
					AZP      string `json:"azp"`
				}
				if err := idt.Claims(&claims); err != nil {
					t.Fatal(err)
				}
				if since := time.Since(time.Unix(claims.AuthTime, 0)); since < -time.Second || since > time.Minute || claims.SID == "" || claims.AZP != md.ClientID {
					t.Errorf("id_token auth_time %d sid %q azp %q", claims.AuthTime, claims.SID, claims.AZP)
				}
				if tc.jwt {
					verifyAccessJWT(t, ts, tok.AccessToken, "ES256", md.ClientID, u.Sub)
				}

				info, err := rp.provider.UserInfo(t.Context(), oauth2.StaticTokenSource(tok))
				if err != nil {
					t.Fatalf("userinfo: %v", err)
				}
				var ui map[string]any
				if err := info.Claims(&ui); err != nil {
					t.Fatal(err)
				}
				if info.Subject != u.Sub || ui["preferred_username"] != "alice" || ui["name"] != "Alice Liddell" || ui["nickname"] != "Ally" {
					t.Errorf("userinfo %v", ui)
				}
				if _, hasEmail := ui["email"]; hasEmail != tc.contacts || (tc.contacts && (ui["email"] != "alice@example.com" || ui["phone_number"] != "13800138000")) {
					t.Errorf("userinfo %v: email and phone released %v, want %v", ui, hasEmail, tc.contacts)
				}

				// A code is redeemed once; a second use revokes what the
				// first one gave (RFC 6749 §4.1.2).
				_, err = rp.oauth.Exchange(t.Context(), code, oauth2.VerifierOption(a.verifier))
				if re := retrieveError(t, err); re.ErrorCode != "invalid_grant" || re.Response.StatusCode != http.StatusBadRequest {
					t.Errorf("second redemption: %d %s", re.Response.StatusCode, re.ErrorCode)
				}
				wantInvalidToken(t, ts.get(t, "/userinfo", tok.AccessToken))
			})
		}
	})
}

// verifyAccessJWT checks an RFC 9068 access token against the published
// key set with go-oidc.
func verifyAccessJWT(t *testing.T, ts *testServer, token, alg, clientID, sub string) {
	t.Helper()
	h := jwtHeader(t, token)
	if h["typ"] != "at+jwt" || h["alg"] != alg || h["kid"] == nil {
		t.Errorf("access token header %v, want typ at+jwt alg %s with a kid", h, alg)
	}
	keys := oidc.NewRemoteKeySet(t.Context(), ts.URL+"/.well-known/jwks.json")
	payload, err := keys.VerifySignature(t.Context(), token)
	if err != nil {
		t.Fatalf("access token signature: %v", err)
	}
	var c struct {
		Iss      string `json:"iss"`
		Sub      string `json:"sub"`
		Aud      string `json:"aud"`
		ClientID string `json:"client_id"`
		Exp      int64  `json:"exp"`
		Iat      int64  `json:"iat"`
		JTI      string `json:"jti"`
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	if c.Iss != ts.URL || c.Sub != sub || c.Aud != ts.URL || c.ClientID != clientID || c.JTI == "" || c.Exp <= now || c.Iat > now+1 {
		t.Errorf("access token claims %+v", c)
	}
	sig := token[strings.LastIndex(token, ".")+1:]
	flipped := "A"
	if sig[0] == 'A' {
		flipped = "B"
	}
	if _, err := keys.VerifySignature(t.Context(), token[:strings.LastIndex(token, ".")+1]+flipped+sig[1:]); err == nil {
		t.Error("a tampered access token verified")
	}
}

func TestSessionReuse(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ts := startServer(t, b.config(t))
		md := ts.webClient(t)
		ts.alice(t)
		rp := ts.relyingParty(t, md, "openid", "profile")
		ua := ts.userAgent(t)
		sessionOf := func(idt *oidc.IDToken) (authTime int64, sid string) {
			var c struct {
				AuthTime int64  `json:"auth_time"`
				SID      string `json:"sid"`
			}
			if err := idt.Claims(&c); err != nil {
				t.Fatal(err)
			}
			return c.AuthTime, c.SID
		}

		a := rp.authorize()
		_, first := rp.exchange(t, a, rp.callback(t, a, ua.signIn(a.url, "alice", alicePassword)))
		firstAuth, firstSID := sessionOf(first)

		// Signed in and consented: straight back to the client.
		a = rp.authorize()
		_, second := rp.exchange(t, a, rp.callback(t, a, ua.expect(ua.get(a.url), "redirect").location))
		if at, sid := sessionOf(second); at != firstAuth || sid != firstSID {
			t.Errorf("second authorization: auth_time %d sid %s, want the session's %d %s", at, sid, firstAuth, firstSID)
		}

		// Another browser has no session.
		other := ts.userAgent(t)
		other.expect(other.get(rp.authorize().url), "login")

		// prompt=login signs in again, so the id_token carries the new
		// authentication time; consent is still remembered. The id_tokens
		// that follow carry the session the browser now has.
		time.Sleep(time.Until(time.Unix(firstAuth+1, 0)) + 50*time.Millisecond)
		a = rp.authorize(oauth2.SetAuthURLParam("prompt", "login"))
		relogin := ua.login(ua.expect(ua.get(a.url), "login"), "alice", alicePassword)
		_, third := rp.exchange(t, a, rp.callback(t, a, ua.expect(relogin, "redirect").location))
		reAuth, reSID := sessionOf(third)
		if reAuth <= firstAuth {
			t.Errorf("after prompt=login: auth_time %d, want later than the first sign-in at %d", reAuth, firstAuth)
		}
		a = rp.authorize()
		_, fourth := rp.exchange(t, a, rp.callback(t, a, ua.expect(ua.get(a.url), "redirect").location))
		if at, sid := sessionOf(fourth); at != reAuth || sid != reSID {
			t.Errorf("after prompt=login the id_token had auth_time %d sid %s, the next one %d %s: not the same session",
				reAuth, reSID, at, sid)
		}

		// A scope not consented to yet asks again, without signing in.
		wider := ts.relyingParty(t, md, "openid", "profile", "email")
		a = wider.authorize()
		p := ua.expect(ua.get(a.url), "consent")
		if !strings.Contains(p.body, "<li>email</li>") {
			t.Errorf("the consent page does not list the new scope: %s", p.body)
		}
		tok, _ := wider.exchange(t, a, wider.callback(t, a, ua.expect(ua.consent(p, "allow"), "redirect").location))
		if got, _ := tok.Extra("scope").(string); got != "openid profile email" {
			t.Errorf("granted scope %q", got)
		}

		// Denying sends access_denied back to the client with state.
		a = rp.authorize(oauth2.SetAuthURLParam("prompt", "consent"))
		denied := ua.expect(ua.consent(ua.expect(ua.get(a.url), "consent"), "deny"), "redirect").location
		if q := denied.Query(); q.Get("error") != "access_denied" || q.Get("state") != a.state || q.Get("code") != "" {
			t.Errorf("denied: %s", denied)
		}
	})
}

func TestRefreshRotation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ts := startServer(t, b.config(t))
		md := ts.webClient(t)
		rs := ts.resourceServer(t)
		u := ts.alice(t)
		rp := ts.relyingParty(t, md, "openid", "profile", "offline_access")
		a := rp.authorize()
		tok, _ := rp.exchange(t, a, rp.callback(t, a, ts.userAgent(t).signIn(a.url, "alice", alicePassword)))
		if tok.RefreshToken == "" {
			t.Fatal("no refresh token")
		}

		old := *tok
		tok.Expiry = time.Now().Add(-time.Minute)
		fresh, err := rp.oauth.TokenSource(t.Context(), tok).Token()
		if err != nil {
			t.Fatalf("refresh: %v", err)
		}
		if fresh.AccessToken == old.AccessToken || fresh.RefreshToken == "" || fresh.RefreshToken == old.RefreshToken || !fresh.Valid() {
			t.Fatalf("refresh gave access %q refresh %q (old %q %q)", fresh.AccessToken, fresh.RefreshToken, old.AccessToken, old.RefreshToken)
		}
		if idt := rp.verifyIDToken(t, fresh); idt.Subject != u.Sub {
			t.Errorf("refreshed id_token sub %s, want %s", idt.Subject, u.Sub)
		}
		if ts.active(t, rs, old.AccessToken) {
			t.Error("the access token replaced by the refresh is still active")
		}
		if r := ts.introspect(t, rs, fresh.RefreshToken, "refresh_token"); r.body["active"] != true || r.str("token_type") != "refresh_token" || r.str("sub") != u.Sub {
			t.Errorf("introspection of the new refresh token: %s", r.raw)
		}
		if !ts.active(t, rs, fresh.AccessToken) {
			t.Fatal("the new access token is not active")
		}

		// The rotated-out refresh token is refused, and its use revokes
		// the whole family (RFC 9700 §4.14.2).
		replay := &oauth2.Token{RefreshToken: old.RefreshToken, Expiry: time.Now().Add(-time.Minute)}
		_, err = rp.oauth.TokenSource(t.Context(), replay).Token()
		if re := retrieveError(t, err); re.ErrorCode != "invalid_grant" || re.Response.StatusCode != http.StatusBadRequest {
			t.Errorf("reused refresh token: %d %s", re.Response.StatusCode, re.ErrorCode)
		}
		for name, tok := range map[string]string{"access": fresh.AccessToken, "refresh": fresh.RefreshToken} {
			if ts.active(t, rs, tok) {
				t.Errorf("the family's %s token is still active after the replay", name)
			}
		}
		wantInvalidToken(t, ts.get(t, "/userinfo", fresh.AccessToken))
		_, err = rp.oauth.TokenSource(t.Context(), &oauth2.Token{RefreshToken: fresh.RefreshToken, Expiry: time.Now().Add(-time.Minute)}).Token()
		if re := retrieveError(t, err); re.ErrorCode != "invalid_grant" {
			t.Errorf("refresh with the revoked family: %s", re.ErrorCode)
		}
	})
}

func TestClientCredentialsIntrospectionRevocation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ts := startServer(t, b.config(t))
		svc := ts.createClient(t, "--name", "Billing", "--client-id", "billing", "--grant-type", "client_credentials", "--scope", "api,read")
		rs := ts.resourceServer(t)

		tok, err := ts.serviceToken(t, svc, "api")
		if err != nil {
			t.Fatalf("client_credentials: %v", err)
		}
		if tok.RefreshToken != "" || tok.Extra("id_token") != nil || tok.Extra("scope") != "api" {
			t.Errorf("client_credentials response: refresh %q id_token %v scope %v", tok.RefreshToken, tok.Extra("id_token"), tok.Extra("scope"))
		}

		bad := svc
		bad.ClientSecret = "not-the-secret"
		_, err = ts.serviceToken(t, bad, "api")
		if re := retrieveError(t, err); re.ErrorCode != "invalid_client" || re.Response.StatusCode != http.StatusUnauthorized {
			t.Errorf("wrong secret: %d %s", re.Response.StatusCode, re.ErrorCode)
		}
		_, err = ts.serviceToken(t, svc, "admin")
		if re := retrieveError(t, err); re.ErrorCode != "invalid_scope" {
			t.Errorf("unregistered scope: %s", re.ErrorCode)
		}

		r := ts.introspect(t, rs, tok.AccessToken, "")
		now := time.Now().Unix()
		exp, _ := r.body["exp"].(float64)
		if r.body["active"] != true || r.str("client_id") != "billing" || r.str("scope") != "api" || r.str("iss") != ts.URL ||
			r.str("token_type") != "Bearer" || r.str("sub") != "billing" || int64(exp) <= now || int64(exp) > now+3700 {
			t.Errorf("introspection: %s", r.raw)
		}
		if r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("introspection response Cache-Control %q", r.header.Get("Cache-Control"))
		}
		stranger := rs
		stranger.ClientSecret = "wrong"
		if r := ts.postForm(t, "/oauth2/introspect", url.Values{"token": {tok.AccessToken}}, stranger); r.status != http.StatusUnauthorized || r.str("error") != "invalid_client" {
			t.Errorf("introspection with a wrong secret: %d %s", r.status, r.raw)
		}

		// Only the client the token was issued to may revoke it.
		if r := ts.postForm(t, "/oauth2/revoke", url.Values{"token": {tok.AccessToken}}, rs); r.status != http.StatusBadRequest || r.str("error") != "unauthorized_client" {
			t.Errorf("revocation by another client: %d %s", r.status, r.raw)
		}
		if !ts.active(t, rs, tok.AccessToken) {
			t.Fatal("another client revoked the token")
		}
		if r := ts.postForm(t, "/oauth2/revoke", url.Values{"token": {tok.AccessToken}, "token_type_hint": {"access_token"}}, svc); r.status != http.StatusOK {
			t.Fatalf("revocation: %d %s", r.status, r.raw)
		}
		if r := ts.introspect(t, rs, tok.AccessToken, ""); r.body["active"] != false || len(r.body) != 1 {
			t.Errorf("introspection after revocation: %s", r.raw)
		}
		wantInvalidToken(t, ts.get(t, "/userinfo", tok.AccessToken))
		// RFC 7009 §2.2: revoking again, or an unknown token, is fine.
		if r := ts.postForm(t, "/oauth2/revoke", url.Values{"token": {tok.AccessToken}}, svc); r.status != http.StatusOK {
			t.Errorf("second revocation: %d %s", r.status, r.raw)
		}
	})
}

func TestJWTAccessToken(t *testing.T) {
	cases := []struct{ alg, flag string }{{"ES256", "ES256"}, {"RS256", ""}}
	forEachBackend(t, func(t *testing.T, b backend) {
		ts := startServer(t, b.config(t))
		rs := ts.resourceServer(t)
		for _, tc := range cases {
			t.Run(tc.alg, func(t *testing.T) {
				args := []string{"--name", "JWT " + tc.alg, "--client-id", "jwt-" + strings.ToLower(tc.alg), "--grant-type", "client_credentials",
					"--scope", "api", "--access-token-format", "jwt"}
				if tc.flag != "" {
					args = append(args, "--access-token-alg", tc.flag)
				}
				md := ts.createClient(t, args...)
				if md.AccessTokenFormat != "jwt" {
					t.Fatalf("access_token_format %q", md.AccessTokenFormat)
				}
				tok, err := ts.serviceToken(t, md)
				if err != nil {
					t.Fatalf("client_credentials: %v", err)
				}
				verifyAccessJWT(t, ts, tok.AccessToken, tc.alg, md.ClientID, md.ClientID)
				if !ts.active(t, rs, tok.AccessToken) {
					t.Fatal("the JWT access token is not active")
				}
				// A JWT access token is revocable like any other.
				if r := ts.postForm(t, "/oauth2/revoke", url.Values{"token": {tok.AccessToken}}, md); r.status != http.StatusOK {
					t.Fatalf("revocation: %d %s", r.status, r.raw)
				}
				if ts.active(t, rs, tok.AccessToken) {
					t.Error("the revoked JWT access token is still active")
				}
			})
		}
	})
}

func TestLogout(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ts := startServer(t, b.config(t))
		md := ts.webClient(t)
		ts.alice(t)
		rp := ts.relyingParty(t, md, "openid")
		ua := ts.userAgent(t)
		a := rp.authorize()
		tok, _ := rp.exchange(t, a, rp.callback(t, a, ua.signIn(a.url, "alice", alicePassword)))
		hint, _ := tok.Extra("id_token").(string)
		ua.expect(ua.get(rp.authorize().url), "redirect") // still signed in

		logout := func(q url.Values) page { return ua.get(ts.URL + "/oauth2/logout?" + q.Encode()) }

		// An unregistered destination is refused, and the session stays.
		p := logout(url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {"https://evil.example/"}})
		if p.status != http.StatusBadRequest || p.location != nil {
			t.Errorf("logout to an unregistered URI: %d %v", p.status, p.location)
		}
		ua.expect(ua.get(rp.authorize().url), "redirect")

		p = ua.expect(logout(url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {webSignedOut}, "state": {"bye-1"}}), "redirect")
		if p.status != http.StatusSeeOther || p.location.String() != webSignedOut+"?state=bye-1" {
			t.Errorf("logout redirect %d %v, want 303 to %s?state=bye-1", p.status, p.location, webSignedOut)
		}
		ua.expect(ua.get(rp.authorize().url), "login")
	})
}

func TestHealth(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ts := startServer(t, b.config(t))
		if r := ts.get(t, "/healthz", ""); r.status != http.StatusOK || r.str("status") != "ok" {
			t.Errorf("healthz: %d %s", r.status, r.raw)
		}
		r := ts.get(t, "/readyz", "")
		checks, _ := r.body["checks"].(map[string]any)
		if r.status != http.StatusOK || r.str("status") != "ok" || checks["database"] != "ok" || checks["token_store"] != "ok" || len(checks) != 2 {
			t.Errorf("readyz: %d %s", r.status, r.raw)
		}
	})
}

func TestUnmatchedPaths(t *testing.T) {
	srv := startServer(t, backends(t)[0].config(t))
	tests := []struct {
		method, path string
		status       int
		json         bool
	}{
		{"GET", "/admin/v1/nope", http.StatusNotFound, true},
		{"DELETE", "/admin/v1/audit", http.StatusMethodNotAllowed, true},
		{"GET", "/nope", http.StatusNotFound, false},
		{"GET", "/oauth2/token", http.StatusMethodNotAllowed, false},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, srv.URL+tt.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct{ Error string }
			isJSON := json.NewDecoder(resp.Body).Decode(&body) == nil && body.Error != ""
			if resp.StatusCode != tt.status || isJSON != tt.json {
				t.Fatalf("%d json=%v (%q)", resp.StatusCode, isJSON, body.Error)
			}
		})
	}
}
