package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/clientreg"
)

// dataDirEnv is an environment selecting a fresh embedded data folder and
// nothing else.
func dataDirEnv(t *testing.T) []string {
	return []string{"IDP_DATA_DIR=" + t.TempDir()}
}

// wantExit checks that a command failed with the exit code, its error
// naming every one of mention, and printed nothing on stdout.
func wantExit(t *testing.T, stdout string, err error, code int, mention ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("the command succeeded, printing %q; want exit code %d", stdout, code)
	}
	if got := exitCode(err); got != code {
		t.Errorf("exit code %d (%v), want %d", got, err, code)
	}
	for _, m := range mention {
		if !strings.Contains(err.Error(), m) {
			t.Errorf("error %q does not mention %q", err, m)
		}
	}
	if stdout != "" {
		t.Errorf("a failed command printed %q", stdout)
	}
}

func TestCLIMigrate(t *testing.T) {
	env := dataDirEnv(t)
	dir := strings.TrimPrefix(env[0], "IDP_DATA_DIR=")
	for range 2 { // a second run finds the schema current
		out, errOut, err := runCLI(t, env, "migrate")
		if err != nil || strings.TrimSpace(out) != "schema is up to date" {
			t.Fatalf("migrate: %v %q %q", err, out, errOut)
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, models.SQLiteFile)); err != nil || fi.Size() == 0 {
		t.Fatalf("no database in the data folder: %v", err)
	}
}

func TestCLIClientCreate(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want map[string]any // top-level JSON fields
		// secret is the client_secret wanted: "" none, "*" any.
		secret string
	}{
		{
			name: "confidential",
			args: []string{"--name", "N", "--grant-type", "authorization_code", "--grant-type", "refresh_token",
				"--redirect-uri", "https://x.example/cb", "--scope", "openid,profile"},
			want: map[string]any{"client_name": "N", "redirect_uris": []any{"https://x.example/cb"},
				"grant_types": []any{"authorization_code", "refresh_token"}, "response_types": []any{"code"},
				"scope": "openid profile", "token_endpoint_auth_method": "client_secret_basic", "access_token_format": "opaque", "enabled": true},
			secret: "*",
		},
		{
			name: "public",
			args: []string{"--name", "SPA", "--public", "--grant-type", "authorization_code", "--redirect-uri", "http://127.0.0.1:3000/cb", "--scope", "openid"},
			want: map[string]any{"token_endpoint_auth_method": "none", "scope": "openid", "redirect_uris": []any{"http://127.0.0.1:3000/cb"}},
		},
		{
			name: "given id and secret",
			args: []string{"--name", "Svc", "--client-id", "svc-7", "--client-secret", "a-chosen-secret-of-some-length",
				"--grant-type", "client_credentials", "--scope", "api", "--auth-method", "client_secret_post"},
			want: map[string]any{"client_id": "svc-7", "grant_types": []any{"client_credentials"}, "response_types": []any{},
				"redirect_uris": []any{}, "token_endpoint_auth_method": "client_secret_post"},
			secret: "a-chosen-secret-of-some-length",
		},
	}
	env := dataDirEnv(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := mustCLI(t, env, append([]string{"client", "create"}, tc.args...)...)
			var got map[string]any
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, out)
			}
			for k, want := range tc.want {
				if g, _ := json.Marshal(got[k]); string(g) != mustJSON(t, want) {
					t.Errorf("%s = %s, want %s", k, g, mustJSON(t, want))
				}
			}
			if id, _ := got["client_id"].(string); len(id) < 16 && tc.want["client_id"] == nil {
				t.Errorf("generated client_id %q is short", id)
			}
			if issued, _ := got["client_id_issued_at"].(float64); time.Since(time.Unix(int64(issued), 0)) > time.Minute {
				t.Errorf("client_id_issued_at %v", got["client_id_issued_at"])
			}
			secret, hasSecret := got["client_secret"].(string)
			switch tc.secret {
			case "":
				if _, ok := got["client_secret"]; ok {
					t.Errorf("a public client got a secret: %v", got["client_secret"])
				}
			case "*":
				if !hasSecret || len(secret) < 32 {
					t.Errorf("client_secret %q, want a long random secret", secret)
				}
			default:
				if secret != tc.secret {
					t.Errorf("client_secret %q, want %q", secret, tc.secret)
				}
			}
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCLIClientCreateErrors(t *testing.T) {
	env := dataDirEnv(t)
	mustCLI(t, env, "client", "create", "--name", "Taken", "--client-id", "taken", "--grant-type", "client_credentials", "--scope", "api")
	cases := []struct {
		name    string
		args    []string
		code    int
		mention []string
	}{
		{"duplicate client id", []string{"--name", "Again", "--client-id", "taken", "--grant-type", "client_credentials"}, exitExists, nil},
		{"unknown grant type", []string{"--name", "N", "--grant-type", "password"}, exitUsage, []string{"grant_types", "password"}},
		{"relative redirect URI", []string{"--name", "N", "--grant-type", "authorization_code", "--redirect-uri", "/cb"}, exitUsage, []string{"redirect_uris", "/cb"}},
		{"plain http redirect URI", []string{"--name", "N", "--grant-type", "authorization_code", "--redirect-uri", "http://rp.example/cb"}, exitUsage, []string{"redirect_uris"}},
		{"public client with a secret", []string{"--name", "N", "--public", "--client-secret", "s", "--grant-type", "authorization_code", "--redirect-uri", "https://x.example/cb"}, exitUsage, []string{"client_secret"}},
		{"unknown flag", []string{"--name", "N", "--colour", "blue"}, exitUsage, []string{"colour"}},
		{"missing required flag", []string{"--grant-type", "client_credentials"}, exitUsage, []string{"name"}},
		{"stray argument", []string{"--name", "N", "--grant-type", "client_credentials", "extra"}, exitUsage, []string{"extra"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := runCLI(t, env, append([]string{"client", "create"}, tc.args...)...)
			wantExit(t, out, err, tc.code, tc.mention...)
		})
	}
}

func TestCLIUserCreate(t *testing.T) {
	env := dataDirEnv(t)
	out := mustCLI(t, env, "user", "create", "--username", "U", "--password", "a long enough password", "--phone", "13800138000",
		"--email", "u@example.com", "--nickname", "Nick", "--real-name", "张三")
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	want := map[string]any{"username": "U", "phone": "13800138000", "email": "u@example.com", "nickname": "Nick", "real_name": "张三",
		"is_admin": false, "disabled": false}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %v, want %v", k, got[k], w)
		}
	}
	if sub, _ := got["sub"].(string); len(sub) < 10 {
		t.Errorf("sub %q", got["sub"])
	}
	for k := range got {
		if strings.Contains(k, "password") || strings.Contains(k, "hash") {
			t.Errorf("the output has a field %s", k)
		}
	}
	if strings.Contains(out, "argon2") || strings.Contains(out, "a long enough password") {
		t.Errorf("the output reveals the password or its hash: %s", out)
	}

	cases := []struct {
		name    string
		args    []string
		code    int
		mention []string
	}{
		{"short password", []string{"--username", "V", "--password", "short"}, exitUsage, []string{"--password"}},
		{"bad email", []string{"--username", "V", "--password", "a long enough password", "--email", "nope"}, exitUsage, []string{"--email"}},
		{"taken username", []string{"--username", "U", "--password", "another long password"}, exitExists, nil},
		{"missing password", []string{"--username", "V"}, exitUsage, []string{"password"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := runCLI(t, env, append([]string{"user", "create"}, tc.args...)...)
			wantExit(t, out, err, tc.code, tc.mention...)
		})
	}
}

// keyView is a key as `idp keys list --json` prints it.
type keyView struct {
	KID        string     `json:"kid"`
	Alg        string     `json:"alg"`
	ActiveFrom time.Time  `json:"active_from"`
	RetiredAt  *time.Time `json:"retired_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
}

func TestCLIKeys(t *testing.T) {
	env := dataDirEnv(t)
	before := time.Now()
	var rotated keyView
	out := mustCLI(t, env, "keys", "rotate", "--alg", "ES256")
	if err := json.Unmarshal([]byte(out), &rotated); err != nil || rotated.KID == "" || rotated.Alg != "ES256" {
		t.Fatalf("keys rotate printed %q: %v", out, err)
	}
	// A new key is published before it signs (keys.publish_delay).
	if delay := rotated.ActiveFrom.Sub(before); delay < time.Minute || delay > 3*time.Minute {
		t.Errorf("the new key signs from %s, %s from now", rotated.ActiveFrom, delay)
	}

	var list []keyView
	out = mustCLI(t, env, "keys", "list", "--json")
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("keys list --json printed %q: %v", out, err)
	}
	var rs, retired, current []keyView
	for _, k := range list {
		switch {
		case k.Alg == "RS256" && k.RetiredAt == nil:
			rs = append(rs, k)
		case k.Alg == "ES256" && k.KID == rotated.KID && k.RetiredAt == nil:
			current = append(current, k)
		case k.Alg == "ES256" && k.RetiredAt != nil:
			retired = append(retired, k)
		}
	}
	if len(list) != 3 || len(rs) != 1 || len(current) != 1 || len(retired) != 1 {
		t.Fatalf("keys after one ES256 rotation: %s", out)
	}
	if !retired[0].RetiredAt.Equal(rotated.ActiveFrom) || retired[0].ExpiresAt == nil || !retired[0].ExpiresAt.After(rotated.ActiveFrom) {
		t.Errorf("the replaced key retires at %v and expires at %v, want retirement at %s and a later expiry",
			retired[0].RetiredAt, retired[0].ExpiresAt, rotated.ActiveFrom)
	}

	table := mustCLI(t, env, "keys", "list")
	if !strings.HasPrefix(table, "KID") || !strings.Contains(table, rotated.KID) || strings.Count(table, "\n") != 4 {
		t.Errorf("keys list:\n%s", table)
	}

	out, _, err := runCLI(t, env, "keys", "rotate", "--alg", "HS256")
	wantExit(t, out, err, exitUsage, "HS256")
}

func TestCLIEnvironment(t *testing.T) {
	cases := []struct {
		name    string
		env     string
		code    int // 0: success
		mention string
	}{
		{"unknown variable", "IDP_DATABSE_DSN=root@tcp(db)/x", exitUsage, "IDP_DATABSE_DSN"},
		{"bad value", "IDP_TOKENS_CODE_LIFETIME=soon", exitUsage, "IDP_TOKENS_CODE_LIFETIME"},
		{"test variables are not configuration", "IDP_TEST_ANYTHING=1", 0, ""},
		{"other variables are ignored", "DATABASE_DSN=nonsense", 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, err := runCLI(t, append(dataDirEnv(t), tc.env), "migrate")
			if tc.code == 0 {
				if err != nil {
					t.Fatalf("migrate: %v %s", err, errOut)
				}
				return
			}
			wantExit(t, out, err, tc.code, tc.mention)
		})
	}
}

// The CLI works on the database a running server uses, and the server
// sees what it writes at once.
func TestCLIWhileServing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		cfg := b.config(t)
		cfg.Keys.ReloadInterval = time.Second
		ts := startServer(t, cfg)
		env := ts.environ()
		out := mustCLI(t, env, "client", "create", "--name", "Live", "--client-id", "live-svc", "--client-secret", "live-secret-0123456789",
			"--grant-type", "client_credentials", "--scope", "api")
		var live clientreg.Metadata
		if err := json.Unmarshal([]byte(out), &live); err != nil {
			t.Fatal(err)
		}
		if live.ClientID != "live-svc" || live.ClientSecret != "live-secret-0123456789" {
			t.Fatalf("client create printed %s", out)
		}
		tok, err := ts.serviceToken(t, live, "api")
		if err != nil || tok.AccessToken == "" {
			t.Fatalf("the secret given to the CLI does not work at the running server: %v", err)
		}
		live.ClientSecret = "live-secret-0123456788"
		_, err = ts.serviceToken(t, live, "api")
		if re := retrieveError(t, err); re.Response.StatusCode != http.StatusUnauthorized {
			t.Errorf("a wrong secret: %d %s", re.Response.StatusCode, re.ErrorCode)
		}

		// A user created now signs in at once.
		web := ts.webClient(t)
		u := ts.createUser(t, "carol", "carol's long password")
		rp := ts.relyingParty(t, web, "openid")
		a := rp.authorize()
		if _, idt := rp.exchange(t, a, rp.callback(t, a, ts.userAgent(t).signIn(a.url, "carol", "carol's long password"))); idt.Subject != u.Sub {
			t.Errorf("signed in as %s, want %s", idt.Subject, u.Sub)
		}

		// A rotation by the CLI is published by the running server once
		// it reloads its keys.
		var k keyView
		if err := json.Unmarshal([]byte(mustCLI(t, env, "keys", "rotate", "--alg", "ES256")), &k); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			jwks := ts.get(t, "/.well-known/jwks.json", "")
			if strings.Contains(jwks.raw, `"`+k.KID+`"`) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the running server does not publish the rotated key %s: %s", k.KID, jwks.raw)
			}
			time.Sleep(200 * time.Millisecond)
		}
	})
}

func TestExitCodes(t *testing.T) {
	cases := []struct {
		err  error
		want int
	}{
		{fmt.Errorf("loading: %w", usageError{errors.New("bad flag")}), exitUsage},
		{fmt.Errorf("creating: %w", models.ErrAlreadyExists), exitExists},
		{fmt.Errorf("loading: %w", models.ErrNotFound), exitMissing},
		{errors.New("disk full"), exitFailure},
	}
	for _, tc := range cases {
		if got := exitCode(tc.err); got != tc.want {
			t.Errorf("exitCode(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}
