package admin_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/redis/go-redis/v9"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/models/modelstest"
	"github.com/tongxing/tongxing/provider"
	"github.com/tongxing/tongxing/provider/admin"
	"github.com/tongxing/tongxing/provider/changes"
	"github.com/tongxing/tongxing/provider/clientreg"
	"github.com/tongxing/tongxing/provider/credentials"
	"github.com/tongxing/tongxing/provider/keys"
	"github.com/tongxing/tongxing/provider/tokens"
	"github.com/tongxing/tongxing/provider/tokens/boltstore"
	"github.com/tongxing/tongxing/provider/tokens/redisstore"
)

// envRedis names the Redis server (host:port) the Redis variants use.
const envRedis = "IDP_TEST_REDIS_ADDR"

// clock is a settable clock shared by the provider, the stores and the
// admin service.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// setup chooses the storage of an env.
type setup struct {
	name  string
	mysql bool // records on MySQL/MariaDB instead of SQLite
	redis bool // tokens on Redis instead of the embedded store
}

// databases lists SQLite always, and MySQL/MariaDB when the environment
// names a server.
func databases() []setup {
	list := []setup{{name: "sqlite"}}
	if os.Getenv(modelstest.EnvMySQL) != "" {
		list = append(list, setup{name: "mysql", mysql: true})
	}
	return list
}

// forEachDatabase runs f as a subtest per records backend.
func forEachDatabase(t *testing.T, f func(t *testing.T, s setup)) {
	for _, s := range databases() {
		t.Run(s.name, func(t *testing.T) { f(t, s) })
	}
}

// env is the provider and the admin API served over HTTP.
type env struct {
	t       *testing.T
	srv     *httptest.Server
	p       *provider.Provider
	svc     *admin.Service
	engine  *gin.Engine
	records *models.Store
	tokens  tokens.Store
	secrets *credentials.SecretHasher
	clock   *clock
	// root is a client holding the admin scope, admin a token of it.
	root  cred
	admin string
}

// cheap hashes test passwords quickly.
var cheap = credentials.PasswordParams{Memory: 64, Time: 1, Threads: 1}

func newEnv(t *testing.T, s setup) *env {
	t.Helper()
	ctx := context.Background()
	clk := &clock{now: time.Now().Truncate(time.Second)}
	var records *models.Store
	if s.mysql {
		db, err := models.Open(modelstest.MySQL(t), "", nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if sqlDB, err := db.DB(); err == nil {
				sqlDB.Close()
			}
		})
		if err := models.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		records = models.NewStore(db)
	} else {
		records = models.NewStore(modelstest.SQLite(t))
	}
	var ts tokens.Store
	if s.redis {
		addr := os.Getenv(envRedis)
		if addr == "" {
			t.Skipf("%s is not set: skipping the Redis variant", envRedis)
		}
		client := redis.NewClient(&redis.Options{Addr: addr})
		prefix := "txadmin" + rand.Text()[:8] + ":"
		t.Cleanup(func() {
			ctx := context.Background()
			iter := client.Scan(ctx, 0, prefix+"*", 500).Iterator()
			for iter.Next(ctx) {
				client.Del(ctx, iter.Val())
			}
			client.Close()
		})
		ts = redisstore.New(client, redisstore.Options{Prefix: prefix, Clock: clk.Now})
	} else {
		bs, err := boltstore.Open(filepath.Join(t.TempDir(), "tokens.db"), boltstore.Options{Clock: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { bs.Close() })
		ts = bs
	}
	set, err := keys.New(ctx, records.Keys, keys.Options{Clock: clk.Now, MaxTokenLifetime: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := set.Ensure(ctx, "RS256"); err != nil {
		t.Fatal(err)
	}
	secrets, _ := credentials.NewSecretHasher(bytes.Repeat([]byte{5}, 32))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e := &env{t: t, records: records, tokens: ts, secrets: secrets, clock: clk}
	// The provider caches records for longer than any test runs, so only
	// the service's change notices can show it a change: every effect the
	// tests check through the provider proves its write path announces.
	feed := &followedFeed{Local: changes.NewLocal(), followed: make(chan struct{})}
	e.srv = httptest.NewUnstartedServer(nil)
	e.p, err = provider.New(provider.Config{
		Issuer:   "http://" + e.srv.Listener.Addr().String(),
		Clients:  records.Clients,
		Users:    records.Users,
		Consents: records.Consents,
		Audit:    records.Audit,
		Tokens:   ts,
		Signer:   set,
		Secrets:  secrets,
		Lifetimes: provider.Lifetimes{
			Access: time.Hour, Refresh: 24 * time.Hour, IDToken: time.Hour, Code: time.Minute, Session: time.Hour,
		},
		RecordCacheTTL: 24 * time.Hour,
		Changes:        feed,
		Clock:          clk.Now,
		Log:            log,
	})
	if err != nil {
		t.Fatal(err)
	}
	followCtx, stopFollowing := context.WithCancel(context.Background())
	t.Cleanup(stopFollowing)
	go e.p.Follow(followCtx)
	select {
	case <-feed.followed:
	case <-time.After(10 * time.Second):
		t.Fatal("the provider did not follow the change feed")
	}
	e.svc, err = admin.NewService(admin.Config{Records: records, Tokens: ts, Secrets: secrets, Keys: set,
		Clock: clk.Now, PasswordParams: cheap, Changes: feed, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	gin.SetMode(gin.TestMode)
	e.engine = gin.New()
	e.engine.HandleMethodNotAllowed = true
	e.p.Routes(e.engine)
	admin.NewAPI(e.svc, e.p, log).Routes(e.engine)
	e.srv.Config.Handler = e.engine
	e.srv.Start()
	t.Cleanup(e.srv.Close)
	e.root = e.client("root-admin", "client_credentials", "admin")
	e.admin = e.serviceToken(e.root, "admin")
	return e
}

// followedFeed is the in-process feed, closing followed once the
// provider's caches follow it, so that a test never runs before they do.
type followedFeed struct {
	*changes.Local
	followed chan struct{}
	once     sync.Once
}

func (f *followedFeed) Subscribe(ctx context.Context, h changes.Handler) error {
	return f.Local.Subscribe(ctx, resetSignal{h, func() { f.once.Do(func() { close(f.followed) }) }})
}

// resetSignal is a handler that calls signal after each reset.
type resetSignal struct {
	changes.Handler
	signal func()
}

func (r resetSignal) Reset() {
	r.Handler.Reset()
	r.signal()
}

// cred is a client's ID and secret.
type cred struct{ id, secret string }

// client registers a confidential client directly in the records.
func (e *env) client(id, grants, scope string) cred {
	e.t.Helper()
	md := clientreg.Metadata{ClientID: id, ClientName: id, GrantTypes: strings.Split(grants, ","), Scope: scope}
	if md.GrantTypes[0] == "authorization_code" {
		md.RedirectURIs = []string{callback}
	}
	c, out, err := clientreg.New(md, e.secrets, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.records.Clients.Create(context.Background(), c); err != nil {
		e.t.Fatal(err)
	}
	return cred{out.ClientID, out.ClientSecret}
}

// token asks the token endpoint with a form and Basic credentials.
func (e *env) token(c cred, form url.Values) result {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/oauth2/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(c.id), url.QueryEscape(c.secret))
	return e.send(req)
}

// serviceToken gets a client_credentials token with scope.
func (e *env) serviceToken(c cred, scope string) string {
	e.t.Helper()
	r := e.token(c, url.Values{"grant_type": {"client_credentials"}, "scope": {scope}})
	if r.status != http.StatusOK || r.str("access_token") == "" {
		e.t.Fatalf("client_credentials for %s: %d %s", c.id, r.status, r.raw)
	}
	return r.str("access_token")
}

// result is a decoded response.
type result struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (r result) str(k string) string { s, _ := r.body[k].(string); return s }

func (r result) num(k string) float64 { n, _ := r.body[k].(float64); return n }

// items returns the items of a listing.
func (r result) items() []map[string]any {
	list, _ := r.body["items"].([]any)
	out := make([]map[string]any, len(list))
	for i, it := range list {
		out[i], _ = it.(map[string]any)
	}
	return out
}

// fields returns the field errors of an error response, by field.
func (r result) fields() map[string]string {
	out := map[string]string{}
	list, _ := r.body["fields"].([]any)
	for _, f := range list {
		m, _ := f.(map[string]any)
		out[m["field"].(string)] = m["reason"].(string)
	}
	return out
}

func (e *env) send(req *http.Request) result {
	e.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := result{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") && len(raw) > 0 {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			e.t.Fatalf("bad JSON %q: %v", raw, err)
		}
	}
	return r
}

// call sends a request to the admin API with the admin token; body is
// JSON-encoded unless it is a string, sent as is; headers come in pairs.
func (e *env) call(method, path string, body any, headers ...string) result {
	e.t.Helper()
	return e.callAs(e.admin, method, path, body, headers...)
}

func (e *env) callAs(token, method, path string, body any, headers ...string) result {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, e.srv.URL+admin.Prefix+path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return e.send(req)
}

// want fails the test unless r has the status.
func want(t *testing.T, r result, status int) result {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.raw)
	}
	return r
}

// wantError fails the test unless r is the API's error document with the
// status and code, naming exactly the fields given.
func wantError(t *testing.T, r result, status int, code string, fields ...string) {
	t.Helper()
	if r.status != status || r.str("error") != code {
		t.Fatalf("got %d %s, want %d %s", r.status, r.raw, status, code)
	}
	if r.header.Get("Cache-Control") != "no-store" || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Errorf("error headers %v", r.header)
	}
	got := r.fields()
	for _, f := range fields {
		if got[f] == "" {
			t.Errorf("the error does not name %s: %s", f, r.raw)
		}
	}
	if len(got) != len(fields) {
		t.Errorf("the error names fields %v, want %v", got, fields)
	}
}

// ifMatch is the header pair naming a version.
func ifMatch(etag string) []string { return []string{"If-Match", etag} }

// active asks introspection whether token is live.
func (e *env) active(rs cred, token string) bool {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/oauth2/introspect", strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(rs.id, rs.secret)
	r := e.send(req)
	if r.status != http.StatusOK {
		e.t.Fatalf("introspection: %d %s", r.status, r.raw)
	}
	return r.body["active"] == true
}

// userinfo returns the status of a userinfo request with token.
func (e *env) userinfo(token string) int {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	return e.send(req).status
}

const callback = "https://rp.example/cb"

// user creates a user through the API and returns its sub.
func (e *env) user(name, password string) string {
	e.t.Helper()
	r := want(e.t, e.call("POST", "/users", map[string]any{"username": name, "password": password}), http.StatusCreated)
	return r.str("sub")
}

// browser is a user agent with cookies that stops at the client.
type browser struct {
	e *env
	c *http.Client
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func (b *browser) do(req *http.Request) (*http.Response, string) {
	b.e.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func (b *browser) get(u string) (*http.Response, string) {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return b.do(req)
}

func (b *browser) submit(path string, form url.Values) (*http.Response, string) {
	req, _ := http.NewRequest(http.MethodPost, b.e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

var hiddenField = regexp.MustCompile(`name="(csrf_token|authz)" value="([^"]*)"`)

// hidden returns the hidden fields of a rendered form.
func hidden(page string) url.Values {
	v := url.Values{}
	r := strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">")
	for _, m := range hiddenField.FindAllStringSubmatch(page, -1) {
		v.Set(m[1], r.Replace(m[2]))
	}
	return v
}

// authorizeURL is an authorization request of a code client.
func (e *env) authorizeURL(clientID, scope string) string {
	q := url.Values{"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {callback},
		"scope": {scope}, "state": {"st"}}
	return e.srv.URL + "/oauth2/authorize?" + q.Encode()
}

// isLoginPage reports whether a page is the login form.
func isLoginPage(resp *http.Response, page string) bool {
	return resp.StatusCode == http.StatusOK && strings.Contains(page, `name="password"`)
}

// signIn drives the login and consent pages for an authorization request
// of scope and returns the code the client receives.
func (b *browser) signIn(clientID, scope, username, password string) string {
	b.e.t.Helper()
	resp, page := b.get(b.e.authorizeURL(clientID, scope))
	if !isLoginPage(resp, page) {
		b.e.t.Fatalf("expected the login page, got %d %s", resp.StatusCode, page)
	}
	f := hidden(page)
	f.Set("username", username)
	f.Set("password", password)
	resp, page = b.submit("/oauth2/login", f)
	if resp.StatusCode == http.StatusOK && strings.Contains(page, `value="allow"`) {
		f = hidden(page)
		f.Set("decision", "allow")
		resp, page = b.submit("/oauth2/consent", f)
	}
	return b.e.code(resp, page)
}

// code returns the code of a redirect to the client.
func (e *env) code(resp *http.Response, page string) string {
	e.t.Helper()
	if resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("expected a redirect to the client, got %d %s", resp.StatusCode, page)
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	c := loc.Query().Get("code")
	if c == "" {
		e.t.Fatalf("no code in %s", loc)
	}
	return c
}

// redeem exchanges a code and returns the access and refresh tokens.
func (e *env) redeem(c cred, code string) (string, string) {
	e.t.Helper()
	r := e.token(c, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {callback}})
	if r.status != http.StatusOK {
		e.t.Fatalf("code redemption: %d %s", r.status, r.raw)
	}
	return r.str("access_token"), r.str("refresh_token")
}
