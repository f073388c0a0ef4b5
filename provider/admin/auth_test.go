package admin_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tongxing/tongxing/provider/admin"
)

// served lists the routes of the admin API as (method, path) with a
// concrete path for each parameter.
func (e *env) served() [][2]string {
	var out [][2]string
	for _, r := range e.engine.Routes() {
		if !strings.HasPrefix(r.Path, admin.Prefix+"/") {
			continue
		}
		path := strings.NewReplacer(":user_id", "u1", ":id", "x1").Replace(strings.TrimPrefix(r.Path, admin.Prefix))
		out = append(out, [2]string{r.Method, path})
	}
	return out
}

func TestEveryRouteNeedsAnAdminToken(t *testing.T) {
	e := newEnv(t, setup{name: "sqlite"})
	api := e.serviceToken(e.client("api-svc", "client_credentials", "api admin-read"), "api")
	web := e.client("web", "authorization_code", "openid admin")
	sub := e.user("ursula", "ursula's password")
	userToken, _ := e.redeem(web, e.browser().signIn(web.id, "openid admin", "ursula", "ursula's password"))
	_ = sub

	routes := e.served()
	if len(routes) < 30 {
		t.Fatalf("only %d admin routes served", len(routes))
	}
	cases := []struct {
		name      string
		token     string
		header    string // Authorization, when not Bearer token
		status    int
		challenge string
	}{
		{"no token", "", "", http.StatusUnauthorized, `Bearer realm="tongxing"`},
		{"unknown token", "not-a-token", "", http.StatusUnauthorized, `Bearer realm="tongxing", error="invalid_token"`},
		{"basic credentials", "", "Basic cm9vdC1hZG1pbjp4", http.StatusUnauthorized, `Bearer realm="tongxing", error="invalid_token"`},
		{"empty bearer", "", "Bearer ", http.StatusUnauthorized, `Bearer realm="tongxing", error="invalid_token"`},
		{"without the admin scope", api, "", http.StatusForbidden, `Bearer realm="tongxing", error="insufficient_scope", scope="admin"`},
		{"a user's token", userToken, "", http.StatusForbidden, `Bearer realm="tongxing", error="insufficient_scope", scope="admin"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, rt := range routes {
				var headers []string
				if tc.header != "" {
					headers = []string{"Authorization", tc.header}
				}
				r := e.callAs(tc.token, rt[0], rt[1], nil, headers...)
				code := map[int]string{401: "invalid_token", 403: "insufficient_scope"}[tc.status]
				if r.status != tc.status || r.str("error") != code || r.header.Get("WWW-Authenticate") != tc.challenge {
					t.Errorf("%s %s: %d %q %s, want %d %q", rt[0], rt[1], r.status, r.header.Get("WWW-Authenticate"), r.raw, tc.status, tc.challenge)
				}
			}
		})
	}
	// The token must have been good: the same request with it succeeds.
	want(t, e.call("GET", "/clients", nil), http.StatusOK)
}

func TestAdminTokenLifecycle(t *testing.T) {
	e := newEnv(t, setup{name: "sqlite"})
	second := e.client("second-admin", "client_credentials", "admin")
	tok := e.serviceToken(second, "admin")
	want(t, e.callAs(tok, "GET", "/clients", nil), http.StatusOK)

	// An admin client disabled by another loses its access at once.
	want(t, e.call("POST", "/clients/second-admin/disable", nil), http.StatusOK)
	wantError(t, e.callAs(tok, "GET", "/clients", nil), http.StatusUnauthorized, "invalid_token")
	want(t, e.call("POST", "/clients/second-admin/enable", nil), http.StatusOK)
	wantError(t, e.callAs(tok, "GET", "/clients", nil), http.StatusUnauthorized, "invalid_token")

	// Tokens expire.
	tok = e.serviceToken(second, "admin")
	e.clock.Advance(2 * time.Hour)
	wantError(t, e.callAs(tok, "GET", "/clients", nil), http.StatusUnauthorized, "invalid_token")
}
