package provider_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider"
	"github.com/tongxing/tongxing/provider/clientreg"
)

func TestTokenEndpointErrors(t *testing.T) {
	e := newEnv(t)
	svcID, svcSecret := e.client(clientreg.Metadata{ClientID: "svc", ClientName: "svc", GrantTypes: []string{"client_credentials"}, Scope: "api read"})
	postID, postSecret := e.client(clientreg.Metadata{ClientID: "svc-post", ClientName: "p", GrantTypes: []string{"client_credentials"},
		Scope: "api", TokenEndpointAuthMethod: "client_secret_post"})
	webID, webSecret := e.webClient("web")
	pubID, _ := e.client(clientreg.Metadata{ClientID: "spa", ClientName: "spa", GrantTypes: []string{"authorization_code"},
		RedirectURIs: []string{callback}, TokenEndpointAuthMethod: "none", Scope: "openid"})
	offID, offSecret := e.client(clientreg.Metadata{ClientID: "off", ClientName: "off", GrantTypes: []string{"client_credentials"}, Scope: "api"})
	off, _ := e.records.Clients.Get(context.Background(), offID)
	off.Enabled = false
	if err := e.records.Clients.Update(context.Background(), off); err != nil {
		t.Fatal(err)
	}
	cc := url.Values{"grant_type": {"client_credentials"}}
	tests := []struct {
		name        string
		form        url.Values
		basic       []string
		contentType string
		status      int
		code        string
		challenge   bool // a WWW-Authenticate: Basic challenge is due
	}{
		{"no grant type", url.Values{}, []string{svcID, svcSecret}, "", 400, "invalid_request", false},
		{"unknown grant type", url.Values{"grant_type": {"urn:x"}}, []string{svcID, svcSecret}, "", 400, "unsupported_grant_type", false},
		{"password grant is off", url.Values{"grant_type": {"password"}, "username": {"a"}, "password": {"b"}}, []string{svcID, svcSecret}, "", 400, "unsupported_grant_type", false},
		{"implicit is not a grant", url.Values{"grant_type": {"implicit"}}, []string{svcID, svcSecret}, "", 400, "unsupported_grant_type", false},
		{"repeated parameter", url.Values{"grant_type": {"client_credentials", "client_credentials"}}, []string{svcID, svcSecret}, "", 400, "invalid_request", false},
		{"json body", cc, []string{svcID, svcSecret}, "application/json", 400, "invalid_request", false},
		{"no client authentication", cc, nil, "", 401, "invalid_client", true},
		{"unknown client", cc, []string{"nobody", "x"}, "", 401, "invalid_client", true},
		{"wrong secret", cc, []string{svcID, svcSecret + "x"}, "", 401, "invalid_client", true},
		{"empty secret", cc, []string{svcID, ""}, "", 401, "invalid_client", true},
		{"disabled client", cc, []string{offID, offSecret}, "", 401, "invalid_client", true},
		{"basic client using post", url.Values{"grant_type": {"client_credentials"}, "client_id": {svcID}, "client_secret": {svcSecret}}, nil, "", 401, "invalid_client", true},
		{"post client using basic", cc, []string{postID, postSecret}, "", 401, "invalid_client", true},
		{"two methods at once", url.Values{"grant_type": {"client_credentials"}, "client_secret": {svcSecret}}, []string{svcID, svcSecret}, "", 400, "invalid_request", false},
		{"client_id differs from basic", url.Values{"grant_type": {"client_credentials"}, "client_id": {webID}}, []string{svcID, svcSecret}, "", 400, "invalid_request", false},
		{"public client claims a secret", url.Values{"grant_type": {"authorization_code"}, "client_id": {pubID}, "client_secret": {"x"}}, nil, "", 401, "invalid_client", true},
		{"grant not registered", cc, []string{webID, webSecret}, "", 400, "unauthorized_client", false},
		{"public client and client_credentials", url.Values{"grant_type": {"client_credentials"}, "client_id": {pubID}}, nil, "", 400, "unauthorized_client", false},
		{"scope not registered", url.Values{"grant_type": {"client_credentials"}, "scope": {"admin"}}, []string{svcID, svcSecret}, "", 400, "invalid_scope", false},
		{"user scope without user", url.Values{"grant_type": {"client_credentials"}, "scope": {"openid"}}, []string{svcID, svcSecret}, "", 400, "invalid_scope", false},
		{"code missing", url.Values{"grant_type": {"authorization_code"}, "redirect_uri": {callback}}, []string{webID, webSecret}, "", 400, "invalid_request", false},
		{"redirect missing", url.Values{"grant_type": {"authorization_code"}, "code": {"x"}}, []string{webID, webSecret}, "", 400, "invalid_request", false},
		{"malformed verifier", url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "redirect_uri": {callback}, "code_verifier": {"short"}}, []string{webID, webSecret}, "", 400, "invalid_request", false},
		{"unknown code", url.Values{"grant_type": {"authorization_code"}, "code": {"nope"}, "redirect_uri": {callback}}, []string{webID, webSecret}, "", 400, "invalid_grant", false},
		{"refresh missing", url.Values{"grant_type": {"refresh_token"}}, []string{webID, webSecret}, "", 400, "invalid_request", false},
		{"unknown refresh", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"nope"}}, []string{webID, webSecret}, "", 400, "invalid_grant", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/oauth2/token", strings.NewReader(tt.form.Encode()))
			ct := tt.contentType
			if ct == "" {
				ct = "application/x-www-form-urlencoded"
			}
			req.Header.Set("Content-Type", ct)
			if tt.basic != nil {
				req.SetBasicAuth(tt.basic[0], tt.basic[1])
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			r := decode(t, resp)
			wantError(t, r, tt.status, tt.code)
			if got := r.header.Get("WWW-Authenticate"); tt.challenge != strings.HasPrefix(got, "Basic") {
				t.Errorf("WWW-Authenticate = %q", got)
			}
		})
	}
	t.Run("GET is not allowed", func(t *testing.T) {
		if r := e.get("/oauth2/token?grant_type=client_credentials", ""); r.status != http.StatusMethodNotAllowed {
			t.Fatalf("status %d", r.status)
		}
	})
	t.Run("malformed form encoding", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/oauth2/token", strings.NewReader("grant_type=client_credentials&scope=%zz"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(svcID, svcSecret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		wantError(t, decode(t, resp), 400, "invalid_request")
	})
	t.Run("oversized body", func(t *testing.T) {
		r := e.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "pad": {strings.Repeat("x", 70<<10)}}, svcID, svcSecret)
		wantError(t, r, 400, "invalid_request")
	})
	t.Run("post client succeeds with post", func(t *testing.T) {
		r := e.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {postID}, "client_secret": {postSecret}})
		if r.status != 200 || r.str("scope") != "api" {
			t.Fatalf("%d %s", r.status, r.raw)
		}
	})
}

func TestClientCredentials(t *testing.T) {
	e := newEnv(t)
	id, secret := e.client(clientreg.Metadata{ClientID: "svc", ClientName: "svc", GrantTypes: []string{"client_credentials"}, Scope: "api read"})
	rsID, rsSecret := e.resourceServer()
	r := e.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, id, secret)
	if r.status != 200 || r.str("scope") != "api read" || r.str("refresh_token") != "" || r.str("id_token") != "" {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	r2 := e.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}}, id, secret)
	if r2.str("scope") != "read" || r2.str("access_token") == r.str("access_token") {
		t.Fatalf("%s", r2.raw)
	}
	if !e.active(r.str("access_token"), rsID, rsSecret) {
		t.Fatal("fresh token inactive")
	}
	e.clock.Advance(time.Hour + time.Second)
	if e.active(r.str("access_token"), rsID, rsSecret) {
		t.Fatal("expired token active")
	}
	if info := e.get("/userinfo", r.str("access_token")); info.status != 401 || !strings.Contains(info.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Fatalf("userinfo with expired token: %d %v", info.status, info.header)
	}
}

func TestJWTAccessTokens(t *testing.T) {
	for _, alg := range []string{"RS256", "ES256"} {
		t.Run(alg, func(t *testing.T) {
			e := newEnv(t)
			id, secret := e.client(clientreg.Metadata{ClientID: "jwt", ClientName: "jwt", GrantTypes: []string{"client_credentials"},
				Scope: "api", AccessTokenFormat: "jwt", AccessTokenAlg: alg})
			rsID, rsSecret := e.resourceServer()
			seen := map[string]bool{}
			for range 5 { // all within one second: each must still be unique
				r := e.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, id, secret)
				tok := r.str("access_token")
				if r.status != 200 || seen[tok] {
					t.Fatalf("%d duplicate=%v", r.status, seen[tok])
				}
				seen[tok] = true
				claims := verifyJWT(t, e, tok, "at+jwt")
				for k, want := range map[string]any{"iss": e.issuer(), "sub": id, "client_id": id, "aud": e.issuer(), "scope": "api"} {
					if claims[k] != want {
						t.Errorf("%s = %v, want %v", k, claims[k], want)
					}
				}
				if claims["jti"] == nil || claims["exp"] == nil || claims["iat"] == nil {
					t.Errorf("claims %v", claims)
				}
				if !e.active(tok, rsID, rsSecret) {
					t.Error("JWT access token not introspectable")
				}
			}
		})
	}
}

func TestCodeRedemptionErrors(t *testing.T) {
	e := newEnv(t)
	webID, webSecret := e.webClient("web")
	otherID, otherSecret := e.webClient("other")
	rsID, rsSecret := e.resourceServer()
	e.user("carol", "carol-password")
	// code returns a fresh code with its verifier.
	code := func(t *testing.T, pkced bool) (string, string) {
		extra := url.Values{}
		verifier, challenge := pkce()
		if pkced {
			extra.Set("code_challenge", challenge)
			extra.Set("code_challenge_method", "S256")
		}
		b := e.browser()
		loc := e.signIn(b, e.authorizeURL(webID, extra), "carol", "carol-password")
		return loc.Query().Get("code"), verifier
	}
	redeem := func(id, secret string, form url.Values) result {
		form.Set("grant_type", "authorization_code")
		if !form.Has("redirect_uri") {
			form.Set("redirect_uri", callback)
		}
		return e.post("/oauth2/token", form, id, secret)
	}
	t.Run("reused code fails and revokes what it issued", func(t *testing.T) {
		c, v := code(t, true)
		first := redeem(webID, webSecret, url.Values{"code": {c}, "code_verifier": {v}})
		if first.status != 200 {
			t.Fatal(first.raw)
		}
		wantError(t, redeem(webID, webSecret, url.Values{"code": {c}, "code_verifier": {v}}), 400, "invalid_grant")
		if e.active(first.str("access_token"), rsID, rsSecret) || e.active(first.str("refresh_token"), rsID, rsSecret) {
			t.Fatal("tokens of a replayed code are still active")
		}
	})
	t.Run("reused code of a client without refresh tokens", func(t *testing.T) {
		id, secret := e.client(clientreg.Metadata{ClientID: "norefresh", ClientName: "n", GrantTypes: []string{"authorization_code"},
			RedirectURIs: []string{callback}, Scope: "openid profile"})
		verifier, challenge := pkce()
		loc := e.signIn(e.browser(), e.authorizeURL(id, url.Values{"code_challenge": {challenge}, "code_challenge_method": {"S256"}}), "carol", "carol-password")
		form := url.Values{"code": {loc.Query().Get("code")}, "code_verifier": {verifier}}
		first := redeem(id, secret, form)
		if first.status != 200 || first.str("refresh_token") != "" {
			t.Fatal(first.raw)
		}
		wantError(t, redeem(id, secret, form), 400, "invalid_grant")
		if e.active(first.str("access_token"), rsID, rsSecret) {
			t.Fatal("the access token of a replayed code is still active")
		}
	})
	t.Run("code of another client", func(t *testing.T) {
		c, v := code(t, true)
		wantError(t, redeem(otherID, otherSecret, url.Values{"code": {c}, "code_verifier": {v}}), 400, "invalid_grant")
		// and the rightful client can still redeem it
		if r := redeem(webID, webSecret, url.Values{"code": {c}, "code_verifier": {v}}); r.status != 200 {
			t.Fatal(r.raw)
		}
	})
	t.Run("different redirect uri", func(t *testing.T) {
		c, v := code(t, true)
		wantError(t, redeem(webID, webSecret, url.Values{"code": {c}, "code_verifier": {v}, "redirect_uri": {"https://rp.example/other"}}), 400, "invalid_grant")
	})
	t.Run("suffix-matching redirect uri", func(t *testing.T) {
		c, v := code(t, true)
		wantError(t, redeem(webID, webSecret, url.Values{"code": {c}, "code_verifier": {v}, "redirect_uri": {"https://evil-rp.example/cb"}}), 400, "invalid_grant")
	})
	t.Run("missing verifier", func(t *testing.T) {
		c, _ := code(t, true)
		wantError(t, redeem(webID, webSecret, url.Values{"code": {c}}), 400, "invalid_grant")
	})
	t.Run("wrong verifier", func(t *testing.T) {
		c, _ := code(t, true)
		other, _ := pkce()
		wantError(t, redeem(webID, webSecret, url.Values{"code": {c}, "code_verifier": {other}}), 400, "invalid_grant")
	})
	t.Run("verifier for a code without challenge", func(t *testing.T) {
		c, v := code(t, false)
		wantError(t, redeem(webID, webSecret, url.Values{"code": {c}, "code_verifier": {v}}), 400, "invalid_grant")
	})
	t.Run("confidential client without pkce", func(t *testing.T) {
		c, _ := code(t, false)
		if r := redeem(webID, webSecret, url.Values{"code": {c}}); r.status != 200 {
			t.Fatal(r.raw)
		}
	})
	t.Run("disabled user", func(t *testing.T) {
		c, v := code(t, true)
		u, _ := e.records.Users.GetByUsername(context.Background(), "carol")
		u.Disabled = true
		_ = e.records.Users.Update(context.Background(), u)
		defer func() { u.Disabled = false; _ = e.records.Users.Update(context.Background(), u) }()
		wantError(t, redeem(webID, webSecret, url.Values{"code": {c}, "code_verifier": {v}}), 400, "invalid_grant")
	})
}

func TestExpiredCode(t *testing.T) {
	// The engine judges code expiry by the wall clock, so this test waits.
	e := newEnv(t, func(c *provider.Config) { c.Lifetimes.Code = time.Second })
	id, secret := e.webClient("web")
	e.user("dave", "dave-password")
	verifier, challenge := pkce()
	loc := e.signIn(e.browser(), e.authorizeURL(id, url.Values{"code_challenge": {challenge}, "code_challenge_method": {"S256"}}), "dave", "dave-password")
	time.Sleep(1100 * time.Millisecond)
	r := e.post("/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")},
		"redirect_uri": {callback}, "code_verifier": {verifier}}, id, secret)
	wantError(t, r, 400, "invalid_grant")
}

func TestRefreshRotation(t *testing.T) {
	e := newEnv(t)
	webID, webSecret := e.webClient("web")
	otherID, otherSecret := e.webClient("other")
	rsID, rsSecret := e.resourceServer()
	e.user("erin", "erin-password")
	refresh := func(id, secret, token string, extra ...string) result {
		f := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}}
		if len(extra) == 2 {
			f.Set(extra[0], extra[1])
		}
		return e.post("/oauth2/token", f, id, secret)
	}
	first := e.codeFlow(webID, webSecret, "erin", "erin-password")

	t.Run("another client cannot redeem it", func(t *testing.T) {
		wantError(t, refresh(otherID, otherSecret, first.str("refresh_token")), 400, "invalid_grant")
	})
	t.Run("wrong secret cannot redeem it", func(t *testing.T) {
		wantError(t, refresh(webID, "wrong", first.str("refresh_token")), 401, "invalid_client")
	})
	t.Run("scope cannot grow", func(t *testing.T) {
		wantError(t, refresh(webID, webSecret, first.str("refresh_token"), "scope", "openid profile email"), 400, "invalid_scope")
	})
	second := refresh(webID, webSecret, first.str("refresh_token"), "scope", "openid")
	if second.status != 200 || second.str("refresh_token") == first.str("refresh_token") || second.str("scope") != "openid" || second.str("id_token") == "" {
		t.Fatalf("rotation: %d %s", second.status, second.raw)
	}
	if e.active(first.str("access_token"), rsID, rsSecret) {
		t.Error("the rotated-out access token is still active")
	}
	if !e.active(second.str("access_token"), rsID, rsSecret) {
		t.Fatal("the new access token is inactive")
	}
	t.Run("reuse revokes the family", func(t *testing.T) {
		wantError(t, refresh(webID, webSecret, first.str("refresh_token")), 400, "invalid_grant")
		if e.active(second.str("access_token"), rsID, rsSecret) || e.active(second.str("refresh_token"), rsID, rsSecret) {
			t.Fatal("a reused refresh token left its family alive")
		}
		wantError(t, refresh(webID, webSecret, second.str("refresh_token")), 400, "invalid_grant")
	})
	t.Run("expired refresh token", func(t *testing.T) {
		r := e.codeFlow(webID, webSecret, "erin", "erin-password")
		e.clock.Advance(25 * time.Hour)
		wantError(t, refresh(webID, webSecret, r.str("refresh_token")), 400, "invalid_grant")
	})
}

func TestConcurrentRefreshHasOneWinner(t *testing.T) {
	e := newEnv(t)
	id, secret := e.webClient("web")
	e.user("fay", "fay-password")
	tok := e.codeFlow(id, secret, "fay", "fay-password").str("refresh_token")
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.post("/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok}}, id, secret)
			if r.status == 200 {
				mu.Lock()
				ok++
				mu.Unlock()
			} else if r.status != 400 {
				t.Errorf("status %d %s", r.status, r.raw)
			}
		}()
	}
	wg.Wait()
	if ok > 1 {
		t.Fatalf("%d rotations of one refresh token succeeded", ok)
	}
}

func TestDisabledClientTokensFail(t *testing.T) {
	e := newEnv(t)
	id, secret := e.client(clientreg.Metadata{ClientID: "svc", ClientName: "svc", GrantTypes: []string{"client_credentials"}, Scope: "api"})
	rsID, rsSecret := e.resourceServer()
	tok := e.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, id, secret).str("access_token")
	c, _ := e.records.Clients.Get(context.Background(), id)
	c.Enabled = false
	if err := e.records.Clients.Update(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if e.active(tok, rsID, rsSecret) {
		t.Fatal("token of a disabled client is active")
	}
	var _ models.Client
}

func TestRecordCacheSemantics(t *testing.T) {
	// With a record cache, a change reaches an instance within the TTL; a
	// new secret works at once because a failure reads afresh.
	e := newEnv(t, func(c *provider.Config) { c.RecordCacheTTL = time.Minute })
	ctx := context.Background()
	id, oldSecret := e.client(clientreg.Metadata{ClientID: "svc", ClientName: "svc", GrantTypes: []string{"client_credentials"}, Scope: "api"})
	rsID, rsSecret := e.resourceServer()
	cc := func(secret string) result {
		return e.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, id, secret)
	}
	tok := cc(oldSecret).str("access_token")
	if !e.active(tok, rsID, rsSecret) {
		t.Fatal("token inactive")
	}
	c, _ := e.records.Clients.Get(ctx, id)
	c.SecretHash = e.secrets.Hash("new-secret")
	c.Enabled = false
	if err := e.records.Clients.Update(ctx, c); err != nil {
		t.Fatal(err)
	}
	// Within the TTL the cached record still answers.
	if r := cc(oldSecret); r.status != 200 {
		t.Fatalf("the cached record was not used: %d", r.status)
	}
	if !e.active(tok, rsID, rsSecret) {
		t.Fatal("the cached record was not used for introspection")
	}
	// A failure reads afresh: the new secret meets a disabled client.
	wantError(t, cc("new-secret"), 401, "invalid_client")
	e.clock.Advance(time.Minute)
	wantError(t, cc(oldSecret), 401, "invalid_client")
	if e.active(tok, rsID, rsSecret) {
		t.Fatal("a disabled client's token is active after the TTL")
	}
	c, _ = e.records.Clients.Get(ctx, id)
	c.Enabled = true
	if err := e.records.Clients.Update(ctx, c); err != nil {
		t.Fatal(err)
	}
	if r := cc("new-secret"); r.status != 200 {
		t.Fatalf("a re-enabled client with its new secret: %d %s", r.status, r.raw)
	}
}
