package main

import (
	"encoding/json"
	"net/http"
	"os/user"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tongxing/tongxing/provider/clientreg"
)

// cliJSON runs a command that must succeed and decodes its JSON output.
func cliJSON(t *testing.T, env []string, args ...string) map[string]any {
	t.Helper()
	out := mustCLI(t, env, args...)
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("idp %s printed %q: %v", strings.Join(args, " "), out, err)
	}
	return v
}

// cliList runs a listing with --json and returns its items.
func cliList(t *testing.T, env []string, args ...string) []map[string]any {
	t.Helper()
	out := mustCLI(t, env, append(args, "--json")...)
	var v struct {
		Items []map[string]any `json:"items"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("idp %s printed %q: %v", strings.Join(args, " "), out, err)
	}
	return v.Items
}

// tableRows returns the rows of a table, header first, split in columns.
func tableRows(out string) [][]string {
	var rows [][]string
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		rows = append(rows, strings.Fields(line))
	}
	return rows
}

// cliUser is the actor the audit log names for these commands.
func cliUser(t *testing.T) string {
	u, err := user.Current()
	if err != nil || u.Username == "" {
		t.Skip("no OS user name")
	}
	return "cli:" + u.Username
}

func TestCLIClientAdministration(t *testing.T) {
	env := dataDirEnv(t)
	mustCLI(t, env, "client", "create", "--name", "Web", "--client-id", "web", "--grant-type", "authorization_code",
		"--redirect-uri", "https://rp.example/cb", "--scope", "openid")
	mustCLI(t, env, "client", "create", "--name", "Service", "--client-id", "svc", "--grant-type", "client_credentials",
		"--scope", "api", "--legacy-api", "partner")

	table := tableRows(mustCLI(t, env, "client", "list"))
	if len(table) != 3 || strings.Join(table[0], " ") != "CLIENT ID NAME ENABLED GRANT TYPES SCOPE VERSION" || table[1][0] != "web" || table[2][0] != "svc" {
		t.Fatalf("client list:\n%v", table)
	}
	if l := cliList(t, env, "client", "list", "--legacy-api", "partner"); len(l) != 1 || l[0]["client_id"] != "svc" {
		t.Errorf("filtered listing %v", l)
	}
	if l := cliList(t, env, "client", "list", "--limit", "1", "--offset", "1"); len(l) != 1 || l[0]["client_id"] != "svc" {
		t.Errorf("second page %v", l)
	}

	got := cliJSON(t, env, "client", "get", "web")
	if got["client_name"] != "Web" || got["version"] != 1.0 || got["client_secret"] != nil {
		t.Fatalf("client get %v", got)
	}
	got = cliJSON(t, env, "client", "update", "web", "--name", "Web app", "--scope", "openid,profile", "--access-token-lifetime", "10m", "--if-version", "1")
	if got["client_name"] != "Web app" || got["scope"] != "openid profile" || got["access_token_lifetime"] != 600.0 || got["version"] != 2.0 ||
		len(got["redirect_uris"].([]any)) != 1 {
		t.Fatalf("client update %v", got)
	}

	rotated := cliJSON(t, env, "client", "rotate-secret", "svc", "--grace", "1h")
	if s, _ := rotated["client_secret"].(string); len(s) < 32 || rotated["previous_secret_expires_at"] == nil {
		t.Fatalf("rotate-secret %v", rotated)
	}
	if got := cliJSON(t, env, "client", "disable", "svc"); got["enabled"] != false {
		t.Fatalf("disable %v", got)
	}
	if l := cliList(t, env, "client", "list", "--enabled=false"); len(l) != 1 || l[0]["client_id"] != "svc" {
		t.Errorf("disabled clients %v", l)
	}
	if got := cliJSON(t, env, "client", "enable", "svc"); got["enabled"] != true {
		t.Fatalf("enable %v", got)
	}
	if out := mustCLI(t, env, "client", "delete", "svc"); strings.TrimSpace(out) != "deleted client svc" {
		t.Errorf("delete printed %q", out)
	}

	cases := []struct {
		name    string
		args    []string
		code    int
		mention []string
	}{
		{"get missing", []string{"client", "get", "svc"}, exitMissing, []string{"svc"}},
		{"delete missing", []string{"client", "delete", "svc"}, exitMissing, nil},
		{"stale version", []string{"client", "update", "web", "--name", "x", "--if-version", "1"}, exitConflict, []string{"read it again"}},
		{"bad redirect", []string{"client", "update", "web", "--redirect-uri", "http://rp.example/cb"}, exitUsage, []string{"redirect_uris", "--redirect-uri"}},
		{"nothing to change", []string{"client", "update", "web"}, exitUsage, []string{"nothing to change"}},
		{"negative grace", []string{"client", "rotate-secret", "web", "--grace", "-1s"}, exitUsage, []string{"--grace"}},
		{"no id", []string{"client", "get"}, exitUsage, nil},
		{"bad enabled", []string{"client", "list", "--enabled=maybe"}, exitUsage, []string{"enabled"}},
		{"bad limit", []string{"client", "list", "--limit", "5000"}, exitUsage, []string{"--limit"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := runCLI(t, env, tc.args...)
			wantExit(t, out, err, tc.code, tc.mention...)
		})
	}

	actor := cliUser(t)
	events := cliList(t, env, "audit", "list", "--target", "client:svc")
	var actions []string
	for _, e := range events {
		actions = append(actions, e["action"].(string))
		if e["actor"] != actor || e["source"] != "cli" {
			t.Errorf("event %v, want actor %s from cli", e, actor)
		}
	}
	if strings.Join(actions, ",") != "client.delete,client.enable,client.disable,client.rotate_secret,client.create" {
		t.Errorf("audit of svc: %v", actions)
	}
	if out := mustCLI(t, env, "audit", "list", "--json"); strings.Contains(out, rotated["client_secret"].(string)) {
		t.Error("the audit log holds a secret")
	}
}

func TestCLIUserAdministration(t *testing.T) {
	env := dataDirEnv(t)
	alice := cliJSON(t, env, "user", "create", "--username", "alice", "--password", "alice's password", "--phone", "13800000001")
	sub := alice["sub"].(string)
	mustCLI(t, env, "user", "create", "--username", "bob", "--password", "bob's password", "--phone", "13900000002")

	table := tableRows(mustCLI(t, env, "user", "list"))
	if len(table) != 3 || table[0][0] != "SUB" {
		t.Fatalf("user list:\n%v", table)
	}
	if l := cliList(t, env, "user", "list", "-q", "139"); len(l) != 1 || l[0]["username"] != "bob" {
		t.Errorf("search by phone %v", l)
	}
	for _, ref := range []string{sub, "alice"} {
		if got := cliJSON(t, env, "user", "get", ref); got["sub"] != sub || got["password_hash"] != nil {
			t.Errorf("user get %s: %v", ref, got)
		}
	}
	got := cliJSON(t, env, "user", "update", "alice", "--nickname", "Al", "--email", "alice@example.com", "--sex", "2")
	if got["nickname"] != "Al" || got["email"] != "alice@example.com" || got["sex"] != 2.0 || got["version"] != 2.0 {
		t.Fatalf("user update %v", got)
	}
	if got = cliJSON(t, env, "user", "update", "alice", "--email", ""); got["email"] != nil {
		t.Errorf("an empty --email kept %v", got["email"])
	}
	out, _, err := runCLIStdin(t, env, "a brand new password\n", "user", "set-password", "alice", "--password-stdin")
	if err != nil || !strings.Contains(out, `"version": 4`) {
		t.Fatalf("set-password: %v %s", err, out)
	}
	if got = cliJSON(t, env, "user", "disable", "alice"); got["disabled"] != true || got["sessions_not_before"] == nil {
		t.Fatalf("disable %v", got)
	}
	if got = cliJSON(t, env, "user", "enable", sub); got["disabled"] != false {
		t.Fatalf("enable %v", got)
	}
	if got = cliJSON(t, env, "user", "sign-out", "alice"); got["sessions_not_before"] == nil {
		t.Fatalf("sign-out %v", got)
	}
	if out := mustCLI(t, env, "user", "sessions", "alice", "--json"); strings.TrimSpace(out) != "[]" {
		t.Errorf("sessions of a user without tokens: %s", out)
	}
	if rows := tableRows(mustCLI(t, env, "user", "sessions", "alice")); len(rows) != 1 || rows[0][0] != "CLIENT" {
		t.Errorf("sessions table %v", rows)
	}
	if rows := tableRows(mustCLI(t, env, "user", "identities", "alice")); len(rows) != 1 || rows[0][0] != "PROVIDER" {
		t.Errorf("identities table %v", rows)
	}

	cases := []struct {
		name    string
		args    []string
		stdin   string
		code    int
		mention []string
	}{
		{"get missing", []string{"user", "get", "nobody"}, "", exitMissing, []string{"nobody"}},
		{"bad phone", []string{"user", "update", "alice", "--phone", "call me"}, "", exitUsage, []string{"--phone"}},
		{"taken username", []string{"user", "update", "alice", "--username", "bob"}, "", exitExists, []string{"taken"}},
		{"stale", []string{"user", "update", "alice", "--nickname", "x", "--if-version", "1"}, "", exitConflict, nil},
		{"short password", []string{"user", "set-password", "alice", "--password", "short"}, "", exitUsage, []string{"--password"}},
		{"no password", []string{"user", "set-password", "alice"}, "", exitUsage, []string{"--password"}},
		{"both passwords", []string{"user", "set-password", "alice", "--password", "long enough", "--password-stdin"}, "x\n", exitUsage, nil},
		{"nothing to change", []string{"user", "update", "alice"}, "", exitUsage, []string{"nothing to change"}},
		{"disable missing", []string{"user", "disable", "nobody"}, "", exitMissing, nil},
		{"unknown company", []string{"user", "create", "--username", "c", "--password", "long enough", "--company", "nowhere"}, "", exitUsage, []string{"--company"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := runCLIStdin(t, env, tc.stdin, tc.args...)
			wantExit(t, out, err, tc.code, tc.mention...)
		})
	}
	var actions []string
	for _, e := range cliList(t, env, "audit", "list", "--target", "user:"+sub) {
		actions = append(actions, e["action"].(string))
	}
	if strings.Join(actions, ",") != "user.sign_out,user.enable,user.disable,user.set_password,user.update,user.update,user.create" {
		t.Errorf("audit of alice: %v", actions)
	}
}

// runCLIStdin is runCLI with stdin.
func runCLIStdin(t *testing.T, environ []string, stdin string, args ...string) (string, string, error) {
	t.Helper()
	cmd := newRootCommand(environ)
	var out, errOut strings.Builder
	cmd.SetArgs(args)
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	err := cmd.ExecuteContext(t.Context())
	return out.String(), errOut.String(), err
}

func TestCLICompanyAdministration(t *testing.T) {
	env := dataDirEnv(t)
	co := cliJSON(t, env, "company", "create", "--id", "acme", "--name", "Acme", "--city", "上海市")
	if co["id"] != "acme" || co["city"] != "上海市" || co["version"] != 1.0 {
		t.Fatalf("company create %v", co)
	}
	if gen := cliJSON(t, env, "company", "create", "--name", "Globex"); !strings.HasPrefix(gen["id"].(string), "co_") {
		t.Errorf("generated id %v", gen["id"])
	}
	if rows := tableRows(mustCLI(t, env, "company", "list")); len(rows) != 3 || rows[0][0] != "ID" || rows[1][0] != "acme" {
		t.Fatalf("company list %v", rows)
	}
	got := cliJSON(t, env, "company", "update", "acme", "--tel-phone", "021-1234", "--if-version", "1")
	if got["tel_phone"] != "021-1234" || got["city"] != "上海市" || got["version"] != 2.0 {
		t.Fatalf("company update %v", got)
	}
	if got = cliJSON(t, env, "company", "get", "acme"); got["name"] != "Acme" {
		t.Fatalf("company get %v", got)
	}
	mustCLI(t, env, "user", "create", "--username", "dana", "--password", "dana's password")
	if u := cliJSON(t, env, "company", "link", "acme", "dana"); u["company_id"] != "acme" {
		t.Fatalf("link %v", u)
	}
	if l := cliList(t, env, "user", "list", "--company", "acme"); len(l) != 1 || l[0]["username"] != "dana" {
		t.Errorf("members %v", l)
	}
	out, _, err := runCLI(t, env, "company", "delete", "acme")
	wantExit(t, out, err, exitConflict, "unlink")
	if u := cliJSON(t, env, "company", "unlink", "acme", "dana"); u["company_id"] != nil {
		t.Fatalf("unlink %v", u)
	}
	if out := mustCLI(t, env, "company", "delete", "acme"); strings.TrimSpace(out) != "deleted company acme" {
		t.Errorf("delete printed %q", out)
	}
	cases := []struct {
		name    string
		args    []string
		code    int
		mention []string
	}{
		{"get deleted", []string{"company", "get", "acme"}, exitMissing, nil},
		{"no name", []string{"company", "create", "--id", "x"}, exitUsage, []string{"name"}},
		{"long name", []string{"company", "create", "--name", strings.Repeat("n", 201)}, exitUsage, []string{"--name"}},
		{"taken id", []string{"company", "create", "--id", "dup", "--name", "D"}, 0, nil},
		{"taken id again", []string{"company", "create", "--id", "dup", "--name", "D"}, exitExists, nil},
		{"unlink a non-member", []string{"company", "unlink", "dup", "dana"}, exitMissing, []string{"not a member"}},
		{"link to a missing company", []string{"company", "link", "ghost", "dana"}, exitMissing, nil},
		{"link a missing user", []string{"company", "link", "dup", "ghost"}, exitMissing, nil},
		{"nothing to change", []string{"company", "update", "dup"}, exitUsage, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := runCLI(t, env, tc.args...)
			if tc.code == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantExit(t, out, err, tc.code, tc.mention...)
		})
	}
}

func TestCLIAuditList(t *testing.T) {
	env := dataDirEnv(t)
	before := time.Now().Add(-time.Second).UTC().Format(time.RFC3339)
	mustCLI(t, env, "company", "create", "--id", "a", "--name", "A")
	mustCLI(t, env, "company", "create", "--id", "b", "--name", "B")
	mustCLI(t, env, "keys", "rotate", "--alg", "ES256")
	rows := tableRows(mustCLI(t, env, "audit", "list"))
	if len(rows) != 4 || strings.Join(rows[0], " ") != "TIME ACTOR ACTION TARGET SOURCE DETAIL" || rows[1][2] != "key.rotate" {
		t.Fatalf("audit list:\n%v", rows)
	}
	if l := cliList(t, env, "audit", "list", "--action", "company.create", "--since", before, "--limit", "1"); len(l) != 1 || l[0]["target"] != "company:b" {
		t.Errorf("filtered audit %v", l)
	}
	if l := cliList(t, env, "audit", "list", "--until", before); len(l) != 0 {
		t.Errorf("events before the test: %v", l)
	}
	for _, args := range [][]string{{"--since", "yesterday"}, {"--until", "2024-01-01"}, {"--offset", "-1"}} {
		out, _, err := runCLI(t, env, append([]string{"audit", "list"}, args...)...)
		wantExit(t, out, err, exitUsage, args[0])
	}
}

func TestCLIAdminBootstrap(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ts := startServer(t, b.config(t))
		env := ts.environ()
		out := mustCLI(t, env, "admin", "bootstrap")
		var md clientreg.Metadata
		if err := json.Unmarshal([]byte(out), &md); err != nil {
			t.Fatal(err)
		}
		if md.ClientID != "admin" || md.Scope != "admin" || len(md.GrantTypes) != 1 || md.GrantTypes[0] != "client_credentials" || len(md.ClientSecret) < 32 {
			t.Fatalf("bootstrap printed %s", out)
		}
		out, _, err := runCLI(t, env, "admin", "bootstrap")
		wantExit(t, out, err, exitExists, "admin")

		// Its token opens the admin API of the running server.
		tok, err := ts.serviceToken(t, md, "admin")
		if err != nil {
			t.Fatal(err)
		}
		r := ts.get(t, "/admin/v1/clients/admin", tok.AccessToken)
		if r.status != http.StatusOK || r.str("client_id") != "admin" || r.header.Get("ETag") != `"1"` {
			t.Fatalf("GET /admin/v1/clients/admin: %d %s", r.status, r.raw)
		}
		if r := ts.get(t, "/admin/v1/clients", ""); r.status != http.StatusUnauthorized {
			t.Errorf("without a token: %d", r.status)
		}
		svc := ts.createClient(t, "--name", "Svc", "--client-id", "svc", "--grant-type", "client_credentials", "--scope", "api")
		st, err := ts.serviceToken(t, svc, "api")
		if err != nil {
			t.Fatal(err)
		}
		if r := ts.get(t, "/admin/v1/clients", st.AccessToken); r.status != http.StatusForbidden {
			t.Errorf("a token without the admin scope: %d", r.status)
		}
		if r := ts.get(t, "/admin/v1/audit?action=client.create", tok.AccessToken); r.status != http.StatusOK || !strings.Contains(r.raw, `"target":"client:admin"`) {
			t.Errorf("audit through the API: %d %s", r.status, r.raw)
		}
	})
}

// A running server holds the embedded token store: the commands that need
// it refuse to run and change nothing, pointing at the admin API; with
// Redis they work beside the server, which sees the effect at once.
func TestCLITokenCommandsWhileServing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ts := startServer(t, b.config(t))
		env := ts.environ()
		rs := ts.resourceServer(t)
		svc := ts.createClient(t, "--name", "Svc", "--client-id", "svc", "--grant-type", "client_credentials", "--scope", "api")
		tok, err := ts.serviceToken(t, svc, "api")
		if err != nil {
			t.Fatal(err)
		}
		mustCLI(t, env, "user", "create", "--username", "eve", "--password", "eve's password")
		commands := [][]string{{"client", "disable", "svc"}, {"client", "delete", "svc"}, {"user", "sign-out", "eve"},
			{"user", "disable", "eve"}, {"user", "sessions", "eve"}}
		if !ts.cfg.Embedded() {
			mustCLI(t, env, "user", "sessions", "eve")
			if got := cliJSON(t, env, "client", "disable", "svc"); got["enabled"] != false {
				t.Fatalf("disable beside the server: %v", got)
			}
			if ts.active(t, rs, tok.AccessToken) {
				t.Error("the server still accepts a token the CLI revoked")
			}
			return
		}
		var wg sync.WaitGroup
		for _, args := range commands {
			wg.Go(func() {
				out, _, err := runCLI(t, env, args...)
				if err == nil {
					t.Errorf("idp %s ran beside the server: %s", strings.Join(args, " "), out)
					return
				}
				if exitCode(err) != exitFailure || !strings.Contains(err.Error(), "admin API") || !strings.Contains(err.Error(), "stop the server") {
					t.Errorf("idp %s: exit %d %v", strings.Join(args, " "), exitCode(err), err)
				}
			})
		}
		wg.Wait()
		if !ts.active(t, rs, tok.AccessToken) {
			t.Error("a refused command revoked the token")
		}
		if got := cliJSON(t, env, "client", "get", "svc"); got["enabled"] != true {
			t.Errorf("a refused command changed the client: %v", got)
		}
		if got := cliJSON(t, env, "user", "get", "eve"); got["disabled"] != false || got["sessions_not_before"] != nil {
			t.Errorf("a refused command changed the user: %v", got)
		}
		// Commands that need only the database work beside the server.
		if got := cliJSON(t, env, "client", "rotate-secret", "svc"); got["client_secret"] == nil {
			t.Errorf("rotate-secret beside the server: %v", got)
		}
	})
}

func TestExitCodeConflict(t *testing.T) {
	env := dataDirEnv(t)
	mustCLI(t, env, "company", "create", "--id", "c", "--name", "C")
	out, _, err := runCLI(t, env, "company", "update", "c", "--name", "D", "--if-version", "7")
	wantExit(t, out, err, exitConflict)
	if exitConflict != 5 {
		t.Fatalf("the conflict exit code is %d, documented as 5", exitConflict)
	}
}
