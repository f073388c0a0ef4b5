package admin_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/tongxing/tongxing/models"
)

// webDoc is the registration of a code client.
func webDoc(id string) map[string]any {
	return map[string]any{"client_id": id, "client_name": "Web " + id, "grant_types": []string{"authorization_code", "refresh_token"},
		"redirect_uris": []string{callback}, "scope": "openid profile"}
}

func TestClientCreate(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, s setup) {
		e := newEnv(t, s)
		doc := webDoc("web-1")
		doc["access_token_lifetime"] = 600
		doc["legacy_apis"] = []string{"partner"}
		r := want(t, e.call("POST", "/clients", doc), http.StatusCreated)
		if r.header.Get("Location") != "/admin/v1/clients/web-1" || r.header.Get("ETag") != `"1"` {
			t.Errorf("headers %v", r.header)
		}
		secret := r.str("client_secret")
		if len(secret) < 32 || r.str("client_id") != "web-1" || r.num("version") != 1 || r.body["enabled"] != true ||
			r.num("access_token_lifetime") != 600 || r.str("token_endpoint_auth_method") != "client_secret_basic" {
			t.Fatalf("created %s", r.raw)
		}
		// The secret works at the token endpoint and is never shown again.
		g := want(t, e.call("GET", "/clients/web-1", nil), http.StatusOK)
		if _, ok := g.body["client_secret"]; ok || strings.Contains(g.raw, secret) || g.header.Get("ETag") != `"1"` {
			t.Errorf("GET shows %s %v", g.raw, g.header)
		}
		c, err := e.p.AuthenticateClient(t.Context(), "web-1", secret)
		if err != nil || c.AccessTokenLifetime != 600 || !c.AllowsLegacyAPI("partner") {
			t.Fatalf("the new client does not authenticate: %v", err)
		}

		// Audit: actor, source, and no secret.
		a := want(t, e.call("GET", "/audit?action=client.create", nil), http.StatusOK).items()
		if len(a) != 1 || a[0]["actor"] != "root-admin" || a[0]["source"] != "127.0.0.1" || a[0]["target"] != "client:web-1" {
			t.Fatalf("audit %v", a)
		}
		after, _ := json.Marshal(a[0]["after"])
		if strings.Contains(string(after), secret) || strings.Contains(string(after), `"client_secret":`) || !strings.Contains(string(after), `"client_name":"Web web-1"`) {
			t.Errorf("audit after = %s", after)
		}

		// A public client and a service with a random ID.
		pub := want(t, e.call("POST", "/clients", map[string]any{"client_name": "SPA", "grant_types": []string{"authorization_code"},
			"redirect_uris": []string{"http://127.0.0.1:3000/cb"}, "token_endpoint_auth_method": "none"}), http.StatusCreated)
		if _, ok := pub.body["client_secret"]; ok || len(pub.str("client_id")) < 16 {
			t.Errorf("public client %s", pub.raw)
		}
		wantError(t, e.call("POST", "/clients", webDoc("web-1")), http.StatusConflict, "already_exists")
	})
}

func TestClientCreateInvalid(t *testing.T) {
	e := newEnv(t, setup{name: "sqlite"})
	edit := func(f func(m map[string]any)) map[string]any {
		m := webDoc("bad")
		f(m)
		return m
	}
	cases := []struct {
		name   string
		body   any
		status int
		code   string
		fields []string
	}{
		{"http redirect off loopback", edit(func(m map[string]any) { m["redirect_uris"] = []string{"http://rp.example/cb"} }), 400, "invalid_request", []string{"redirect_uris"}},
		{"relative redirect", edit(func(m map[string]any) { m["redirect_uris"] = []string{"/cb"} }), 400, "invalid_request", []string{"redirect_uris"}},
		{"unknown grant type", edit(func(m map[string]any) { m["grant_types"] = []string{"password"} }), 400, "invalid_request", []string{"grant_types"}},
		{"bad scope", edit(func(m map[string]any) { m["scope"] = `openid "x"` }), 400, "invalid_request", []string{"scope"}},
		{"no name", edit(func(m map[string]any) { delete(m, "client_name") }), 400, "invalid_request", []string{"client_name"}},
		{"long name", edit(func(m map[string]any) { m["client_name"] = strings.Repeat("n", 201) }), 400, "invalid_request", []string{"client_name"}},
		{"bad id", edit(func(m map[string]any) { m["client_id"] = "a b" }), 400, "invalid_request", []string{"client_id"}},
		{"negative lifetime", edit(func(m map[string]any) { m["refresh_token_lifetime"] = -1 }), 400, "invalid_request", []string{"refresh_token_lifetime"}},
		{"two bad fields", edit(func(m map[string]any) {
			m["client_name"] = ""
			m["access_token_format"] = "paseto"
		}), 400, "invalid_request", []string{"client_name", "access_token_format"}},
		{"bad metadata and lifetime", edit(func(m map[string]any) {
			m["grant_types"] = []string{"implicit"}
			m["id_token_lifetime"] = -5
		}), 400, "invalid_request", []string{"grant_types", "id_token_lifetime"}},
		{"public with a secret", edit(func(m map[string]any) {
			m["token_endpoint_auth_method"] = "none"
			m["client_secret"] = "s"
		}), 400, "invalid_request", []string{"client_secret"}},
		{"wrong type", edit(func(m map[string]any) { m["redirect_uris"] = callback }), 400, "invalid_request", []string{"redirect_uris"}},
		{"unknown field", edit(func(m map[string]any) { m["colour"] = "blue" }), 400, "invalid_request", []string{"colour"}},
		{"read-only field", edit(func(m map[string]any) { m["version"] = 3 }), 400, "invalid_request", []string{"version"}},
		{"not an object", `["x"]`, 400, "invalid_request", nil},
		{"malformed", `{"client_name":`, 400, "invalid_request", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, e.call("POST", "/clients", tc.body), tc.status, tc.code, tc.fields...)
		})
	}
	t.Run("form body", func(t *testing.T) {
		wantError(t, e.call("POST", "/clients", "client_name=x", "Content-Type", "application/x-www-form-urlencoded"),
			http.StatusUnsupportedMediaType, "unsupported_media_type")
	})
	t.Run("nothing stored", func(t *testing.T) {
		if _, err := e.records.Clients.Get(t.Context(), "bad"); err != models.ErrNotFound {
			t.Fatalf("a refused client was stored: %v", err)
		}
	})
}

func TestClientList(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, s setup) {
		e := newEnv(t, s)
		for _, id := range []string{"alpha", "beta", "gamma"} {
			doc := webDoc(id)
			if id == "beta" {
				doc["legacy_apis"] = []string{"partner"}
			}
			want(t, e.call("POST", "/clients", doc), http.StatusCreated)
		}
		want(t, e.call("POST", "/clients/gamma/disable", nil), http.StatusOK)
		ids := func(r result) string {
			var out []string
			for _, it := range r.items() {
				out = append(out, it["client_id"].(string))
			}
			return strings.Join(out, ",")
		}
		cases := []struct {
			query, want string
			next        float64 // 0: none
		}{
			{"", "root-admin,alpha,beta,gamma", 0},
			{"?limit=2", "root-admin,alpha", 2},
			{"?offset=2&limit=2", "beta,gamma", 4},
			{"?offset=4", "", 0},
			{"?name=Web+be", "beta", 0},
			{"?enabled=false", "gamma", 0},
			{"?enabled=true&legacy_api=partner", "beta", 0},
		}
		for _, tc := range cases {
			r := want(t, e.call("GET", "/clients"+tc.query, nil), http.StatusOK)
			if got := ids(r); got != tc.want || r.num("next_offset") != tc.next {
				t.Errorf("GET /clients%s = %s next %v, want %s next %v", tc.query, got, r.body["next_offset"], tc.want, tc.next)
			}
			if strings.Contains(r.raw, `"client_secret":`) {
				t.Errorf("a listing shows secrets: %s", r.raw)
			}
		}
		for q, field := range map[string]string{"?enabled=maybe": "enabled", "?limit=0": "limit", "?limit=1001": "limit",
			"?offset=-1": "offset", "?limit=x": "limit", "?name=a&name=b": "name"} {
			wantError(t, e.call("GET", "/clients"+q, nil), http.StatusBadRequest, "invalid_request", field)
		}
	})
}

func TestClientGetMissing(t *testing.T) {
	e := newEnv(t, setup{name: "sqlite"})
	wantError(t, e.call("GET", "/clients/nobody", nil), http.StatusNotFound, "not_found")
}

func TestClientUpdate(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, s setup) {
		e := newEnv(t, s)
		want(t, e.call("POST", "/clients", webDoc("web")), http.StatusCreated)

		// PATCH changes what it names, with If-Match or a version member.
		r := want(t, e.call("PATCH", "/clients/web", map[string]any{"client_name": "Renamed", "scope": "openid"}, ifMatch(`"1"`)...), http.StatusOK)
		if r.str("client_name") != "Renamed" || r.str("scope") != "openid" || r.num("version") != 2 || r.header.Get("ETag") != `"2"` ||
			len(r.body["redirect_uris"].([]any)) != 1 {
			t.Fatalf("PATCH gave %s %v", r.raw, r.header)
		}
		r = want(t, e.call("PATCH", "/clients/web", map[string]any{"version": 2, "post_logout_redirect_uris": []string{"https://rp.example/bye"}}), http.StatusOK)
		if r.num("version") != 3 {
			t.Fatalf("PATCH with a version member gave %s", r.raw)
		}
		// Nothing to change writes nothing.
		r = want(t, e.call("PATCH", "/clients/web", map[string]any{"client_name": "Renamed"}, ifMatch(`"3"`)...), http.StatusOK)
		if r.num("version") != 3 {
			t.Fatalf("an empty change wrote version %v", r.body["version"])
		}

		// PUT sends back the representation read with GET.
		g := want(t, e.call("GET", "/clients/web", nil), http.StatusOK)
		g.body["client_name"] = "Put back"
		g.body["access_token_format"] = "jwt"
		r = want(t, e.call("PUT", "/clients/web", g.body, ifMatch(g.header.Get("ETag"))...), http.StatusOK)
		if r.str("client_name") != "Put back" || r.str("access_token_format") != "jwt" || r.str("scope") != "openid" || r.num("version") != 4 {
			t.Fatalf("PUT gave %s", r.raw)
		}
		// PUT replaces: what it omits takes its default.
		r = want(t, e.call("PUT", "/clients/web", map[string]any{"client_name": "Minimal", "grant_types": []string{"authorization_code"},
			"redirect_uris": []string{callback}}, ifMatch(`"4"`)...), http.StatusOK)
		if r.str("scope") != "" || r.str("access_token_format") != "opaque" || r.str("token_endpoint_auth_method") != "client_secret_basic" {
			t.Fatalf("PUT of a minimal document gave %s", r.raw)
		}

		ev := want(t, e.call("GET", "/audit?action=client.update&target=client:web", nil), http.StatusOK).items()
		if len(ev) != 4 {
			t.Fatalf("%d client.update events, want 4", len(ev))
		}
		before, _ := json.Marshal(ev[3]["before"])
		after, _ := json.Marshal(ev[3]["after"])
		if !strings.Contains(string(before), `"client_name":"Web web"`) || !strings.Contains(string(after), `"client_name":"Renamed"`) {
			t.Errorf("first update recorded %s -> %s", before, after)
		}
	})
}

func TestClientUpdateErrors(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, s setup) {
		e := newEnv(t, s)
		want(t, e.call("POST", "/clients", webDoc("web")), http.StatusCreated)
		pub := map[string]any{"client_id": "spa", "client_name": "SPA", "grant_types": []string{"authorization_code"},
			"redirect_uris": []string{callback}, "token_endpoint_auth_method": "none"}
		want(t, e.call("POST", "/clients", pub), http.StatusCreated)
		cases := []struct {
			name    string
			method  string
			path    string
			body    any
			headers []string
			status  int
			code    string
			fields  []string
		}{
			{"no precondition", "PATCH", "/clients/web", map[string]any{"client_name": "x"}, nil, 428, "precondition_required", nil},
			{"no precondition on PUT", "PUT", "/clients/web", webDoc("web"), nil, 428, "precondition_required", nil},
			{"stale If-Match", "PATCH", "/clients/web", map[string]any{"client_name": "x"}, ifMatch(`"7"`), 409, "conflict", nil},
			{"stale version member", "PATCH", "/clients/web", map[string]any{"client_name": "x", "version": 2}, nil, 409, "conflict", nil},
			{"bad If-Match", "PATCH", "/clients/web", map[string]any{"client_name": "x"}, ifMatch(`W/"1"`), 400, "invalid_request", []string{"If-Match"}},
			{"If-Match and version differ", "PATCH", "/clients/web", map[string]any{"version": 2}, ifMatch(`"1"`), 400, "invalid_request", []string{"version"}},
			{"missing client", "PATCH", "/clients/ghost", map[string]any{"client_name": "x"}, ifMatch(`"1"`), 404, "not_found", nil},
			{"bad redirect", "PATCH", "/clients/web", map[string]any{"redirect_uris": []string{"http://rp.example/cb"}}, ifMatch(`"1"`), 400, "invalid_request", []string{"redirect_uris"}},
			{"unknown grant", "PATCH", "/clients/web", map[string]any{"grant_types": []string{"implicit"}}, ifMatch(`"1"`), 400, "invalid_request", []string{"grant_types"}},
			{"empty name", "PATCH", "/clients/web", map[string]any{"client_name": ""}, ifMatch(`"1"`), 400, "invalid_request", []string{"client_name"}},
			{"enabled", "PATCH", "/clients/web", map[string]any{"enabled": false}, ifMatch(`"1"`), 400, "invalid_request", []string{"enabled"}},
			{"client_id", "PATCH", "/clients/web", map[string]any{"client_id": "other"}, ifMatch(`"1"`), 400, "invalid_request", []string{"client_id"}},
			{"secret", "PATCH", "/clients/web", map[string]any{"client_secret": "x"}, ifMatch(`"1"`), 400, "invalid_request", []string{"client_secret"}},
			{"to public", "PATCH", "/clients/web", map[string]any{"token_endpoint_auth_method": "none"}, ifMatch(`"1"`), 400, "invalid_request", []string{"token_endpoint_auth_method"}},
			{"to confidential", "PATCH", "/clients/spa", map[string]any{"token_endpoint_auth_method": "client_secret_post"}, ifMatch(`"1"`), 400, "invalid_request", []string{"token_endpoint_auth_method"}},
			{"PUT without a name", "PUT", "/clients/web", map[string]any{"grant_types": []string{"client_credentials"}}, ifMatch(`"1"`), 400, "invalid_request", []string{"client_name"}},
			{"wrong type", "PATCH", "/clients/web", map[string]any{"id_token_lifetime": "long"}, ifMatch(`"1"`), 400, "invalid_request", []string{"id_token_lifetime"}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				wantError(t, e.call(tc.method, tc.path, tc.body, tc.headers...), tc.status, tc.code, tc.fields...)
			})
		}
		r := want(t, e.call("GET", "/clients/web", nil), http.StatusOK)
		if r.num("version") != 1 || r.str("client_name") != "Web web" {
			t.Fatalf("refused updates changed the client: %s", r.raw)
		}
	})
}

func TestClientActionErrors(t *testing.T) {
	e := newEnv(t, setup{name: "sqlite"})
	want(t, e.call("POST", "/clients", webDoc("web")), http.StatusCreated)
	want(t, e.call("POST", "/clients", map[string]any{"client_id": "spa", "client_name": "SPA", "grant_types": []string{"authorization_code"},
		"redirect_uris": []string{callback}, "token_endpoint_auth_method": "none"}), http.StatusCreated)
	cases := []struct {
		name    string
		method  string
		path    string
		body    any
		headers []string
		status  int
		code    string
		fields  []string
	}{
		{"enable missing", "POST", "/clients/ghost/enable", nil, nil, 404, "not_found", nil},
		{"disable missing", "POST", "/clients/ghost/disable", nil, nil, 404, "not_found", nil},
		{"rotate missing", "POST", "/clients/ghost/rotate-secret", nil, nil, 404, "not_found", nil},
		{"delete missing", "DELETE", "/clients/ghost", nil, nil, 404, "not_found", nil},
		{"disable stale", "POST", "/clients/web/disable", nil, ifMatch(`"5"`), 409, "conflict", nil},
		{"enable stale", "POST", "/clients/web/enable", map[string]any{"version": 5}, nil, 409, "conflict", nil},
		{"rotate stale", "POST", "/clients/web/rotate-secret", nil, ifMatch(`"5"`), 409, "conflict", nil},
		{"delete stale", "DELETE", "/clients/web", nil, ifMatch(`"5"`), 409, "conflict", nil},
		{"negative grace", "POST", "/clients/web/rotate-secret", map[string]any{"grace_period_seconds": -1}, nil, 400, "invalid_request", []string{"grace_period_seconds"}},
		{"grace too long", "POST", "/clients/web/rotate-secret", map[string]any{"grace_period_seconds": 1 << 40}, nil, 400, "invalid_request", []string{"grace_period_seconds"}},
		{"grace not a number", "POST", "/clients/web/rotate-secret", map[string]any{"grace_period_seconds": "1h"}, nil, 400, "invalid_request", []string{"grace_period_seconds"}},
		{"rotate public", "POST", "/clients/spa/rotate-secret", nil, nil, 400, "invalid_request", nil},
		{"action with a stray field", "POST", "/clients/web/disable", map[string]any{"reason": "x"}, nil, 400, "invalid_request", []string{"reason"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, e.call(tc.method, tc.path, tc.body, tc.headers...), tc.status, tc.code, tc.fields...)
		})
	}
	r := want(t, e.call("GET", "/clients/web", nil), http.StatusOK)
	if r.num("version") != 1 || r.body["enabled"] != true {
		t.Fatalf("refused actions changed the client: %s", r.raw)
	}
}
