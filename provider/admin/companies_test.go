package admin_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestCompanies(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, s setup) {
		e := newEnv(t, s)
		r := want(t, e.call("POST", "/companies", map[string]any{"id": "acme", "name": "同行科技", "tax_number": "91310000MA1FL0000X",
			"province": "上海市", "tel_phone": "021-12345678"}), http.StatusCreated)
		if r.str("id") != "acme" || r.str("name") != "同行科技" || r.num("version") != 1 || r.header.Get("Location") != "/admin/v1/companies/acme" {
			t.Fatalf("created %s", r.raw)
		}
		gen := want(t, e.call("POST", "/companies", map[string]any{"name": "Globex"}), http.StatusCreated)
		if !strings.HasPrefix(gen.str("id"), "co_") {
			t.Errorf("generated id %q", gen.str("id"))
		}
		l := want(t, e.call("GET", "/companies", nil), http.StatusOK)
		if len(l.items()) != 2 || l.items()[0]["id"] != "acme" {
			t.Fatalf("list %s", l.raw)
		}
		r = want(t, e.call("PATCH", "/companies/acme", map[string]any{"city": "上海市", "zone": "浦东新区"}, ifMatch(`"1"`)...), http.StatusOK)
		if r.str("city") != "上海市" || r.str("tax_number") != "91310000MA1FL0000X" || r.num("version") != 2 {
			t.Fatalf("PATCH gave %s", r.raw)
		}
		r = want(t, e.call("PUT", "/companies/acme", map[string]any{"name": "Acme Ltd"}, ifMatch(`"2"`)...), http.StatusOK)
		if r.str("name") != "Acme Ltd" || r.str("city") != "" || r.num("version") != 3 {
			t.Fatalf("PUT gave %s", r.raw)
		}
		if g := want(t, e.call("GET", "/companies/acme", nil), http.StatusOK); g.header.Get("ETag") != `"3"` {
			t.Errorf("ETag %q", g.header.Get("ETag"))
		}

		// Members.
		sub := e.user("gina", "gina's password")
		r = want(t, e.call("PUT", "/companies/acme/users/"+sub, nil), http.StatusOK)
		if r.str("company_id") != "acme" || r.num("version") != 2 {
			t.Fatalf("link gave %s", r.raw)
		}
		wantError(t, e.call("DELETE", "/companies/acme", nil), http.StatusConflict, "conflict")
		wantError(t, e.call("DELETE", "/companies/"+gen.str("id")+"/users/"+sub, nil), http.StatusNotFound, "not_found")
		r = want(t, e.call("PUT", "/companies/"+gen.str("id")+"/users/"+sub, nil, ifMatch(`"2"`)...), http.StatusOK)
		if r.str("company_id") != gen.str("id") {
			t.Fatalf("moving gave %s", r.raw)
		}
		r = want(t, e.call("DELETE", "/companies/"+gen.str("id")+"/users/"+sub, nil), http.StatusOK)
		if r.body["company_id"] != nil {
			t.Fatalf("unlink gave %s", r.raw)
		}
		ev := want(t, e.call("GET", "/audit?target=user:"+sub, nil), http.StatusOK).items()
		if len(ev) != 4 || ev[0]["action"] != "company.unlink_user" || ev[0]["detail"] != "company:"+gen.str("id") || ev[2]["action"] != "company.link_user" {
			t.Fatalf("audit %v", ev)
		}

		w := e.call("DELETE", "/companies/acme", nil, ifMatch(`"3"`)...)
		if w.status != http.StatusNoContent || w.raw != "" {
			t.Fatalf("delete: %d %s", w.status, w.raw)
		}
		wantError(t, e.call("GET", "/companies/acme", nil), http.StatusNotFound, "not_found")
	})
}

func TestCompanyErrors(t *testing.T) {
	e := newEnv(t, setup{name: "sqlite"})
	want(t, e.call("POST", "/companies", map[string]any{"id": "acme", "name": "Acme"}), http.StatusCreated)
	sub := e.user("hal", "hal's password")
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
		{"no name", "POST", "/companies", map[string]any{"id": "x"}, nil, 400, "invalid_request", []string{"name"}},
		{"bad id", "POST", "/companies", map[string]any{"id": "a/b", "name": "x"}, nil, 400, "invalid_request", []string{"id"}},
		{"long fields", "POST", "/companies", map[string]any{"name": strings.Repeat("n", 201), "tel_phone": strings.Repeat("1", 33)}, nil, 400, "invalid_request", []string{"name", "tel_phone"}},
		{"wrong type", "POST", "/companies", map[string]any{"name": 7}, nil, 400, "invalid_request", []string{"name"}},
		{"taken id", "POST", "/companies", map[string]any{"id": "acme", "name": "x"}, nil, 409, "already_exists", nil},
		{"get missing", "GET", "/companies/ghost", nil, nil, 404, "not_found", nil},
		{"update without precondition", "PATCH", "/companies/acme", map[string]any{"name": "x"}, nil, 428, "precondition_required", nil},
		{"update stale", "PATCH", "/companies/acme", map[string]any{"name": "x"}, ifMatch(`"4"`), 409, "conflict", nil},
		{"update missing", "PUT", "/companies/ghost", map[string]any{"name": "x"}, ifMatch(`"1"`), 404, "not_found", nil},
		{"update id", "PATCH", "/companies/acme", map[string]any{"id": "other"}, ifMatch(`"1"`), 400, "invalid_request", []string{"id"}},
		{"update empty name", "PATCH", "/companies/acme", map[string]any{"name": ""}, ifMatch(`"1"`), 400, "invalid_request", []string{"name"}},
		{"delete missing", "DELETE", "/companies/ghost", nil, nil, 404, "not_found", nil},
		{"delete stale", "DELETE", "/companies/acme", nil, ifMatch(`"4"`), 409, "conflict", nil},
		{"users of a missing company", "GET", "/companies/ghost/users", nil, nil, 404, "not_found", nil},
		{"link to a missing company", "PUT", "/companies/ghost/users/" + sub, nil, nil, 404, "not_found", nil},
		{"link a missing user", "PUT", "/companies/acme/users/ghost", nil, nil, 404, "not_found", nil},
		{"link stale", "PUT", "/companies/acme/users/" + sub, nil, ifMatch(`"5"`), 409, "conflict", nil},
		{"unlink a non-member", "DELETE", "/companies/acme/users/" + sub, nil, nil, 404, "not_found", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, e.call(tc.method, tc.path, tc.body, tc.headers...), tc.status, tc.code, tc.fields...)
		})
	}
	if r := want(t, e.call("GET", "/companies/acme", nil), http.StatusOK); r.num("version") != 1 || r.str("name") != "Acme" {
		t.Fatalf("refused changes changed the company: %s", r.raw)
	}
}
