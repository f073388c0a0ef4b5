package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tongxing/tongxing/config"
	"github.com/tongxing/tongxing/provider/clientreg"
)

// setEnabledDirectly enables or disables a client in the database behind
// the provider's back: no notice tells the server of it.
func (ts *testServer) setEnabledDirectly(t *testing.T, id string, on bool) {
	t.Helper()
	c, err := ts.app.store.Clients.Get(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	c.Enabled = on
	if err := ts.app.store.Clients.Update(t.Context(), c); err != nil {
		t.Fatal(err)
	}
}

// awaitRecordCache waits until the server reuses the client records it
// reads, which it does once it follows the change feed: a client disabled
// behind its back then still gets a token. The client ends enabled and
// cached.
func (ts *testServer) awaitRecordCache(t *testing.T, md clientreg.Metadata, scope string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := ts.serviceToken(t, md, scope); err != nil {
			t.Fatalf("client_credentials: %v", err)
		}
		ts.setEnabledDirectly(t, md.ClientID, false)
		_, err := ts.serviceToken(t, md, scope)
		ts.setEnabledDirectly(t, md.ClientID, true)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the server never reused a client record")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// adminToken bootstraps the admin client and returns a token of it.
func (ts *testServer) adminToken(t *testing.T) string {
	t.Helper()
	var md clientreg.Metadata
	if err := json.Unmarshal([]byte(mustCLI(t, ts.environ(), "admin", "bootstrap")), &md); err != nil {
		t.Fatal(err)
	}
	tok, err := ts.serviceToken(t, md, "admin")
	if err != nil {
		t.Fatal(err)
	}
	return tok.AccessToken
}

// post sends a POST without a body, with a bearer token.
func (ts *testServer) post(t *testing.T, path, bearer string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+bearer)
	return call(t, req)
}

// wantInvalidClient checks that the token endpoint refuses md.
func (ts *testServer) wantInvalidClient(t *testing.T, md clientreg.Metadata, scope, when string) {
	t.Helper()
	_, err := ts.serviceToken(t, md, scope)
	if err == nil {
		t.Fatalf("%s: the client still gets tokens", when)
	}
	if re := retrieveError(t, err); re.Response.StatusCode != http.StatusUnauthorized || re.ErrorCode != "invalid_client" {
		t.Fatalf("%s: %d %s", when, re.Response.StatusCode, re.ErrorCode)
	}
}

// The record cache is on by default, and a change made through the admin
// API reaches it before the next request.
func TestAdminChangesReachTheRecordCache(t *testing.T) {
	if ttl := config.Default().Database.CacheTTL; ttl != 5*time.Second {
		t.Fatalf("database.cache_ttl defaults to %s", ttl)
	}
	forEachBackend(t, func(t *testing.T, b backend) {
		ts := startServer(t, b.config(t))
		admin := ts.adminToken(t)
		svc := ts.createClient(t, "--name", "Svc", "--client-id", "svc", "--grant-type", "client_credentials", "--scope", "api")
		ts.awaitRecordCache(t, svc, "api")
		if r := ts.post(t, "/admin/v1/clients/svc/disable", admin); r.status != http.StatusOK || r.body["enabled"] != false {
			t.Fatalf("disable: %d %s", r.status, r.raw)
		}
		ts.wantInvalidClient(t, svc, "api", "disabled through the admin API")
	})
}

// With Redis, a change the CLI makes beside a running server, as a
// process of its own, reaches the server's record cache at once.
func TestCLIChangesReachTheServerThroughRedis(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		cfg := b.config(t)
		if !cfg.UsesRedis() {
			t.Skip("on the embedded backend the CLI reaches no server: its changes wait for database.cache_ttl")
		}
		// Far longer than the test: only the notice can show the change.
		cfg.Database.CacheTTL = time.Minute
		ts := startServer(t, cfg)
		svc := ts.createClient(t, "--name", "Svc", "--client-id", "svc", "--grant-type", "client_credentials", "--scope", "api")
		ts.awaitRecordCache(t, svc, "api")
		// rotate-secret needs no token store: the notice alone must stop
		// the old secret, which the cached record still accepts.
		_, stderr, err := runCLI(t, ts.environ(), "client", "rotate-secret", "svc")
		if err != nil || strings.Contains(stderr, "warning") {
			t.Fatalf("rotate-secret: %v\n%s", err, stderr)
		}
		// The notice crosses Redis to the server's subscription: give it
		// a moment, far less than the TTL.
		deadline := time.Now().Add(5 * time.Second)
		for {
			if _, err := ts.serviceToken(t, svc, "api"); err != nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the old secret still works after the CLI replaced it")
			}
			time.Sleep(10 * time.Millisecond)
		}
		ts.wantInvalidClient(t, svc, "api", "the replaced secret")
	})
}

// The CLI cannot fail a change it has made because Redis is down: it
// warns that running servers see it only within database.cache_ttl.
func TestCLIWarnsWhenItCannotAnnounce(t *testing.T) {
	env := append(dataDirEnv(t), "IDP_REDIS_ADDRS=127.0.0.1:1")
	u := cliJSON(t, env, "user", "create", "--username", "dan", "--password", "dan's password")
	out, stderr, err := runCLI(t, env, "user", "update", "dan", "--nickname", "Danny")
	if err != nil {
		t.Fatalf("user update with Redis down: %v\n%s", err, stderr)
	}
	if !strings.Contains(out, `"Danny"`) {
		t.Errorf("printed %s", out)
	}
	if !strings.Contains(stderr, "warning:") || !strings.Contains(stderr, "user "+u["sub"].(string)) ||
		!strings.Contains(stderr, "database.cache_ttl (5s here)") {
		t.Errorf("stderr:\n%s", stderr)
	}
}
