package admin_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/credentials"
)

func TestUserCreate(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, s setup) {
		e := newEnv(t, s)
		want(t, e.call("POST", "/companies", map[string]any{"id": "acme", "name": "Acme"}), http.StatusCreated)
		r := want(t, e.call("POST", "/users", map[string]any{"username": " alice ", "password": "alice's password",
			"phone": "+8613800138000", "email": "alice@example.com", "nickname": "Al", "real_name": "爱丽丝", "sex": 2,
			"company_id": "acme"}), http.StatusCreated)
		sub := r.str("sub")
		if !strings.HasPrefix(sub, "u_") || r.str("username") != "alice" || r.str("phone") != "+8613800138000" ||
			r.str("company_id") != "acme" || r.num("sex") != 2 || r.body["disabled"] != false || r.header.Get("ETag") != `"1"` ||
			r.header.Get("Location") != "/admin/v1/users/"+sub {
			t.Fatalf("created %s %v", r.raw, r.header)
		}
		for k := range r.body {
			if strings.Contains(k, "password") || strings.Contains(k, "hash") {
				t.Errorf("the user shows %s", k)
			}
		}
		u, err := e.records.Users.Get(t.Context(), sub)
		if err != nil {
			t.Fatal(err)
		}
		if ok, _ := credentials.VerifyPassword(u.PasswordHash, "alice's password"); !ok {
			t.Error("the password was not stored")
		}
		ev := want(t, e.call("GET", "/audit?action=user.create", nil), http.StatusOK).items()
		if len(ev) != 1 || ev[0]["target"] != "user:"+sub || strings.Contains(ev[0]["after"].(map[string]any)["username"].(string), "$") {
			t.Fatalf("audit %v", ev)
		}
		if a := ev[0]["after"].(map[string]any); a["password_hash"] != nil || strings.Contains(r.raw, "argon2") {
			t.Errorf("the audit log holds a password hash: %v", a)
		}
		wantError(t, e.call("POST", "/users", map[string]any{"username": "alice", "password": "another password"}), http.StatusConflict, "already_exists")
		wantError(t, e.call("POST", "/users", map[string]any{"username": "bob", "password": "another password", "phone": "+8613800138000"}),
			http.StatusConflict, "already_exists")
	})
}

func TestUserCreateInvalid(t *testing.T) {
	e := newEnv(t, setup{name: "sqlite"})
	cases := []struct {
		name   string
		body   map[string]any
		fields []string
	}{
		{"no username", map[string]any{"password": "long enough"}, []string{"username"}},
		{"blank username", map[string]any{"username": "  ", "password": "long enough"}, []string{"username"}},
		{"long username", map[string]any{"username": strings.Repeat("u", 65), "password": "long enough"}, []string{"username"}},
		{"short password", map[string]any{"username": "u", "password": "short"}, []string{"password"}},
		{"bad email", map[string]any{"username": "u", "password": "long enough", "email": "nope"}, []string{"email"}},
		{"named email", map[string]any{"username": "u", "password": "long enough", "email": "U <u@example.com>"}, []string{"email"}},
		{"bad phone", map[string]any{"username": "u", "password": "long enough", "phone": "138-0013"}, []string{"phone"}},
		{"bad sex", map[string]any{"username": "u", "password": "long enough", "sex": 5}, []string{"sex"}},
		{"long nickname", map[string]any{"username": "u", "password": "long enough", "nickname": strings.Repeat("昵", 65)}, []string{"nickname"}},
		{"unknown company", map[string]any{"username": "u", "password": "long enough", "company_id": "nowhere"}, []string{"company_id"}},
		{"unknown field", map[string]any{"username": "u", "password": "long enough", "role": "root"}, []string{"role"}},
		{"many", map[string]any{"username": "", "password": "x", "email": "@"}, []string{"username", "password", "email"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, e.call("POST", "/users", tc.body), http.StatusBadRequest, "invalid_request", tc.fields...)
		})
	}
	l := want(t, e.call("GET", "/users", nil), http.StatusOK)
	if len(l.items()) != 0 {
		t.Fatalf("refused users were stored: %s", l.raw)
	}
}

func TestUserListAndSearch(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, s setup) {
		e := newEnv(t, s)
		want(t, e.call("POST", "/companies", map[string]any{"id": "acme", "name": "Acme"}), http.StatusCreated)
		for _, u := range []map[string]any{
			{"username": "alice", "phone": "13800000001", "company_id": "acme"},
			{"username": "alicia", "phone": "13900000002"},
			{"username": "bob", "phone": "13800000003", "company_id": "acme"},
		} {
			u["password"] = "a long password"
			want(t, e.call("POST", "/users", u), http.StatusCreated)
		}
		// Users made in the same millisecond list in the order of their
		// random IDs: compare sets, and pages against the whole listing.
		names := func(r result, sorted bool) string {
			var out []string
			for _, it := range r.items() {
				out = append(out, it["username"].(string))
			}
			if sorted {
				slices.Sort(out)
			}
			return strings.Join(out, ",")
		}
		for q, w := range map[string]string{"": "alice,alicia,bob", "?q=ali": "alice,alicia", "?q=138": "alice,bob",
			"?q=1390": "alicia", "?q=zed": "", "?company_id=acme": "alice,bob", "?q=b&company_id=acme": "bob"} {
			if got := names(want(t, e.call("GET", "/users"+q, nil), http.StatusOK), true); got != w {
				t.Errorf("GET /users%s = %s, want %s", q, got, w)
			}
		}
		all := strings.Split(names(want(t, e.call("GET", "/users", nil), http.StatusOK), false), ",")
		if len(all) != 3 {
			t.Fatalf("listed %v", all)
		}
		for i, u := range all {
			p := want(t, e.call("GET", fmt.Sprintf("/users?limit=1&offset=%d", i), nil), http.StatusOK)
			// A full page names the next one, which may be empty.
			if got := names(p, false); got != u || p.num("next_offset") != float64(i+1) {
				t.Errorf("page %d = %s next %v, want %s", i, got, p.body["next_offset"], u)
			}
		}
		if got := names(want(t, e.call("GET", "/companies/acme/users", nil), http.StatusOK), true); got != "alice,bob" {
			t.Errorf("users of acme: %s", got)
		}
		wantError(t, e.call("GET", "/users?limit=-5", nil), http.StatusBadRequest, "invalid_request", "limit")
		wantError(t, e.call("GET", "/users?q=a&q=b", nil), http.StatusBadRequest, "invalid_request", "q")
		wantError(t, e.call("GET", "/users/nobody", nil), http.StatusNotFound, "not_found")
	})
}

func TestUserUpdate(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, s setup) {
		e := newEnv(t, s)
		sub := e.user("carol", "carol's password")
		other := e.user("dave", "dave's password")
		want(t, e.call("PATCH", "/users/"+other, map[string]any{"phone": "13700000000"}, ifMatch(`"1"`)...), http.StatusOK)

		r := want(t, e.call("PATCH", "/users/"+sub, map[string]any{"nickname": "C", "email": "carol@example.com", "is_admin": true}, ifMatch(`"1"`)...), http.StatusOK)
		if r.str("nickname") != "C" || r.str("email") != "carol@example.com" || r.body["is_admin"] != true || r.num("version") != 2 || r.header.Get("ETag") != `"2"` {
			t.Fatalf("PATCH gave %s", r.raw)
		}
		// An empty email removes it; PUT of the read representation keeps the rest.
		g := want(t, e.call("GET", "/users/"+sub, nil), http.StatusOK)
		g.body["email"] = ""
		g.body["real_name"] = "Carol C."
		r = want(t, e.call("PUT", "/users/"+sub, g.body, ifMatch(`"2"`)...), http.StatusOK)
		if r.body["email"] != nil || r.str("real_name") != "Carol C." || r.str("nickname") != "C" || r.num("version") != 3 {
			t.Fatalf("PUT gave %s", r.raw)
		}
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
			{"no precondition", "PATCH", "/users/" + sub, map[string]any{"nickname": "x"}, nil, 428, "precondition_required", nil},
			{"stale", "PATCH", "/users/" + sub, map[string]any{"nickname": "x"}, ifMatch(`"1"`), 409, "conflict", nil},
			{"missing", "PATCH", "/users/ghost", map[string]any{"nickname": "x"}, ifMatch(`"1"`), 404, "not_found", nil},
			{"bad phone", "PATCH", "/users/" + sub, map[string]any{"phone": "x"}, ifMatch(`"3"`), 400, "invalid_request", []string{"phone"}},
			{"disabled", "PATCH", "/users/" + sub, map[string]any{"disabled": true}, ifMatch(`"3"`), 400, "invalid_request", []string{"disabled"}},
			{"company", "PATCH", "/users/" + sub, map[string]any{"company_id": "acme"}, ifMatch(`"3"`), 400, "invalid_request", []string{"company_id"}},
			{"password", "PATCH", "/users/" + sub, map[string]any{"password": "a new password"}, ifMatch(`"3"`), 400, "invalid_request", []string{"password"}},
			{"sub", "PATCH", "/users/" + sub, map[string]any{"sub": "u_other"}, ifMatch(`"3"`), 400, "invalid_request", []string{"sub"}},
			{"PUT without username", "PUT", "/users/" + sub, map[string]any{"nickname": "x"}, ifMatch(`"3"`), 400, "invalid_request", []string{"username"}},
			{"taken phone", "PATCH", "/users/" + sub, map[string]any{"phone": "13700000000"}, ifMatch(`"3"`), 409, "already_exists", nil},
			{"taken username", "PATCH", "/users/" + sub, map[string]any{"username": "dave"}, ifMatch(`"3"`), 409, "already_exists", nil},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				wantError(t, e.call(tc.method, tc.path, tc.body, tc.headers...), tc.status, tc.code, tc.fields...)
			})
		}
		if r := want(t, e.call("GET", "/users/"+sub, nil), http.StatusOK); r.num("version") != 3 {
			t.Fatalf("refused updates changed the user: %s", r.raw)
		}
	})
}

func TestUserSetPassword(t *testing.T) {
	e := newEnv(t, setup{name: "sqlite"})
	sub := e.user("erin", "erin's old password")
	wantError(t, e.call("PUT", "/users/"+sub+"/password", map[string]any{"password": "short"}), http.StatusBadRequest, "invalid_request", "password")
	wantError(t, e.call("PUT", "/users/"+sub+"/password", map[string]any{}), http.StatusBadRequest, "invalid_request", "password")
	wantError(t, e.call("PUT", "/users/ghost/password", map[string]any{"password": "long enough"}), http.StatusNotFound, "not_found")
	wantError(t, e.call("PUT", "/users/"+sub+"/password", map[string]any{"password": "long enough"}, ifMatch(`"9"`)...), http.StatusConflict, "conflict")
	r := want(t, e.call("PUT", "/users/"+sub+"/password", map[string]any{"password": "erin's new password"}, ifMatch(`"1"`)...), http.StatusOK)
	if r.num("version") != 2 || strings.Contains(r.raw, "argon2") {
		t.Fatalf("set password gave %s", r.raw)
	}
	web := e.client("web", "authorization_code", "openid profile")
	b := e.browser()
	_, page := b.get(e.authorizeURL(web.id, "openid"))
	f := hidden(page)
	f.Set("username", "erin")
	f.Set("password", "erin's old password")
	if resp, page := b.submit("/oauth2/login", f); resp.StatusCode != http.StatusUnauthorized || !isLoginPage(resp, page) && resp.StatusCode == 200 {
		t.Errorf("the old password: %d, want 401", resp.StatusCode)
	}
	e.browser().signIn(web.id, "openid", "erin", "erin's new password")
	ev := want(t, e.call("GET", "/audit?action=user.set_password&target=user:"+sub, nil), http.StatusOK).items()
	if len(ev) != 1 || strings.Contains(ev[0]["after"].(map[string]any)["username"].(string), "argon") {
		t.Fatalf("audit %v", ev)
	}
}

func TestUserIdentities(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, s setup) {
		e := newEnv(t, s)
		sub := e.user("fay", "fay's password")
		r := want(t, e.call("GET", "/users/"+sub+"/identities", nil), http.StatusOK)
		if len(r.items()) != 0 || !strings.Contains(r.raw, `"items":[]`) {
			t.Fatalf("identities of a new user: %s", r.raw)
		}
		ctx := context.Background()
		for _, id := range []*models.Identity{
			{UserID: sub, Provider: models.IdentityWxApp, Subject: "oWx1", ClientID: "app"},
			{UserID: sub, Provider: models.IdentityApple, Subject: "001.apple"},
			{UserID: "someone-else", Provider: models.IdentityQQ, Subject: "qq1"},
		} {
			if err := e.records.Identities.Create(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
		r = want(t, e.call("GET", "/users/"+sub+"/identities", nil), http.StatusOK)
		got := r.items()
		if len(got) != 2 || got[0]["provider"] != "wx_app" || got[0]["subject"] != "oWx1" || got[0]["client_id"] != "app" || got[1]["provider"] != "apple" {
			t.Fatalf("identities %s", r.raw)
		}
		wantError(t, e.call("GET", "/users/ghost/identities", nil), http.StatusNotFound, "not_found")
	})
}
