package provider_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/models/modelstest"
	"github.com/tongxing/tongxing/provider"
	"github.com/tongxing/tongxing/provider/clientreg"
	"github.com/tongxing/tongxing/provider/credentials"
	"github.com/tongxing/tongxing/provider/keys"
	"github.com/tongxing/tongxing/provider/tokens"
	"github.com/tongxing/tongxing/provider/tokens/boltstore"
)

// clock is a settable clock shared by the provider and its stores.
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

// env is a provider served over HTTP on SQLite and the embedded token
// store, with a settable clock.
type env struct {
	t       *testing.T
	srv     *httptest.Server
	p       *provider.Provider
	records *models.Store
	tokens  tokens.Store
	secrets *credentials.SecretHasher
	keys    *keys.Set
	clock   *clock
}

func newEnv(t *testing.T, edit ...func(*provider.Config)) *env {
	t.Helper()
	ctx := context.Background()
	clk := &clock{now: time.Now()}
	records := models.NewStore(modelstest.SQLite(t))
	ts, err := boltstore.Open(filepath.Join(t.TempDir(), "tokens.db"), boltstore.Options{Clock: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ts.Close() })
	set, err := keys.New(ctx, records.Keys, keys.Options{Clock: clk.Now, MaxTokenLifetime: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := set.Ensure(ctx, "RS256", "ES256"); err != nil {
		t.Fatal(err)
	}
	secrets, _ := credentials.NewSecretHasher(bytes.Repeat([]byte{9}, 32))
	e := &env{t: t, records: records, tokens: ts, secrets: secrets, keys: set, clock: clk}
	e.srv = httptest.NewUnstartedServer(nil)
	cfg := provider.Config{
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
		Clock: clk.Now,
		Log:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, f := range edit {
		f(&cfg)
	}
	if e.p, err = provider.New(cfg); err != nil {
		t.Fatal(err)
	}
	gin.SetMode(gin.TestMode)
	engine := gin.New()
	engine.HandleMethodNotAllowed = true
	e.p.Routes(engine)
	e.srv.Config.Handler = engine
	e.srv.Start()
	t.Cleanup(e.srv.Close)
	return e
}

func (e *env) issuer() string { return e.srv.URL }

// client registers a client and returns its ID and secret.
func (e *env) client(md clientreg.Metadata) (string, string) {
	e.t.Helper()
	c, out, err := clientreg.New(md, e.secrets, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.records.Clients.Create(context.Background(), c); err != nil {
		e.t.Fatal(err)
	}
	return out.ClientID, out.ClientSecret
}

const callback = "https://rp.example/cb"

// webClient registers a confidential code+refresh client.
func (e *env) webClient(id string) (string, string) {
	return e.client(clientreg.Metadata{ClientID: id, ClientName: id, GrantTypes: []string{"authorization_code", "refresh_token"},
		RedirectURIs: []string{callback}, PostLogoutRedirectURIs: []string{"https://rp.example/bye"},
		Scope: "openid profile email phone offline_access"})
}

// user creates an enabled user with a cheap password hash.
func (e *env) user(name, password string) *models.User {
	e.t.Helper()
	phone := "1380000" + name
	u := &models.User{ID: "u-" + name, Username: name, Nickname: "nick-" + name, RealName: "Real " + name, Phone: &phone,
		PasswordHash: credentials.HashPassword(password, credentials.PasswordParams{Memory: 64, Time: 1, Threads: 1})}
	if err := e.records.Users.Create(context.Background(), u); err != nil {
		e.t.Fatal(err)
	}
	return u
}

// result is a decoded response.
type result struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (r result) str(k string) string { s, _ := r.body[k].(string); return s }

func decode(t *testing.T, resp *http.Response) result {
	t.Helper()
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := result{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") && len(raw) > 0 {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			t.Fatalf("bad JSON %q: %v", raw, err)
		}
	}
	return r
}

// post sends a form; basic holds client ID and secret for Basic auth.
func (e *env) post(path string, form url.Values, basic ...string) result {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if len(basic) == 2 {
		req.SetBasicAuth(url.QueryEscape(basic[0]), url.QueryEscape(basic[1]))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	return decode(e.t, resp)
}

// get sends a GET with an optional bearer token.
func (e *env) get(path, bearer string) result {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	return decode(e.t, resp)
}

// wantError checks an RFC 6749 §5.2 error response.
func wantError(t *testing.T, r result, status int, code string) {
	t.Helper()
	if r.status != status || r.str("error") != code {
		t.Fatalf("got %d %s, want %d %s", r.status, r.raw, status, code)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("error response without Cache-Control: no-store")
	}
}

// browser is a user agent with cookies that stops at the client.
type browser struct {
	t *testing.T
	c *http.Client
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: e.t, c: &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if !strings.HasPrefix(req.URL.String(), e.srv.URL) {
			return http.ErrUseLastResponse // the client's redirect URI
		}
		return nil
	}}}
}

func (b *browser) do(req *http.Request) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func (b *browser) get(u string) (*http.Response, string) {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return b.do(req)
}

func (b *browser) submit(u string, form url.Values) (*http.Response, string) {
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

var hiddenField = regexp.MustCompile(`name="(csrf_token|authz)" value="([^"]*)"`)

// fields returns the hidden fields of a rendered form.
func fields(page string) url.Values {
	v := url.Values{}
	for _, m := range hiddenField.FindAllStringSubmatch(page, -1) {
		v.Set(m[1], htmlUnescape(m[2]))
	}
	return v
}

func htmlUnescape(s string) string {
	r := strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">")
	return r.Replace(s)
}

// pkce returns a verifier and its S256 challenge.
func pkce() (string, string) {
	v := credentials.RandomToken(32)
	sum := sha256.Sum256([]byte(v))
	return v, base64.RawURLEncoding.EncodeToString(sum[:])
}

// authorizeURL builds an authorization request.
func (e *env) authorizeURL(clientID string, extra url.Values) string {
	q := url.Values{"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {callback},
		"scope": {"openid profile"}, "state": {"st-1"}, "nonce": {"n-1"}}
	for k, v := range extra {
		q[k] = v
	}
	return e.srv.URL + "/oauth2/authorize?" + q.Encode()
}

// signIn drives the login and consent pages and returns the client's
// redirect with the code.
func (e *env) signIn(b *browser, authorize, username, password string) *url.URL {
	e.t.Helper()
	resp, page := b.get(authorize)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `name="password"`) {
		e.t.Fatalf("expected the login page, got %d %s", resp.StatusCode, page)
	}
	f := fields(page)
	f.Set("username", username)
	f.Set("password", password)
	resp, page = b.submit(e.srv.URL+"/oauth2/login", f)
	if resp.StatusCode == http.StatusOK && strings.Contains(page, `value="allow"`) {
		f = fields(page)
		f.Set("decision", "allow")
		resp, page = b.submit(e.srv.URL+"/oauth2/consent", f)
	}
	if resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("expected a redirect to the client, got %d %s", resp.StatusCode, page)
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	return loc
}

// codeFlow signs in and redeems the code, returning the token response.
func (e *env) codeFlow(clientID, secret, username, password string) result {
	e.t.Helper()
	verifier, challenge := pkce()
	loc := e.signIn(e.browser(), e.authorizeURL(clientID, url.Values{"code_challenge": {challenge}, "code_challenge_method": {"S256"}}), username, password)
	code := loc.Query().Get("code")
	if code == "" {
		e.t.Fatalf("no code in %s", loc)
	}
	r := e.post("/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {callback}, "code_verifier": {verifier}}, clientID, secret)
	if r.status != http.StatusOK {
		e.t.Fatalf("code redemption: %d %s", r.status, r.raw)
	}
	return r
}

// introspect returns whether the provider considers token active.
func (e *env) active(token, rsID, rsSecret string) bool {
	e.t.Helper()
	r := e.post("/oauth2/introspect", url.Values{"token": {token}}, rsID, rsSecret)
	if r.status != http.StatusOK {
		e.t.Fatalf("introspection: %d %s", r.status, r.raw)
	}
	return r.body["active"] == true
}

// resourceServer registers a confidential client that may introspect.
func (e *env) resourceServer() (string, string) {
	return e.client(clientreg.Metadata{ClientID: "rs", ClientName: "rs", GrantTypes: []string{"client_credentials"}, Scope: "api"})
}
