package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestKeys(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, s setup) {
		e := newEnv(t, s)
		l := want(t, e.call("GET", "/keys", nil), http.StatusOK)
		if len(l.items()) != 1 || l.items()[0]["alg"] != "RS256" || l.items()[0]["retired_at"] != nil {
			t.Fatalf("keys %s", l.raw)
		}
		for _, k := range []string{"private", `"d"`, `"p"`, "BEGIN"} {
			if strings.Contains(l.raw, k) {
				t.Fatalf("the key listing shows private material (%s): %s", k, l.raw)
			}
		}
		old := l.items()[0]["kid"]
		wantError(t, e.call("POST", "/keys/rotate", map[string]any{"alg": "HS256"}), http.StatusBadRequest, "invalid_request", "alg")
		wantError(t, e.call("POST", "/keys/rotate", map[string]any{}), http.StatusBadRequest, "invalid_request", "alg")
		wantError(t, e.call("POST", "/keys/rotate", map[string]any{"alg": "ES256", "size": 1}), http.StatusBadRequest, "invalid_request", "size")
		r := want(t, e.call("POST", "/keys/rotate", map[string]any{"alg": "RS256"}), http.StatusCreated)
		kid := r.str("kid")
		if kid == "" || kid == old || r.str("alg") != "RS256" {
			t.Fatalf("rotate gave %s", r.raw)
		}
		l = want(t, e.call("GET", "/keys", nil), http.StatusOK)
		byKid := map[any]map[string]any{}
		for _, k := range l.items() {
			byKid[k["kid"]] = k
		}
		if len(byKid) != 2 || byKid[kid]["retired_at"] != nil || byKid[old]["retired_at"] == nil || byKid[old]["expires_at"] == nil {
			t.Fatalf("keys after rotation %s", l.raw)
		}
		ev := want(t, e.call("GET", "/audit?action=key.rotate", nil), http.StatusOK).items()
		if len(ev) != 1 || ev[0]["target"] != "key:"+kid || ev[0]["actor"] != "root-admin" {
			t.Fatalf("audit %v", ev)
		}
	})
}

func TestAuditList(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, s setup) {
		e := newEnv(t, s)
		start := e.clock.Now()
		want(t, e.call("POST", "/clients", webDoc("a1")), http.StatusCreated)
		e.clock.Advance(time.Minute)
		mid := e.clock.Now()
		want(t, e.call("POST", "/clients/a1/disable", nil), http.StatusOK)
		e.clock.Advance(time.Minute)
		want(t, e.call("POST", "/companies", map[string]any{"id": "c1", "name": "C"}), http.StatusCreated)
		other := e.serviceToken(e.client("second", "client_credentials", "admin"), "admin")
		want(t, e.callAs(other, "POST", "/clients/a1/enable", nil), http.StatusOK)

		actions := func(q url.Values) string {
			r := want(t, e.call("GET", "/audit?"+q.Encode(), nil), http.StatusOK)
			var out []string
			for _, it := range r.items() {
				out = append(out, it["action"].(string))
			}
			return strings.Join(out, ",")
		}
		rfc := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
		cases := []struct {
			q    url.Values
			want string
		}{
			{url.Values{}, "client.enable,company.create,client.disable,client.create"},
			{url.Values{"actor": {"second"}}, "client.enable"},
			{url.Values{"actor": {"root-admin"}, "target": {"client:a1"}}, "client.disable,client.create"},
			{url.Values{"action": {"company.create"}}, "company.create"},
			{url.Values{"since": {rfc(mid)}}, "client.enable,company.create,client.disable"},
			{url.Values{"since": {rfc(start)}, "until": {rfc(mid)}}, "client.create"},
			{url.Values{"limit": {"2"}, "offset": {"1"}}, "company.create,client.disable"},
			{url.Values{"actor": {"nobody"}}, ""},
		}
		for _, tc := range cases {
			if got := actions(tc.q); got != tc.want {
				t.Errorf("audit?%s = %s, want %s", tc.q.Encode(), got, tc.want)
			}
		}
		d := want(t, e.call("GET", "/audit?action=client.disable", nil), http.StatusOK).items()[0]
		if d["before"].(map[string]any)["enabled"] != true || d["after"].(map[string]any)["enabled"] != false || d["source"] != "127.0.0.1" {
			t.Errorf("disable event %v", d)
		}
		for q, field := range map[string]string{"since=yesterday": "since", "until=2024-13-01T00:00:00Z": "until",
			"since=2024-03-02T00:00:00Z&until=2024-03-01T00:00:00Z": "until", "limit=5000": "limit", "offset=x": "offset"} {
			wantError(t, e.call("GET", "/audit?"+q, nil), http.StatusBadRequest, "invalid_request", field)
		}
	})
}
