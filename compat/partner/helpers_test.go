package partner_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tongxing/tongxing/compat/partner"
	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/models/modelstest"
	"github.com/tongxing/tongxing/provider"
	"github.com/tongxing/tongxing/provider/clientreg"
	"github.com/tongxing/tongxing/provider/credentials"
	"github.com/tongxing/tongxing/provider/keys"
	"github.com/tongxing/tongxing/provider/tokens"
	"github.com/tongxing/tongxing/provider/tokens/boltstore"
)

// clock is the settable time of the provider, the API and the token store.
// The store may lag behind the others: it then still holds a code or token
// that the provider already judges expired, as a store whose clock or
// expiry sweep is behind does.
type clock struct {
	mu       sync.Mutex
	now      time.Time
	storeLag time.Duration
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) StoreNow() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now.Add(-c.storeLag) }

func (c *clock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// AdvanceCore moves the provider's and the API's time, not the store's.
func (c *clock) AdvanceCore(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.storeLag += d
	c.mu.Unlock()
}

// env is the provider and the partner API on one gin engine, on SQLite and
// the embedded token store, served over HTTP.
type env struct {
	tb      testing.TB
	srv     *httptest.Server
	handler http.Handler
	p       *provider.Provider
	records *models.Store
	tokens  tokens.Store
	secrets *credentials.SecretHasher
	clock   *clock
	app     *models.Client // the first-party client user tokens are issued to
}

// options tune newEnv.
type options struct {
	core   func(*provider.Provider) partner.Core
	start  time.Time
	window time.Duration
	life   time.Duration
}

const codeLifetime = 5 * time.Minute

func newEnv(tb testing.TB, opts ...func(*options)) *env {
	tb.Helper()
	o := options{start: time.Now(), window: 5 * time.Minute, life: codeLifetime,
		core: func(p *provider.Provider) partner.Core { return p }}
	for _, f := range opts {
		f(&o)
	}
	ctx := context.Background()
	clk := &clock{now: o.start}
	records := models.NewStore(modelstest.SQLite(tb))
	ts, err := boltstore.Open(filepath.Join(tb.TempDir(), "tokens.db"), boltstore.Options{Clock: clk.StoreNow})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ts.Close() })
	set, err := keys.New(ctx, records.Keys, keys.Options{Clock: clk.Now, MaxTokenLifetime: time.Hour})
	if err != nil {
		tb.Fatal(err)
	}
	if err := set.Ensure(ctx, "ES256"); err != nil {
		tb.Fatal(err)
	}
	secrets, _ := credentials.NewSecretHasher(bytes.Repeat([]byte{7}, 32))
	e := &env{tb: tb, records: records, tokens: ts, secrets: secrets, clock: clk}
	e.srv = httptest.NewUnstartedServer(nil)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
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
		Clock: clk.Now,
		Log:   quiet,
	})
	if err != nil {
		tb.Fatal(err)
	}
	api, err := partner.New(partner.Config{
		Core:            o.core(e.p),
		Clients:         records.Clients,
		Users:           records.Users,
		Companies:       records.Companies,
		Audit:           records.Audit,
		TimestampWindow: o.window,
		CodeLifetime:    o.life,
		Location:        shanghai(tb),
		Clock:           clk.Now,
		Log:             quiet,
	})
	if err != nil {
		tb.Fatal(err)
	}
	gin.SetMode(gin.TestMode)
	engine := gin.New()
	engine.HandleMethodNotAllowed = true
	e.p.Routes(engine)
	api.Routes(engine)
	e.handler = engine
	e.srv.Config.Handler = engine
	e.srv.Start()
	tb.Cleanup(e.srv.Close)
	e.app = e.client(clientreg.Metadata{ClientID: "desktop", ClientName: "Desktop app",
		GrantTypes: []string{"authorization_code", "refresh_token"}, RedirectURIs: []string{callback},
		Scope: "openid profile phone offline_access"}, desktopSecret)
	return e
}

func shanghai(tb testing.TB) *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

const (
	callback      = "https://desktop.example/cb"
	desktopSecret = "desktop-secret-0123456789"
)

// client registers a client with secret (a fresh one when "") and
// returns it.
func (e *env) client(md clientreg.Metadata, secret string) *models.Client {
	e.tb.Helper()
	md.ClientSecret = secret
	c, _, err := clientreg.New(md, e.secrets, e.clock.Now())
	if err != nil {
		e.tb.Fatal(err)
	}
	if err := e.records.Clients.Create(context.Background(), c); err != nil {
		e.tb.Fatal(err)
	}
	return c
}

// partnerClient registers a partner allowed this API with scope.
func (e *env) partnerClient(id, secret, scope string) *models.Client {
	return e.client(clientreg.Metadata{ClientID: id, ClientName: "Partner " + id,
		GrantTypes: []string{"client_credentials"}, Scope: scope, LegacyAPIs: []string{partner.LegacyAPI}}, secret)
}

// The document's test client.
const (
	docClientID     = "1102084294"
	docClientSecret = "aku8hCyXBd9SqYkT"
	docBasic        = "Basic MTEwMjA4NDI5NDpha3U4aEN5WEJkOVNxWWtU"
)

// created is the document's "2017-11-30 10:37:30" in Asia/Shanghai.
var created = time.Date(2017, 11, 30, 2, 37, 30, 0, time.UTC)

// docUser creates a user and company with the values behind the
// document's examples: with id "li" they mask to exactly what the document
// shows (other ids differ in the username and have no phone).
func (e *env) docUser(id string) *models.User {
	e.tb.Helper()
	ctx := context.Background()
	co := &models.Company{ID: "co-" + id, Name: "水磨沟区新疆味道大盘鸡餐饮店", Type: "1", TaxNumber: "652324873203404",
		Address: "乌鲁木齐市水磨沟区南湖东路北一巷186号", LegalPersonPhone: "13399990170", LegalPersonName: "李小明",
		CreatedAt: created}
	if err := e.records.Companies.Create(ctx, co); err != nil {
		e.tb.Fatal(err)
	}
	var phone *string
	if id == "li" {
		p := "13899990170"
		phone = &p
	}
	u := &models.User{ID: "u-" + id, Username: id + "xiaoming40", RealName: "李小明", Sex: 3, Phone: phone, IsAdmin: true,
		Avatar: "http://avatar.xxx.dev.com/000/00/11/52_avatar_small", CompanyID: &co.ID, CreatedAt: created,
		PasswordHash: credentials.HashPassword("correct horse battery", credentials.PasswordParams{Memory: 64, Time: 1, Threads: 1})}
	if err := e.records.Users.Create(ctx, u); err != nil {
		e.tb.Fatal(err)
	}
	return u
}

// plainUser creates a user without a company.
func (e *env) plainUser(id string) *models.User {
	e.tb.Helper()
	u := &models.User{ID: "u-" + id, Username: id, RealName: "王五", CreatedAt: created}
	if err := e.records.Users.Create(context.Background(), u); err != nil {
		e.tb.Fatal(err)
	}
	return u
}

// token issues a user access token of the core, as a sign-in to the
// desktop app would.
func (e *env) token(userID string, life time.Duration) string {
	e.tb.Helper()
	g, err := e.p.IssueToken(context.Background(), provider.TokenRequest{Client: e.app, UserID: userID,
		Scope: "openid profile", Grant: "urn:tongxing:test", Lifetime: life})
	if err != nil {
		e.tb.Fatal(err)
	}
	return g.GetAccess()
}

// stamp returns a fresh t_ and p_ by the env's clock.
func (e *env) stamp() (string, string) {
	t := e.clock.Now().UnixMilli()
	return strconv.FormatInt(t, 10), strconv.FormatInt(partner.Proof(t), 10)
}

// signed adds t_ and p_ to q unless it has them.
func (e *env) signed(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = v
	}
	if !out.Has("t_") && !out.Has("p_") {
		t, p := e.stamp()
		out.Set("t_", t)
		out.Set("p_", p)
	}
	return out
}

// response is an answer of the API.
type response struct {
	status int
	header http.Header
	body   string
}

// get calls path with the raw query and Authorization header. It never
// fails the test, so fuzz targets may call it.
func (e *env) get(path, rawQuery, authorization string) response {
	req := httptest.NewRequest(http.MethodGet, "http://partner.example"+path, nil)
	req.URL.RawQuery = rawQuery
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	return response{status: rec.Code, header: rec.Header(), body: rec.Body.String()}
}

// call is get with Basic credentials and a signed query.
func (e *env) call(path string, q url.Values, id, secret string) response {
	e.tb.Helper()
	return e.get(path, e.signed(q).Encode(), basic(id, secret))
}

func basic(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
}

// authCode calls authorize/json and returns the auth_code.
func (e *env) authCode(id, secret, token string) string {
	e.tb.Helper()
	r := e.call(partner.PathAuthorize+"/json", url.Values{"access_token": {token}}, id, secret)
	const prefix = `{"data":{"auth_code":"`
	if r.status != http.StatusOK || !strings.HasPrefix(r.body, prefix) {
		e.tb.Fatalf("authorize: %d %s", r.status, r.body)
	}
	code, _, _ := strings.Cut(strings.TrimPrefix(r.body, prefix), `"`)
	return code
}

// failure is the exact error envelope of code and message in format f.
func failure(f, code, message string) string {
	if f == "xml" {
		return `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
			`<response xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><data xsi:nil="true"/><code>` +
			code + `</code><message>` + message + `</message></response>`
	}
	return `{"data":null,"code":` + code + `,"message":"` + message + `"}`
}
