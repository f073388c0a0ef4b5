package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/clientreg"
	"github.com/tongxing/tongxing/provider/credentials"
)

// relyingParty is a client of the provider built on golang.org/x/oauth2
// and go-oidc, as an application would use them.
type relyingParty struct {
	issuer   string
	md       clientreg.Metadata
	provider *oidc.Provider
	oauth    *oauth2.Config
	verifier *oidc.IDTokenVerifier
}

// discover runs OpenID Connect discovery against the server.
func (ts *testServer) discover(t *testing.T) *oidc.Provider {
	t.Helper()
	p, err := oidc.NewProvider(t.Context(), ts.URL)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	return p
}

// authStyle is how x/oauth2 must send the credentials of a client
// registered with method.
func authStyle(method string) oauth2.AuthStyle {
	if method == models.AuthMethodBasic {
		return oauth2.AuthStyleInHeader
	}
	return oauth2.AuthStyleInParams
}

// relyingParty configures a client of md asking for scopes at its first
// redirect URI.
func (ts *testServer) relyingParty(t *testing.T, md clientreg.Metadata, scopes ...string) *relyingParty {
	t.Helper()
	p := ts.discover(t)
	ep := p.Endpoint()
	ep.AuthStyle = authStyle(md.TokenEndpointAuthMethod)
	rp := &relyingParty{issuer: ts.URL, md: md, provider: p, verifier: p.Verifier(&oidc.Config{ClientID: md.ClientID})}
	rp.oauth = &oauth2.Config{ClientID: md.ClientID, ClientSecret: md.ClientSecret, Endpoint: ep, Scopes: scopes}
	if len(md.RedirectURIs) > 0 {
		rp.oauth.RedirectURL = md.RedirectURIs[0]
	}
	return rp
}

// authorization is one authorization request with its secrets.
type authorization struct {
	url, state, nonce, verifier string
}

// authorize builds an authorization request with state, nonce and PKCE.
func (rp *relyingParty) authorize(opts ...oauth2.AuthCodeOption) authorization {
	a := authorization{state: credentials.RandomToken(12), nonce: credentials.RandomToken(12), verifier: oauth2.GenerateVerifier()}
	opts = append([]oauth2.AuthCodeOption{oauth2.S256ChallengeOption(a.verifier), oidc.Nonce(a.nonce)}, opts...)
	a.url = rp.oauth.AuthCodeURL(a.state, opts...)
	return a
}

// callback checks the redirect to the client and returns its code.
func (rp *relyingParty) callback(t *testing.T, a authorization, loc *url.URL) string {
	t.Helper()
	if loc == nil {
		t.Fatal("no redirect to the client")
	}
	q := loc.Query()
	if base := loc.Scheme + "://" + loc.Host + loc.Path; base != rp.oauth.RedirectURL {
		t.Fatalf("redirected to %s, want the redirect URI %s", loc, rp.oauth.RedirectURL)
	}
	if q.Get("error") != "" {
		t.Fatalf("authorization error: %s", loc)
	}
	if q.Get("state") != a.state {
		t.Errorf("state = %q, want %q", q.Get("state"), a.state)
	}
	if iss := q.Get("iss"); iss != rp.issuer {
		t.Errorf("iss = %q, want %q", iss, rp.issuer)
	}
	code := q.Get("code")
	if code == "" {
		t.Fatalf("no code in %s", loc)
	}
	return code
}

// exchange redeems the code and verifies the id_token: signature,
// issuer, audience, expiry, nonce and at_hash.
func (rp *relyingParty) exchange(t *testing.T, a authorization, code string) (*oauth2.Token, *oidc.IDToken) {
	t.Helper()
	tok, err := rp.oauth.Exchange(t.Context(), code, oauth2.VerifierOption(a.verifier))
	if err != nil {
		t.Fatalf("code exchange: %v", err)
	}
	idt := rp.verifyIDToken(t, tok)
	if idt.Nonce != a.nonce {
		t.Errorf("id_token nonce = %q, want %q", idt.Nonce, a.nonce)
	}
	return tok, idt
}

// verifyIDToken verifies the id_token of a token response and its at_hash.
func (rp *relyingParty) verifyIDToken(t *testing.T, tok *oauth2.Token) *oidc.IDToken {
	t.Helper()
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		t.Fatal("no id_token in the token response")
	}
	idt, err := rp.verifier.Verify(t.Context(), raw)
	if err != nil {
		t.Fatalf("id_token: %v", err)
	}
	if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
		t.Errorf("at_hash: %v", err)
	}
	if idt.VerifyAccessToken(tok.AccessToken+"x") == nil {
		t.Error("at_hash matches a different access token")
	}
	return idt
}

// jwtHeader decodes the protected header of a compact JWS.
func jwtHeader(t *testing.T, raw string) map[string]any {
	t.Helper()
	seg, _, ok := strings.Cut(raw, ".")
	if !ok || strings.Count(raw, ".") != 2 {
		t.Fatalf("not a compact JWS: %q", raw)
	}
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatalf("JWS header: %v", err)
	}
	var h map[string]any
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatalf("JWS header: %v", err)
	}
	return h
}

// retrieveError returns the token endpoint error of err, failing the test
// when err is something else.
func retrieveError(t *testing.T, err error) *oauth2.RetrieveError {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Fatalf("want a token endpoint error, got %v", err)
	}
	return re
}

// serviceToken gets a token with the client credentials grant.
func (ts *testServer) serviceToken(t *testing.T, md clientreg.Metadata, scopes ...string) (*oauth2.Token, error) {
	t.Helper()
	cc := clientcredentials.Config{ClientID: md.ClientID, ClientSecret: md.ClientSecret, TokenURL: ts.URL + "/oauth2/token",
		Scopes: scopes, AuthStyle: authStyle(md.TokenEndpointAuthMethod)}
	return cc.Token(t.Context())
}

// response is a decoded JSON response.
type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (r response) str(k string) string { s, _ := r.body[k].(string); return s }

// call sends a request and decodes a JSON answer.
func call(t *testing.T, req *http.Request) response {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := response{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") && len(raw) > 0 {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			t.Fatalf("bad JSON %q: %v", raw, err)
		}
	}
	return r
}

// postForm posts a form authenticated as the client md.
func (ts *testServer) postForm(t *testing.T, path string, form url.Values, md clientreg.Metadata) response {
	t.Helper()
	if md.TokenEndpointAuthMethod != models.AuthMethodBasic {
		form.Set("client_id", md.ClientID)
		if md.ClientSecret != "" {
			form.Set("client_secret", md.ClientSecret)
		}
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, ts.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if md.TokenEndpointAuthMethod == models.AuthMethodBasic {
		req.SetBasicAuth(url.QueryEscape(md.ClientID), url.QueryEscape(md.ClientSecret))
	}
	return call(t, req)
}

// get sends a GET with an optional bearer token.
func (ts *testServer) get(t *testing.T, path, bearer string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	return call(t, req)
}

// introspect asks, as the resource server rs, about token (RFC 7662).
func (ts *testServer) introspect(t *testing.T, rs clientreg.Metadata, token, hint string) response {
	t.Helper()
	form := url.Values{"token": {token}}
	if hint != "" {
		form.Set("token_type_hint", hint)
	}
	r := ts.postForm(t, "/oauth2/introspect", form, rs)
	if r.status != http.StatusOK {
		t.Fatalf("introspection: %d %s", r.status, r.raw)
	}
	if _, ok := r.body["active"].(bool); !ok {
		t.Fatalf("introspection without active: %s", r.raw)
	}
	return r
}

// active reports whether introspection by rs says token is active.
func (ts *testServer) active(t *testing.T, rs clientreg.Metadata, token string) bool {
	t.Helper()
	return ts.introspect(t, rs, token, "").body["active"] == true
}

// resourceServer registers a confidential client that introspects.
func (ts *testServer) resourceServer(t *testing.T) clientreg.Metadata {
	t.Helper()
	return ts.createClient(t, "--name", "Resource server", "--client-id", "rs", "--grant-type", "client_credentials", "--scope", "introspect")
}

// wantInvalidToken checks a protected resource's answer to a bad token
// (RFC 6750 §3).
func wantInvalidToken(t *testing.T, r response) {
	t.Helper()
	challenge := r.header.Get("WWW-Authenticate")
	if r.status != http.StatusUnauthorized || !strings.HasPrefix(challenge, "Bearer ") || !strings.Contains(challenge, `error="invalid_token"`) {
		t.Errorf("want 401 with a Bearer invalid_token challenge, got %d %q %s", r.status, challenge, r.raw)
	}
}
