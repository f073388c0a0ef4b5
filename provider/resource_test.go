package provider_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider"
	"github.com/tongxing/tongxing/provider/clientreg"
)

func TestUserinfo(t *testing.T) {
	e := newEnv(t)
	id, secret := e.webClient("web")
	svcID, svcSecret := e.client(clientreg.Metadata{ClientID: "svc", ClientName: "svc", GrantTypes: []string{"client_credentials"}, Scope: "api"})
	u := e.user("ivy", "ivy-password")
	tok := e.codeFlow(id, secret, "ivy", "ivy-password").str("access_token")
	ccTok := e.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, svcID, svcSecret).str("access_token")

	t.Run("form body", func(t *testing.T) {
		r := e.post("/userinfo", url.Values{"access_token": {tok}})
		if r.status != 200 || r.str("sub") != u.ID {
			t.Fatalf("%d %s", r.status, r.raw)
		}
	})
	tests := []struct {
		name      string
		header    string
		status    int
		challenge string
	}{
		{"no token", "", 401, `Bearer realm="tongxing"`},
		{"not bearer", "Basic abc", 400, `error="invalid_request"`},
		{"empty bearer", "Bearer ", 400, `error="invalid_request"`},
		{"unknown token", "Bearer nope", 401, `error="invalid_token"`},
		{"client token", "Bearer " + ccTok, 403, `error="insufficient_scope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/userinfo", nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			r := decode(t, resp)
			if r.status != tt.status || !strings.Contains(r.header.Get("WWW-Authenticate"), tt.challenge) {
				t.Fatalf("%d %q %s", r.status, r.header.Get("WWW-Authenticate"), r.raw)
			}
		})
	}
	t.Run("query token is not accepted", func(t *testing.T) {
		if r := e.get("/userinfo?access_token="+url.QueryEscape(tok), ""); r.status != 401 {
			t.Fatalf("%d", r.status)
		}
	})
	t.Run("disabled user", func(t *testing.T) {
		u.Disabled = true
		if err := e.records.Users.Update(context.Background(), u); err != nil {
			t.Fatal(err)
		}
		if r := e.get("/userinfo", tok); r.status != 401 {
			t.Fatalf("%d", r.status)
		}
	})
}

func TestIntrospection(t *testing.T) {
	e := newEnv(t)
	svcID, svcSecret := e.client(clientreg.Metadata{ClientID: "svc", ClientName: "svc", GrantTypes: []string{"client_credentials"}, Scope: "api"})
	rsID, rsSecret := e.resourceServer()
	pubID, _ := e.client(clientreg.Metadata{ClientID: "spa", ClientName: "spa", GrantTypes: []string{"authorization_code"},
		RedirectURIs: []string{callback}, TokenEndpointAuthMethod: "none", Scope: "openid"})
	tok := e.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, svcID, svcSecret).str("access_token")

	r := e.post("/oauth2/introspect", url.Values{"token": {tok}, "token_type_hint": {"access_token"}}, rsID, rsSecret)
	if r.status != 200 || r.body["active"] != true || r.str("client_id") != svcID || r.str("scope") != "api" ||
		r.str("token_type") != "Bearer" || r.str("iss") != e.issuer() || r.str("sub") != svcID || r.body["exp"] == nil {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	for _, garbage := range []string{"nope", "ref:abc", strings.Repeat("x", 500)} {
		if e.active(garbage, rsID, rsSecret) {
			t.Errorf("%q is active", garbage)
		}
	}
	wantError(t, e.post("/oauth2/introspect", url.Values{"token": {tok}}), 401, "invalid_client")
	wantError(t, e.post("/oauth2/introspect", url.Values{"token": {tok}}, rsID, "wrong"), 401, "invalid_client")
	wantError(t, e.post("/oauth2/introspect", url.Values{}, rsID, rsSecret), 400, "invalid_request")
	wantError(t, e.post("/oauth2/introspect", url.Values{"token": {tok}, "client_id": {pubID}}), 400, "unauthorized_client")
	if r := e.get("/oauth2/introspect", ""); r.status != http.StatusMethodNotAllowed {
		t.Errorf("GET introspect: %d", r.status)
	}
}

func TestRevocation(t *testing.T) {
	e := newEnv(t)
	webID, webSecret := e.webClient("web")
	otherID, otherSecret := e.webClient("other")
	rsID, rsSecret := e.resourceServer()
	e.user("jo", "jo-password")

	t.Run("access token", func(t *testing.T) {
		r := e.codeFlow(webID, webSecret, "jo", "jo-password")
		if got := e.post("/oauth2/revoke", url.Values{"token": {r.str("access_token")}}, webID, webSecret); got.status != 200 {
			t.Fatalf("%d %s", got.status, got.raw)
		}
		if e.active(r.str("access_token"), rsID, rsSecret) {
			t.Fatal("revoked access token is active")
		}
		if !e.active(r.str("refresh_token"), rsID, rsSecret) {
			t.Fatal("revoking an access token killed its refresh token")
		}
	})
	t.Run("refresh token revokes the grant", func(t *testing.T) {
		r := e.codeFlow(webID, webSecret, "jo", "jo-password")
		if got := e.post("/oauth2/revoke", url.Values{"token": {r.str("refresh_token")}, "token_type_hint": {"refresh_token"}}, webID, webSecret); got.status != 200 {
			t.Fatalf("%d %s", got.status, got.raw)
		}
		if e.active(r.str("access_token"), rsID, rsSecret) || e.active(r.str("refresh_token"), rsID, rsSecret) {
			t.Fatal("grant still active")
		}
	})
	t.Run("another client's token", func(t *testing.T) {
		r := e.codeFlow(webID, webSecret, "jo", "jo-password")
		wantError(t, e.post("/oauth2/revoke", url.Values{"token": {r.str("access_token")}}, otherID, otherSecret), 400, "unauthorized_client")
		wantError(t, e.post("/oauth2/revoke", url.Values{"token": {r.str("refresh_token")}}, otherID, otherSecret), 400, "unauthorized_client")
		if !e.active(r.str("access_token"), rsID, rsSecret) {
			t.Fatal("another client revoked the token")
		}
	})
	t.Run("unknown token is fine", func(t *testing.T) {
		if got := e.post("/oauth2/revoke", url.Values{"token": {"nope"}}, webID, webSecret); got.status != 200 {
			t.Fatalf("%d", got.status)
		}
	})
	wantError(t, e.post("/oauth2/revoke", url.Values{}, webID, webSecret), 400, "invalid_request")
	wantError(t, e.post("/oauth2/revoke", url.Values{"token": {"x"}}, webID, "bad"), 401, "invalid_client")
}

func TestDiscoveryAndJWKS(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"} {
		r := e.get(path, "")
		if r.status != 200 || r.str("issuer") != e.issuer() || r.str("token_endpoint") != e.issuer()+"/oauth2/token" ||
			r.str("jwks_uri") != e.issuer()+"/.well-known/jwks.json" {
			t.Fatalf("%s: %d %s", path, r.status, r.raw)
		}
		for k, want := range map[string]string{"response_types_supported": "code", "code_challenge_methods_supported": "S256"} {
			if l, _ := r.body[k].([]any); len(l) != 1 || l[0] != want {
				t.Errorf("%s = %v", k, r.body[k])
			}
		}
	}
	r := e.get("/.well-known/jwks.json", "")
	keys, _ := r.body["keys"].([]any)
	if r.status != 200 || len(keys) != 2 || strings.Contains(r.raw, `"d":`) {
		t.Fatalf("%d %s", r.status, r.raw)
	}
}

func TestLogout(t *testing.T) {
	e := newEnv(t)
	id, secret := e.webClient("web")
	e.user("kim", "kim-password")
	b := e.browser()
	verifier, challenge := pkce()
	loc := e.signIn(b, e.authorizeURL(id, url.Values{"code_challenge": {challenge}, "code_challenge_method": {"S256"}}), "kim", "kim-password")
	tok := e.post("/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")},
		"redirect_uri": {callback}, "code_verifier": {verifier}}, id, secret)
	idToken := tok.str("id_token")

	tests := []struct {
		name   string
		query  url.Values
		status int
	}{
		{"unregistered target", url.Values{"id_token_hint": {idToken}, "post_logout_redirect_uri": {"https://evil.example/"}}, 400},
		{"target without client", url.Values{"post_logout_redirect_uri": {"https://rp.example/bye"}}, 400},
		{"forged hint", url.Values{"id_token_hint": {"eyJhbGciOiJSUzI1NiJ9.e30.c2ln"}, "post_logout_redirect_uri": {"https://rp.example/bye"}}, 400},
		{"hint for another client", url.Values{"id_token_hint": {idToken}, "client_id": {"other"}, "post_logout_redirect_uri": {"https://rp.example/bye"}}, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, _ := e.browser().get(e.srv.URL + "/oauth2/logout?" + tt.query.Encode())
			if resp.StatusCode != tt.status || resp.Header.Get("Location") != "" {
				t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Location"))
			}
		})
	}
	resp, _ := b.get(e.srv.URL + "/oauth2/logout?" + url.Values{"id_token_hint": {idToken},
		"post_logout_redirect_uri": {"https://rp.example/bye"}, "state": {"s9"}}.Encode())
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "https://rp.example/bye?state=s9" {
		t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, page := b.get(e.authorizeURL(id, url.Values{"code_challenge": {challenge}, "code_challenge_method": {"S256"}}))
	if resp.StatusCode != 200 || !strings.Contains(page, `name="password"`) {
		t.Fatalf("still signed in after logout: %d", resp.StatusCode)
	}
	if resp, page := e.browser().get(e.srv.URL + "/oauth2/logout"); resp.StatusCode != 200 || !strings.Contains(page, "Signed out") {
		t.Fatalf("plain logout: %d", resp.StatusCode)
	}
}

func TestHealth(t *testing.T) {
	e := newEnv(t)
	if r := e.get("/healthz", ""); r.status != 200 || r.str("status") != "ok" {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	if r := e.get("/readyz", ""); r.status != 200 || r.str("status") != "ok" {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	down := newEnv(t, func(c *provider.Config) {
		c.Ready = map[string]func(context.Context) error{"database": func(context.Context) error { return errors.New("down") }}
	})
	r := down.get("/readyz", "")
	if checks, _ := r.body["checks"].(map[string]any); r.status != 503 || checks["database"] != "unavailable" || checks["token_store"] != "ok" {
		t.Fatalf("%d %s", r.status, r.raw)
	}
}

func TestCoreAPI(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id, secret := e.client(clientreg.Metadata{ClientID: "partner", ClientName: "p", GrantTypes: []string{"client_credentials"}, Scope: "api"})
	rsID, rsSecret := e.resourceServer()
	u := e.user("lee", "lee-password")

	if _, err := e.p.AuthenticateClient(ctx, id, "wrong"); err == nil {
		t.Fatal("wrong secret accepted")
	}
	if _, err := e.p.AuthenticateClient(ctx, "nobody", "x"); err == nil {
		t.Fatal("unknown client accepted")
	}
	c, err := e.p.AuthenticateClient(ctx, id, secret)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("IssueTokenExpires", func(t *testing.T) {
		g, err := e.p.IssueToken(ctx, provider.TokenRequest{Client: c, UserID: u.ID, Grant: "urn:tongxing:test", Lifetime: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		if g.GetAccessExpiresIn() != time.Minute || !e.active(g.GetAccess(), rsID, rsSecret) {
			t.Fatalf("exp %v", g.GetAccessExpiresIn())
		}
		got, _, err := e.p.CheckAccessToken(ctx, g.GetAccess())
		if err != nil || got.GetUserID() != u.ID {
			t.Fatal(err)
		}
		e.clock.Advance(time.Minute + time.Second)
		if _, _, err := e.p.CheckAccessToken(ctx, g.GetAccess()); !errors.Is(err, provider.ErrInactive) {
			t.Fatalf("expired custom-grant token: %v", err)
		}
		if _, err := e.p.IssueToken(ctx, provider.TokenRequest{Client: c}); err == nil {
			t.Fatal("token without grant name issued")
		}
	})
	t.Run("IssueCode", func(t *testing.T) {
		g, err := e.p.IssueCode(ctx, provider.CodeRequest{Client: c, UserID: u.ID, Lifetime: 5 * time.Minute, Grant: "urn:tongxing:test"})
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.p.LookupCode(ctx, g.GetCode())
		if err != nil || got.GetUserID() != u.ID || got.GetClientID() != id || got.GetCodeExpiresIn() != 5*time.Minute || e.p.CodeExpired(got) {
			t.Fatalf("%v %+v", err, got)
		}
		e.clock.Advance(5*time.Minute + time.Second)
		if !e.p.CodeExpired(got) {
			t.Fatal("code did not expire")
		}
		if _, err := e.p.LookupCode(ctx, "nope"); !errors.Is(err, provider.ErrInactive) {
			t.Fatal(err)
		}
		if _, err := e.p.IssueCode(ctx, provider.CodeRequest{Client: c}); err == nil {
			t.Fatal("code without user issued")
		}
	})
	t.Run("IssueCodeHex40Retained", func(t *testing.T) {
		g, err := e.p.IssueCode(ctx, provider.CodeRequest{Client: c, UserID: u.ID, Lifetime: time.Minute, Retain: time.Hour,
			Grant: "urn:tongxing:test", Format: provider.CodeFormatHex40})
		if err != nil {
			t.Fatal(err)
		}
		if ok, _ := regexp.MatchString(`^[0-9a-f]{40}$`, g.GetCode()); !ok {
			t.Fatalf("code %q is not 40 hex digits", g.GetCode())
		}
		e.clock.Advance(2 * time.Minute)
		got, err := e.p.LookupCode(ctx, g.GetCode())
		if err != nil || !e.p.CodeExpired(got) {
			t.Fatalf("a retained code after its lifetime: %v, expired %v", err, err == nil && e.p.CodeExpired(got))
		}
		e.clock.Advance(time.Hour)
		if _, err := e.p.LookupCode(ctx, g.GetCode()); !errors.Is(err, provider.ErrInactive) {
			t.Fatalf("a code past its retention: %v", err)
		}
	})
	t.Run("AccessTokenExpired", func(t *testing.T) {
		jwtClient, _ := e.client(clientreg.Metadata{ClientID: "jwt-partner", ClientName: "j", GrantTypes: []string{"client_credentials"},
			Scope: "api", AccessTokenFormat: "jwt"})
		jc, _ := e.records.Clients.Get(ctx, jwtClient)
		for name, cl := range map[string]*models.Client{"opaque": c, "jwt": jc} {
			g, err := e.p.IssueToken(ctx, provider.TokenRequest{Client: cl, UserID: u.ID, Grant: "urn:tongxing:test", Lifetime: time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			if expired, err := e.p.AccessTokenExpired(ctx, g.GetAccess()); err != nil || expired {
				t.Fatalf("%s: live token reported expired (%v)", name, err)
			}
			e.clock.Advance(time.Minute + time.Second)
			if expired, _ := e.p.AccessTokenExpired(ctx, g.GetAccess()); !expired {
				t.Fatalf("%s: expired token not reported", name)
			}
			if name == "opaque" {
				tampered := []byte(g.GetAccess())
				tampered[3] ^= 1
				for _, bad := range []string{string(tampered), "nope", strings.Repeat("A", 48)} {
					if expired, _ := e.p.AccessTokenExpired(ctx, bad); expired {
						t.Fatalf("%q reported as an expired token of ours", bad)
					}
				}
			}
		}
	})
	t.Run("LegacyCodesAreNotRedeemable", func(t *testing.T) {
		webID, webSecret := e.webClient("web-legacy")
		wc, _ := e.records.Clients.Get(ctx, webID)
		g, err := e.p.IssueCode(ctx, provider.CodeRequest{Client: wc, UserID: u.ID, Lifetime: time.Minute, Grant: "urn:tongxing:test"})
		if err != nil {
			t.Fatal(err)
		}
		for _, redirect := range []string{callback, ""} {
			r := e.post("/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {g.GetCode()}, "redirect_uri": {redirect}}, webID, webSecret)
			if r.status != 400 {
				t.Fatalf("legacy code redeemed: %d %s", r.status, r.raw)
			}
		}
		if _, err := e.p.LookupCode(ctx, g.GetCode()); err != nil {
			t.Fatalf("a refused redemption used the code up: %v", err)
		}
	})
	t.Run("Revoke", func(t *testing.T) {
		g, _ := e.p.IssueToken(ctx, provider.TokenRequest{Client: c, UserID: u.ID, Grant: "urn:tongxing:test"})
		if err := e.p.Revoke(ctx, g); err != nil {
			t.Fatal(err)
		}
		if e.active(g.GetAccess(), rsID, rsSecret) {
			t.Fatal("revoked token active")
		}
	})
}
