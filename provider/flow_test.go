package provider_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/go-jose/go-jose/v4"
)

func TestCodeFlowIssuesTokensAndIDToken(t *testing.T) {
	e := newEnv(t)
	id, secret := e.webClient("web")
	u := e.user("alice", "alice-password")
	r := e.codeFlow(id, secret, "alice", "alice-password")
	if r.str("token_type") != "Bearer" || r.str("access_token") == "" || r.str("refresh_token") == "" ||
		r.str("scope") != "openid profile" || r.body["expires_in"].(float64) != 3600 {
		t.Fatalf("token response %s", r.raw)
	}
	if r.header.Get("Cache-Control") != "no-store" || r.header.Get("Pragma") != "no-cache" {
		t.Error("token response is cacheable")
	}
	claims := verifyJWT(t, e, r.str("id_token"), "JWT")
	for k, want := range map[string]any{"iss": e.issuer(), "sub": u.ID, "aud": id, "nonce": "n-1", "azp": id} {
		if claims[k] != want {
			t.Errorf("id_token %s = %v, want %v", k, claims[k], want)
		}
	}
	for _, k := range []string{"exp", "iat", "auth_time", "at_hash", "sid"} {
		if claims[k] == nil {
			t.Errorf("id_token has no %s", k)
		}
	}
	rsID, rsSecret := e.resourceServer()
	in := e.post("/oauth2/introspect", url.Values{"token": {r.str("access_token")}}, rsID, rsSecret)
	if in.body["active"] != true || in.str("username") != "alice" || in.str("sub") != u.ID || in.str("client_id") != id {
		t.Fatalf("introspection %s", in.raw)
	}
	info := e.get("/userinfo", r.str("access_token"))
	if info.status != 200 || info.str("sub") != u.ID || info.str("preferred_username") != "alice" || info.str("name") != "Real alice" {
		t.Fatalf("userinfo %d %s", info.status, info.raw)
	}
	if _, ok := info.body["email"]; ok {
		t.Error("userinfo released email without the email scope")
	}
}

// verifyJWT checks a JWT against the provider's JWKS and returns its claims.
func verifyJWT(t *testing.T, e *env, token, typ string) map[string]any {
	t.Helper()
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
	if err != nil {
		t.Fatalf("parse %q: %v", token, err)
	}
	h := jws.Signatures[0].Header
	if h.ExtraHeaders["typ"] != typ {
		t.Errorf("typ = %v, want %s", h.ExtraHeaders["typ"], typ)
	}
	var set jose.JSONWebKeySet
	r := e.get("/.well-known/jwks.json", "")
	if err := json.Unmarshal([]byte(r.raw), &set); err != nil {
		t.Fatal(err)
	}
	keys := set.Key(h.KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %s not in JWKS", h.KeyID)
	}
	payload, err := jws.Verify(keys[0])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	_ = json.Unmarshal(payload, &claims)
	return claims
}

func TestConcurrentCodeRedemptionHasOneWinner(t *testing.T) {
	e := newEnv(t)
	id, secret := e.webClient("web")
	e.user("bob", "bob-password")
	verifier, challenge := pkce()
	loc := e.signIn(e.browser(), e.authorizeURL(id, url.Values{"code_challenge": {challenge}, "code_challenge_method": {"S256"}}), "bob", "bob-password")
	form := url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "redirect_uri": {callback}, "code_verifier": {verifier}}
	var wg sync.WaitGroup
	statuses := make(chan int, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses <- e.post("/oauth2/token", form, id, secret).status
		}()
	}
	wg.Wait()
	close(statuses)
	ok := 0
	for s := range statuses {
		switch s {
		case http.StatusOK:
			ok++
		case http.StatusBadRequest:
		default:
			t.Errorf("status %d", s)
		}
	}
	if ok != 1 {
		t.Fatalf("%d redemptions succeeded, want 1", ok)
	}
}
