package admin_test

import (
	"errors"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/models/modelstest"
)

// tokenStores lists the embedded store always, and Redis (with records on
// MySQL/MariaDB when that is set too) when the environment names a server.
func tokenStores() []setup {
	list := []setup{{name: "embedded"}}
	if os.Getenv(envRedis) != "" {
		list = append(list, setup{name: "redis", redis: true})
		if os.Getenv(modelstest.EnvMySQL) != "" {
			list = append(list, setup{name: "mysql+redis", mysql: true, redis: true})
		}
	}
	return list
}

func forEachTokenStore(t *testing.T, f func(t *testing.T, s setup)) {
	for _, s := range tokenStores() {
		t.Run(s.name, func(t *testing.T) { f(t, s) })
	}
}

// grant is what a signed-in user's client holds.
type grant struct{ access, refresh string }

// signedIn registers a code client, signs the user in with browser b and
// redeems the code.
func (e *env) signedIn(b *browser, clientID, username, password string) (cred, grant) {
	e.t.Helper()
	c := e.client(clientID, "authorization_code,refresh_token", "openid profile")
	a, r := e.redeem(c, b.signIn(clientID, "openid profile", username, password))
	if a == "" || r == "" {
		e.t.Fatalf("no tokens for %s", clientID)
	}
	return c, grant{a, r}
}

// refresh reports the status of a refresh token grant.
func (e *env) refresh(c cred, token string) int {
	e.t.Helper()
	return e.token(c, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}}).status
}

func TestDisableClientRevokesItsTokens(t *testing.T) {
	forEachTokenStore(t, func(t *testing.T, s setup) {
		e := newEnv(t, s)
		rs := e.client("rs", "client_credentials", "api")
		sub := e.user("ivy", "ivy's password")
		web, g := e.signedIn(e.browser(), "web", "ivy", "ivy's password")
		other, og := e.signedIn(e.browser(), "other", "ivy", "ivy's password")
		svc := e.client("svc", "client_credentials", "api")
		st := e.serviceToken(svc, "api")
		if !e.active(rs, g.access) || !e.active(rs, g.refresh) || e.userinfo(g.access) != http.StatusOK || !e.active(rs, st) {
			t.Fatal("the tokens are not live to begin with")
		}

		for _, id := range []string{"web", "svc"} {
			r := want(t, e.call("POST", "/clients/"+id+"/disable", nil, ifMatch(`"1"`)...), http.StatusOK)
			if r.body["enabled"] != false || r.num("version") != 2 {
				t.Fatalf("disable gave %s", r.raw)
			}
		}
		check := func(when string) {
			t.Helper()
			for name, tok := range map[string]string{"access": g.access, "refresh": g.refresh, "service": st} {
				if e.active(rs, tok) {
					t.Errorf("%s: the %s token of a disabled client is active", when, name)
				}
			}
			if code := e.userinfo(g.access); code != http.StatusUnauthorized {
				t.Errorf("%s: userinfo with the access token of a disabled client: %d", when, code)
			}
			// The user's grant at another client is untouched.
			if !e.active(rs, og.access) || e.userinfo(og.access) != http.StatusOK {
				t.Errorf("%s: the grant of another client died", when)
			}
		}
		check("disabled")
		if code := e.refresh(web, g.refresh); code != http.StatusUnauthorized {
			t.Errorf("a disabled client refreshed: %d", code)
		}
		// The tokens are gone from the store, not only refused.
		live, err := e.tokens.ListUser(t.Context(), sub)
		if err != nil {
			t.Fatal(err)
		}
		for _, ti := range live {
			if ti.GetClientID() != other.id {
				t.Errorf("the store still holds a token of %s", ti.GetClientID())
			}
		}

		// The service token, a lone access token, is not in the client's
		// index: it stays stored until it expires, refused by the
		// client's new token generation.
		if ti, err := e.tokens.GetByAccess(t.Context(), st); err != nil || ti == nil {
			t.Fatalf("the service token left the store: %v, %v", ti, err)
		}

		// Enabling again does not bring them back.
		for _, id := range []string{"web", "svc"} {
			want(t, e.call("POST", "/clients/"+id+"/enable", nil), http.StatusOK)
		}
		check("enabled again")
		if code := e.refresh(web, g.refresh); code != http.StatusBadRequest {
			t.Errorf("a revoked refresh token after enabling: %d, want 400", code)
		}
		// The client itself works again.
		if tok := e.serviceToken(svc, "api"); !e.active(rs, tok) {
			t.Error("an enabled client's new token is not active")
		}
	})
}

func TestDeleteClientRevokesItsTokens(t *testing.T) {
	forEachTokenStore(t, func(t *testing.T, s setup) {
		e := newEnv(t, s)
		rs := e.client("rs", "client_credentials", "api")
		e.user("jay", "jay's password")
		_, g := e.signedIn(e.browser(), "web", "jay", "jay's password")
		svcDoc := map[string]any{"client_id": "svc", "client_name": "Service", "grant_types": []string{"client_credentials"}, "scope": "api"}
		created := want(t, e.call("POST", "/clients", svcDoc), http.StatusCreated)
		st := e.serviceToken(cred{"svc", created.str("client_secret")}, "api")
		for _, id := range []string{"web", "svc"} {
			if r := e.call("DELETE", "/clients/"+id, nil); r.status != http.StatusNoContent {
				t.Fatalf("delete %s: %d %s", id, r.status, r.raw)
			}
		}
		wantError(t, e.call("GET", "/clients/web", nil), http.StatusNotFound, "not_found")
		if e.active(rs, g.access) || e.active(rs, g.refresh) || e.userinfo(g.access) != http.StatusUnauthorized || e.active(rs, st) {
			t.Error("the tokens of a deleted client live on")
		}
		// A client registered again under the same ID inherits nothing:
		// neither tokens nor the users' consents. The service token is
		// still stored (lone access tokens are not in the client's index)
		// and refused by the new client's token generation.
		want(t, e.call("POST", "/clients", webDoc("web")), http.StatusCreated)
		want(t, e.call("POST", "/clients", svcDoc), http.StatusCreated)
		if e.active(rs, g.access) || e.active(rs, g.refresh) || e.active(rs, st) {
			t.Error("the tokens of a deleted client came back with a new registration")
		}
		if ti, err := e.tokens.GetByAccess(t.Context(), st); err != nil || ti == nil {
			t.Errorf("the service token left the store: %v, %v", ti, err)
		}
		jay, err := e.records.Users.GetByUsername(t.Context(), "jay")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.records.Consents.Get(t.Context(), jay.ID, "web"); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("a consent given to the deleted client survives: %v", err)
		}
		ev := want(t, e.call("GET", "/audit?action=client.delete", nil), http.StatusOK).items()
		if len(ev) != 2 {
			t.Fatalf("audit %v, want the two deletes", ev)
		}
		for _, d := range ev {
			if d["before"] == nil || d["after"] != nil {
				t.Fatalf("audit %v", d)
			}
		}
	})
}

func TestRotateClientSecret(t *testing.T) {
	e := newEnv(t, setup{name: "sqlite"})
	svc := e.client("svc", "client_credentials", "api")
	status := func(c cred) int {
		return e.token(c, url.Values{"grant_type": {"client_credentials"}, "scope": {"api"}}).status
	}
	rotate := func(t *testing.T, grace int, headers ...string) cred {
		t.Helper()
		r := want(t, e.call("POST", "/clients/svc/rotate-secret", map[string]any{"grace_period_seconds": grace}, headers...), http.StatusOK)
		if len(r.str("client_secret")) < 32 {
			t.Fatalf("rotate gave %s", r.raw)
		}
		return cred{"svc", r.str("client_secret")}
	}

	t.Run("with grace", func(t *testing.T) {
		first := svc
		second := rotate(t, 3600, ifMatch(`"1"`)...)
		if second.secret == first.secret {
			t.Fatal("the secret did not change")
		}
		if status(first) != http.StatusOK || status(second) != http.StatusOK {
			t.Fatalf("during the grace period: old %d, new %d", status(first), status(second))
		}
		g := want(t, e.call("GET", "/clients/svc", nil), http.StatusOK)
		until := e.clock.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		if !strings.HasPrefix(g.str("previous_secret_expires_at"), strings.TrimSuffix(until, "Z")) || strings.Contains(g.raw, second.secret) {
			t.Fatalf("previous_secret_expires_at %q, want %s", g.str("previous_secret_expires_at"), until)
		}
		e.clock.Advance(time.Hour - time.Second)
		if status(first) != http.StatusOK {
			t.Fatal("the old secret died before its grace ended")
		}
		e.clock.Advance(time.Second)
		if status(first) != http.StatusUnauthorized || status(second) != http.StatusOK {
			t.Fatalf("after the grace period: old %d, new %d", status(first), status(second))
		}
		// The admin token expired with the hour: take a new one.
		e.admin = e.serviceToken(e.root, "admin")
		if g := want(t, e.call("GET", "/clients/svc", nil), http.StatusOK); g.body["previous_secret_expires_at"] != nil {
			t.Errorf("an ended grace period is still shown: %s", g.raw)
		}
		svc = second
	})
	t.Run("without grace", func(t *testing.T) {
		next := rotate(t, 0)
		if status(svc) != http.StatusUnauthorized || status(next) != http.StatusOK {
			t.Fatalf("old %d, new %d", status(svc), status(next))
		}
		svc = next
	})
	t.Run("again during a grace period", func(t *testing.T) {
		second := rotate(t, 600)
		third := rotate(t, 600)
		if status(svc) != http.StatusUnauthorized || status(second) != http.StatusOK || status(third) != http.StatusOK {
			t.Fatalf("first %d, second %d, third %d", status(svc), status(second), status(third))
		}
	})
	ev := want(t, e.call("GET", "/audit?action=client.rotate_secret", nil), http.StatusOK)
	if len(ev.items()) != 4 || ev.items()[3]["detail"] != "grace 3600s" || strings.Contains(ev.raw, "secret_hash") || strings.Contains(ev.raw, `"client_secret":`) {
		t.Fatalf("audit %s", ev.raw)
	}
}

func TestSignOutEverywhere(t *testing.T) {
	forEachTokenStore(t, func(t *testing.T, s setup) {
		e := newEnv(t, s)
		rs := e.client("rs", "client_credentials", "api")
		sub := e.user("kim", "kim's password")
		b := e.browser()
		web, g := e.signedIn(b, "web", "kim", "kim's password")
		// The session is live: a second request gets a code at once.
		e.code(b.get(e.authorizeURL("web", "openid profile")))
		// Another browser stops at the consent page of another client.
		pending := e.browser()
		e.client("web2", "authorization_code", "openid profile")
		_, page := pending.get(e.authorizeURL("web2", "openid"))
		f := hidden(page)
		f.Set("username", "kim")
		f.Set("password", "kim's password")
		resp, page := pending.submit("/oauth2/login", f)
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, `value="allow"`) {
			t.Fatalf("expected the consent page: %d", resp.StatusCode)
		}
		consent := hidden(page)
		consent.Set("decision", "allow")

		e.clock.Advance(time.Second)
		r := want(t, e.call("POST", "/users/"+sub+"/sign-out", nil), http.StatusOK)
		if r.str("sessions_not_before") == "" || r.num("version") != 2 {
			t.Fatalf("sign-out gave %s", r.raw)
		}
		if resp, page := b.get(e.authorizeURL("web", "openid profile")); !isLoginPage(resp, page) {
			t.Fatalf("the signed-out session still authorizes: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp, page := pending.submit("/oauth2/consent", consent); !isLoginPage(resp, page) {
			t.Fatalf("consent from a signed-out session: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if e.active(rs, g.access) || e.active(rs, g.refresh) || e.userinfo(g.access) != http.StatusUnauthorized {
			t.Error("the user's tokens live on after a sign-out")
		}
		if code := e.refresh(web, g.refresh); code != http.StatusBadRequest {
			t.Errorf("refresh after sign-out: %d", code)
		}
		// Signing in again, even within the same second, works.
		a2, _ := e.redeem(web, b.signIn("web", "openid profile", "kim", "kim's password"))
		if !e.active(rs, a2) {
			t.Error("a new sign-in after the sign-out is not live")
		}
		e.code(b.get(e.authorizeURL("web", "openid profile")))
		ev := want(t, e.call("GET", "/audit?action=user.sign_out", nil), http.StatusOK).items()
		if len(ev) != 1 || ev[0]["target"] != "user:"+sub {
			t.Fatalf("audit %v", ev)
		}
	})
}

func TestDisableUser(t *testing.T) {
	forEachTokenStore(t, func(t *testing.T, s setup) {
		e := newEnv(t, s)
		rs := e.client("rs", "client_credentials", "api")
		sub := e.user("lee", "lee's password")
		b := e.browser()
		web, g := e.signedIn(b, "web", "lee", "lee's password")
		e.clock.Advance(time.Second)
		r := want(t, e.call("POST", "/users/"+sub+"/disable", nil, ifMatch(`"1"`)...), http.StatusOK)
		if r.body["disabled"] != true {
			t.Fatalf("disable gave %s", r.raw)
		}
		if resp, page := b.get(e.authorizeURL("web", "openid profile")); !isLoginPage(resp, page) {
			t.Fatalf("a disabled user's session still authorizes: %d", resp.StatusCode)
		}
		if e.active(rs, g.access) || e.active(rs, g.refresh) || e.userinfo(g.access) != http.StatusUnauthorized {
			t.Error("a disabled user's tokens live on")
		}
		want(t, e.call("POST", "/users/"+sub+"/enable", nil), http.StatusOK)
		if e.active(rs, g.access) || e.userinfo(g.access) != http.StatusUnauthorized || e.refresh(web, g.refresh) != http.StatusBadRequest {
			t.Error("enabling the user revived their tokens")
		}
		if resp, page := b.get(e.authorizeURL("web", "openid profile")); !isLoginPage(resp, page) {
			t.Fatal("enabling the user revived their browser session")
		}
		e.redeem(web, b.signIn("web", "openid profile", "lee", "lee's password"))
		for _, p := range []string{"/users/ghost/disable", "/users/ghost/enable", "/users/ghost/sign-out", "/users/ghost/sessions"} {
			m := "POST"
			if strings.HasSuffix(p, "sessions") {
				m = "GET"
			}
			wantError(t, e.call(m, p, nil), http.StatusNotFound, "not_found")
		}
		wantError(t, e.call("POST", "/users/"+sub+"/disable", nil, ifMatch(`"1"`)...), http.StatusConflict, "conflict")
		wantError(t, e.call("POST", "/users/"+sub+"/sign-out", map[string]any{"version": 1}), http.StatusConflict, "conflict")
	})
}

func TestUserSessions(t *testing.T) {
	forEachTokenStore(t, func(t *testing.T, s setup) {
		e := newEnv(t, s)
		sub := e.user("mo", "mo's password")
		r := want(t, e.call("GET", "/users/"+sub+"/sessions", nil), http.StatusOK)
		if !strings.Contains(r.raw, `"items":[]`) {
			t.Fatalf("sessions of a new user: %s", r.raw)
		}
		b := e.browser()
		_, g1 := e.signedIn(b, "web", "mo", "mo's password")
		e.clock.Advance(time.Minute)
		_, g2 := e.signedIn(e.browser(), "app", "mo", "mo's password")
		r = want(t, e.call("GET", "/users/"+sub+"/sessions", nil), http.StatusOK)
		items := r.items()
		if len(items) != 2 || items[0]["client_id"] != "app" || items[1]["client_id"] != "web" {
			t.Fatalf("sessions %s", r.raw)
		}
		it := items[1]
		issued, _ := time.Parse(time.RFC3339, it["issued_at"].(string))
		exp, _ := time.Parse(time.RFC3339, it["access_expires_at"].(string))
		if it["scope"] != "openid profile" || it["grant"] != "authorization_code" || it["refresh_expires_at"] == nil ||
			it["auth_time"] == nil || it["family"] == "" || exp.Sub(issued) != time.Hour {
			t.Errorf("session %v", it)
		}
		for _, tok := range []string{g1.access, g1.refresh, g2.access, g2.refresh} {
			if strings.Contains(r.raw, tok) {
				t.Fatalf("the sessions show a token: %s", r.raw)
			}
		}
		if strings.Contains(r.raw, "ref:") {
			t.Fatalf("the sessions show a token reference: %s", r.raw)
		}
	})
}
