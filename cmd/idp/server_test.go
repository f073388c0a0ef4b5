package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/tongxing/tongxing/config"
	"github.com/tongxing/tongxing/models/modelstest"
	"github.com/tongxing/tongxing/provider/clientreg"
	"github.com/tongxing/tongxing/provider/credentials"
)

// envRedis names the Redis server (host:port) the external backend uses.
const envRedis = "IDP_TEST_REDIS_ADDR"

// backend is a storage setup the end-to-end scenarios run against.
type backend struct {
	name string
	// config returns a configuration using the backend, with fresh,
	// empty storage that is removed when the test ends.
	config func(t *testing.T) config.Config
}

// backends lists the embedded storage always, and MySQL/MariaDB with
// Redis when both IDP_TEST_MYSQL_DSN and IDP_TEST_REDIS_ADDR are set.
func backends(t *testing.T) []backend {
	list := []backend{{name: "embedded", config: func(t *testing.T) config.Config {
		cfg := config.Default()
		cfg.DataDir = t.TempDir()
		return cfg
	}}}
	dsn, addr := os.Getenv(modelstest.EnvMySQL), os.Getenv(envRedis)
	switch {
	case dsn != "" && addr != "":
		list = append(list, backend{name: "mysql+redis", config: func(t *testing.T) config.Config {
			cfg := config.Default()
			// Nothing may be written here: both stores are external.
			cfg.DataDir = t.TempDir()
			cfg.Database.DSN = modelstest.MySQL(t)
			cfg.Redis.Addrs = []string{addr}
			cfg.Redis.Prefix = "txtest:" + credentials.RandomToken(6) + ":"
			dropRedisPrefix(t, addr, cfg.Redis.Prefix)
			return cfg
		}})
	case dsn != "" || addr != "":
		t.Logf("set both %s and %s to run against MySQL/MariaDB and Redis", modelstest.EnvMySQL, envRedis)
	}
	return list
}

// forEachBackend runs f as a subtest per backend.
func forEachBackend(t *testing.T, f func(t *testing.T, b backend)) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) { f(t, b) })
	}
}

// dropRedisPrefix deletes the keys under prefix when the test ends.
func dropRedisPrefix(t *testing.T, addr, prefix string) {
	t.Cleanup(func() {
		rdb := redis.NewClient(&redis.Options{Addr: addr})
		defer rdb.Close()
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, prefix+"*", 500).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Errorf("scanning redis keys %s*: %v", prefix, err)
			return
		}
		for len(keys) > 0 {
			n := min(len(keys), 500)
			if err := rdb.Del(ctx, keys[:n]...).Err(); err != nil {
				t.Errorf("deleting redis keys %s*: %v", prefix, err)
				return
			}
			keys = keys[n:]
		}
	})
}

// syncBuffer collects the server's log for printing when a test fails.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testServer is the idp server as `idp serve` assembles it, listening on
// a loopback port.
type testServer struct {
	URL string
	cfg config.Config
	app *app
}

// startServer opens the app on cfg, with the issuer set to the address
// the server listens on, and serves it until the test ends. An embedded
// configuration without a data folder of its own gets a temporary one.
func startServer(t *testing.T, cfg config.Config) *testServer {
	t.Helper()
	hs := httptest.NewUnstartedServer(nil)
	cfg.Issuer = "http://" + hs.Listener.Addr().String()
	if cfg.DataDir == "" || cfg.DataDir == config.Default().DataDir {
		cfg.DataDir = t.TempDir()
	}
	if err := cfg.Validate(); err != nil {
		hs.Close()
		t.Fatalf("test configuration: %v", err)
	}
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := openApp(ctx, cfg, logs, true)
	if err != nil {
		cancel()
		hs.Close()
		t.Fatalf("openApp: %v", err)
	}
	s, err := newServer(ctx, a)
	if err != nil {
		cancel()
		a.Close()
		hs.Close()
		t.Fatalf("newServer: %v", err)
	}
	hs.Config.Handler = s.handler
	hs.Start()
	ts := &testServer{URL: hs.URL, cfg: cfg, app: a}
	t.Cleanup(func() {
		hs.Close()
		cancel()
		if err := a.Close(); err != nil {
			t.Errorf("closing the app: %v", err)
		}
		if !cfg.Embedded() {
			if entries, err := os.ReadDir(cfg.DataDir); err != nil || len(entries) > 0 {
				t.Errorf("with MySQL and Redis the data folder must stay empty; it holds %v (%v)", entries, err)
			}
		}
		if l := logs.String(); t.Failed() && l != "" {
			t.Logf("server log:\n%s", l)
		}
	})
	if hs.URL != cfg.Issuer {
		t.Fatalf("server URL %s differs from issuer %s", hs.URL, cfg.Issuer)
	}
	return ts
}

// environ is the environment under which the CLI uses the same storage as
// the server.
func (ts *testServer) environ() []string {
	env := []string{"IDP_DATA_DIR=" + ts.cfg.DataDir}
	if ts.cfg.UsesMySQL() {
		env = append(env, "IDP_DATABASE_DSN="+ts.cfg.Database.DSN)
	}
	if ts.cfg.UsesRedis() {
		env = append(env, "IDP_REDIS_ADDRS="+strings.Join(ts.cfg.Redis.Addrs, ","), "IDP_REDIS_PREFIX="+ts.cfg.Redis.Prefix)
	}
	return env
}

// runCLI executes the idp command line with args under environ.
func runCLI(t *testing.T, environ []string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := newRootCommand(environ)
	var out, errOut bytes.Buffer
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	err = cmd.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

// mustCLI is runCLI that fails the test on an error.
func mustCLI(t *testing.T, environ []string, args ...string) string {
	t.Helper()
	out, errOut, err := runCLI(t, environ, args...)
	if err != nil {
		t.Fatalf("idp %s: %v (exit %d)\nstderr: %s", strings.Join(args, " "), err, exitCode(err), errOut)
	}
	return out
}

// createClient registers a client with `idp client create`, which must
// print its RFC 7591 metadata.
func (ts *testServer) createClient(t *testing.T, args ...string) clientreg.Metadata {
	t.Helper()
	out := mustCLI(t, ts.environ(), append([]string{"client", "create"}, args...)...)
	var md clientreg.Metadata
	if err := json.Unmarshal([]byte(out), &md); err != nil || md.ClientID == "" {
		t.Fatalf("client create printed %q: %v", out, err)
	}
	return md
}

// createUser creates a user with `idp user create`.
func (ts *testServer) createUser(t *testing.T, username, password string, args ...string) userView {
	t.Helper()
	out := mustCLI(t, ts.environ(), append([]string{"user", "create", "--username", username, "--password", password}, args...)...)
	var u userView
	if err := json.Unmarshal([]byte(out), &u); err != nil || u.Sub == "" {
		t.Fatalf("user create printed %q: %v", out, err)
	}
	return u
}

// userAgent is a browser: it keeps cookies and never follows a redirect,
// so the test sees every redirect to a client.
type userAgent struct {
	t  *testing.T
	ts *testServer
	c  *http.Client
}

func (ts *testServer) userAgent(t *testing.T) *userAgent {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &userAgent{t: t, ts: ts, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// page is a response as the user agent got it.
type page struct {
	status   int
	header   http.Header
	body     string
	location *url.URL
}

// kind tells which page of the provider this is.
func (p page) kind() string {
	switch {
	case p.status == http.StatusSeeOther:
		return "redirect"
	case p.status == http.StatusOK && strings.Contains(p.body, `name="password"`):
		return "login"
	case p.status == http.StatusOK && strings.Contains(p.body, `value="allow"`):
		return "consent"
	}
	return "other"
}

func (ua *userAgent) do(req *http.Request) page {
	ua.t.Helper()
	resp, err := ua.c.Do(req)
	if err != nil {
		ua.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		ua.t.Fatal(err)
	}
	p := page{status: resp.StatusCode, header: resp.Header, body: string(body)}
	if loc := resp.Header.Get("Location"); loc != "" {
		if p.location, err = resp.Location(); err != nil {
			ua.t.Fatalf("bad Location %q: %v", loc, err)
		}
	}
	return p
}

func (ua *userAgent) get(u string) page {
	ua.t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		ua.t.Fatal(err)
	}
	return ua.do(req)
}

func (ua *userAgent) post(u string, form url.Values) page {
	ua.t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		ua.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return ua.do(req)
}

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="(csrf_token|authz)" value="([^"]*)">`)

// formFields returns the hidden fields of the page's form.
func formFields(t *testing.T, p page) url.Values {
	t.Helper()
	v := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(p.body, -1) {
		v.Set(m[1], htmlText(m[2]))
	}
	if v.Get("csrf_token") == "" {
		t.Fatalf("no csrf_token on the page: %s", p.body)
	}
	return v
}

// htmlText undoes html/template's escaping of an attribute value.
func htmlText(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">").Replace(s)
}

// expect fails the test unless the page is of the kind.
func (ua *userAgent) expect(p page, kind string) page {
	ua.t.Helper()
	if got := p.kind(); got != kind {
		ua.t.Fatalf("expected the %s page, got %s: %d %v\n%s", kind, got, p.status, p.location, p.body)
	}
	return p
}

// login submits the login page, as first shown or after a failed
// attempt.
func (ua *userAgent) login(p page, username, password string) page {
	ua.t.Helper()
	if !strings.Contains(p.body, `name="password"`) {
		ua.expect(p, "login")
	}
	f := formFields(ua.t, p)
	f.Set("username", username)
	f.Set("password", password)
	return ua.post(ua.ts.URL+"/oauth2/login", f)
}

// consent answers the consent page with decision (allow or deny).
func (ua *userAgent) consent(p page, decision string) page {
	ua.t.Helper()
	f := formFields(ua.t, ua.expect(p, "consent"))
	f.Set("decision", decision)
	return ua.post(ua.ts.URL+"/oauth2/consent", f)
}

// signIn opens the authorization URL, signs in, allows the client and
// returns the redirect to the client.
func (ua *userAgent) signIn(authURL, username, password string) *url.URL {
	ua.t.Helper()
	p := ua.login(ua.get(authURL), username, password)
	if p.kind() == "consent" {
		p = ua.consent(p, "allow")
	}
	return ua.expect(p, "redirect").location
}
