package partner_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tongxing/tongxing/compat/partner"
	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider"
	"github.com/tongxing/tongxing/provider/clientreg"
)

// fixture is an env with the clients, users, tokens and codes the error
// table needs.
type fixture struct {
	*env
	li, wang                   *models.User
	liTok, wangTok, serviceTok string
	offTok                     string // of a user disabled since
	codeP                      string // P's code for li
	codeQ                      string // Q's code for li; Q may read users only
	codeWang                   string // P's code for wang, who has no company
	codeOther                  string // a core code of P for li of another grant
}

const (
	qID, qSecret = "partner-q", "q-secret-0123456789"
	pathUser     = partner.PathUserInfo
	pathCompany  = partner.PathCompanyInfo
	pathAuth     = partner.PathAuthorize
)

func newFixture(t *testing.T, opts ...func(*options)) *fixture {
	t.Helper()
	ctx := context.Background()
	fx := &fixture{env: newEnv(t, opts...)}
	fx.li, fx.wang = fx.docUser("li"), fx.plainUser("wang")
	p := fx.partnerClient(docClientID, docClientSecret, partner.ScopeUser+" "+partner.ScopeCompany)
	fx.partnerClient(qID, qSecret, partner.ScopeUser)
	fx.liTok, fx.wangTok = fx.token(fx.li.ID, time.Hour), fx.token(fx.wang.ID, time.Hour)
	g, err := fx.p.IssueToken(ctx, provider.TokenRequest{Client: p, Grant: "urn:tongxing:test"})
	if err != nil {
		t.Fatal(err)
	}
	fx.serviceTok = g.GetAccess()
	off := fx.plainUser("off")
	fx.offTok = fx.token(off.ID, time.Hour)
	off.Disabled = true
	if err := fx.records.Users.Update(ctx, off); err != nil {
		t.Fatal(err)
	}
	fx.codeP = fx.authCode(docClientID, docClientSecret, fx.liTok)
	fx.codeQ = fx.authCode(qID, qSecret, fx.liTok)
	fx.codeWang = fx.authCode(docClientID, docClientSecret, fx.wangTok)
	other, err := fx.p.IssueCode(ctx, provider.CodeRequest{Client: p, UserID: fx.li.ID, Lifetime: time.Minute, Grant: "urn:tongxing:other"})
	if err != nil {
		t.Fatal(err)
	}
	fx.codeOther = other.GetCode()

	// Clients that must be refused.
	fx.client(clientreg.Metadata{ClientID: "not-partner", ClientName: "not-partner", GrantTypes: []string{"client_credentials"}}, "np-secret-0123456789")
	dis := fx.partnerClient("disabled", "dis-secret-0123456789", partner.ScopeUser)
	dis.Enabled = false
	if err := fx.records.Clients.Update(ctx, dis); err != nil {
		t.Fatal(err)
	}
	fx.client(clientreg.Metadata{ClientID: "rp", ClientName: "rp", GrantTypes: []string{"authorization_code", "client_credentials"},
		RedirectURIs: []string{callback}, LegacyAPIs: []string{partner.LegacyAPI}}, "rp-secret-0123456789")
	fx.client(clientreg.Metadata{ClientID: "spa", ClientName: "spa", GrantTypes: []string{"authorization_code"},
		RedirectURIs: []string{callback}, TokenEndpointAuthMethod: models.AuthMethodNone, LegacyAPIs: []string{partner.LegacyAPI}}, "")
	return fx
}

// data calls a getUserInfo-style path as P with li's token and code.
func (fx *fixture) data(path, f string, edit func(q url.Values)) response {
	q := url.Values{"access_token": {fx.liTok}, "client_id": {docClientID}, "auth_code": {fx.codeP}}
	if edit != nil {
		edit(q)
	}
	return fx.call(path+"/"+f, q, docClientID, docClientSecret)
}

func set(k, v string) func(url.Values) { return func(q url.Values) { q.Set(k, v) } }
func del(k string) func(url.Values)    { return func(q url.Values) { q.Del(k) } }

// TestErrorTable answers one call per entry of the document's code table,
// and per general code that applies, in JSON and XML: HTTP status and
// the exact envelope.
func TestErrorTable(t *testing.T) {
	fx := newFixture(t)
	stampAt := func(at time.Time) func(url.Values) {
		return func(q url.Values) {
			ms := at.UnixMilli()
			q.Set("t_", strconv.FormatInt(ms, 10))
			q.Set("p_", strconv.FormatInt(partner.Proof(ms), 10))
		}
	}
	rows := []struct {
		name    string
		status  int
		code    string
		message string
		do      func(t *testing.T, f string) response
	}{
		{"no Authorization header", 200, "100009", "HTTP协议头认证非法", func(t *testing.T, f string) response {
			return fx.get(pathAuth+"/"+f, fx.signed(url.Values{"access_token": {fx.liTok}}).Encode(), "")
		}},
		{"Bearer instead of Basic", 200, "100009", "HTTP协议头认证非法", func(t *testing.T, f string) response {
			return fx.get(pathAuth+"/"+f, fx.signed(url.Values{"access_token": {fx.liTok}}).Encode(), "Bearer "+fx.liTok)
		}},
		{"Basic not base64", 200, "100009", "HTTP协议头认证非法", func(t *testing.T, f string) response {
			return fx.get(pathUser+"/"+f, fx.signed(url.Values{"access_token": {fx.liTok}}).Encode(), "Basic %%%")
		}},
		{"Basic without a secret", 200, "100009", "HTTP协议头认证非法", func(t *testing.T, f string) response {
			return fx.call(pathAuth+"/"+f, url.Values{"access_token": {fx.liTok}}, docClientID, "")
		}},
		{"unknown client_id", 200, "100008", "该client_id 不存在", func(t *testing.T, f string) response {
			return fx.call(pathAuth+"/"+f, url.Values{"access_token": {fx.liTok}}, "1102084295", docClientSecret)
		}},
		{"wrong secret", 200, "100002", "client_id 访问非法", func(t *testing.T, f string) response {
			return fx.call(pathAuth+"/"+f, url.Values{"access_token": {fx.liTok}}, docClientID, "aku8hCyXBd9SqYkU")
		}},
		{"disabled client", 200, "100002", "client_id 访问非法", func(t *testing.T, f string) response {
			return fx.call(pathAuth+"/"+f, url.Values{"access_token": {fx.liTok}}, "disabled", "dis-secret-0123456789")
		}},
		{"client not allowed this API", 200, "100002", "client_id 访问非法", func(t *testing.T, f string) response {
			return fx.call(pathAuth+"/"+f, url.Values{"access_token": {fx.liTok}}, "not-partner", "np-secret-0123456789")
		}},
		{"public client", 200, "100002", "client_id 访问非法", func(t *testing.T, f string) response {
			return fx.call(pathAuth+"/"+f, url.Values{"access_token": {fx.liTok}}, "spa", "anything")
		}},
		{"client_id parameter of another client", 200, "100002", "client_id 访问非法", func(t *testing.T, f string) response {
			return fx.data(pathUser, f, set("client_id", qID))
		}},
		{"missing t_", 200, "601", "参数非法,缺少 t_", func(t *testing.T, f string) response {
			return fx.data(pathUser, f, func(q url.Values) { q.Set("p_", "8519") })
		}},
		{"t_ not a number", 200, "601", "参数非法,t_ 不是毫秒时间戳", func(t *testing.T, f string) response {
			return fx.data(pathUser, f, func(q url.Values) { q.Set("t_", "1422339152058.0"); q.Set("p_", "8519") })
		}},
		{"missing p_", 200, "601", "参数非法,缺少 p_", func(t *testing.T, f string) response {
			return fx.data(pathUser, f, set("t_", strconv.FormatInt(fx.clock.Now().UnixMilli(), 10)))
		}},
		{"wrong p_", 200, "601", "参数非法,p_ 校验失败", func(t *testing.T, f string) response {
			ms := fx.clock.Now().UnixMilli()
			return fx.data(pathUser, f, func(q url.Values) {
				q.Set("t_", strconv.FormatInt(ms, 10))
				q.Set("p_", strconv.FormatInt(partner.Proof(ms)+1, 10))
			})
		}},
		{"t_ before the window", 200, "601", "参数非法,t_ 与服务器时间相差过大", func(t *testing.T, f string) response {
			return fx.data(pathUser, f, stampAt(fx.clock.Now().Add(-5*time.Minute-time.Millisecond)))
		}},
		{"t_ after the window", 200, "601", "参数非法,t_ 与服务器时间相差过大", func(t *testing.T, f string) response {
			return fx.call(pathAuth+"/"+f, url.Values{"access_token": {fx.liTok},
				"t_": {strconv.FormatInt(fx.clock.Now().Add(6*time.Minute).UnixMilli(), 10)},
				"p_": {strconv.FormatInt(partner.Proof(fx.clock.Now().Add(6*time.Minute).UnixMilli()), 10)}}, docClientID, docClientSecret)
		}},
		{"missing access_token", 200, "601", "参数非法,缺少 access_token", func(t *testing.T, f string) response {
			return fx.call(pathAuth+"/"+f, url.Values{}, docClientID, docClientSecret)
		}},
		{"missing auth_code", 200, "601", "参数非法,缺少 auth_code", func(t *testing.T, f string) response {
			return fx.data(pathCompany, f, del("auth_code"))
		}},
		{"malformed query", 200, "601", "参数非法,查询串无法解析", func(t *testing.T, f string) response {
			return fx.get(pathAuth+"/"+f, fx.signed(url.Values{"access_token": {fx.liTok}}).Encode()+"&x=%zz", docBasic)
		}},
		{"unknown access_token", 200, "401", "未授权", func(t *testing.T, f string) response {
			return fx.call(pathAuth+"/"+f, url.Values{"access_token": {"9106c9fd1e138a042d4aedf94cede7a766e0"}}, docClientID, docClientSecret)
		}},
		{"a client's own token", 200, "401", "未授权", func(t *testing.T, f string) response {
			return fx.call(pathAuth+"/"+f, url.Values{"access_token": {fx.serviceTok}}, docClientID, docClientSecret)
		}},
		{"token of a disabled user", 200, "401", "未授权", func(t *testing.T, f string) response {
			return fx.call(pathAuth+"/"+f, url.Values{"access_token": {fx.offTok}}, docClientID, docClientSecret)
		}},
		{"expired token", 200, "100014", "访问token已过期,过期时间一般为3个月", func(t *testing.T, f string) response {
			e := newFixture(t)
			tok := e.token(e.li.ID, time.Minute)
			e.clock.Advance(2 * time.Minute)
			return e.data(pathUser, f, set("access_token", tok))
		}},
		{"unknown token", 200, "401", "未授权", func(t *testing.T, f string) response {
			return fx.data(pathUser, f, set("access_token", "55427e5af26a1319e168beb699b0fd1b11e"))
		}},
		{"unknown auth_code", 200, "100019", "授权码不存在,请重新授权", func(t *testing.T, f string) response {
			return fx.data(pathUser, f, set("auth_code", "c3a8ad070c745db455e30a51511dca819b607bf7"))
		}},
		{"malformed auth_code", 200, "100019", "授权码不存在,请重新授权", func(t *testing.T, f string) response {
			return fx.data(pathUser, f, set("auth_code", "<not a code>"))
		}},
		{"a core code of another grant", 200, "100019", "授权码不存在,请重新授权", func(t *testing.T, f string) response {
			return fx.data(pathUser, f, set("auth_code", fx.codeOther))
		}},
		{"auth_code past its retention", 200, "100019", "授权码不存在,请重新授权", func(t *testing.T, f string) response {
			e := newFixture(t)
			e.clock.Advance(codeLifetime + 24*time.Hour + margin)
			return e.data(pathUser, f, set("access_token", e.token(e.li.ID, time.Hour)))
		}},
		{"expired auth_code", 200, "100020", "授权码已经过期,请重启授权", func(t *testing.T, f string) response {
			e := newFixture(t)
			e.clock.AdvanceCore(codeLifetime + margin)
			return e.data(pathCompany, f, nil)
		}},
		{"auth_code of another client", 200, "100021", "授权客户端非法持有授权码", func(t *testing.T, f string) response {
			return fx.data(pathUser, f, set("auth_code", fx.codeQ))
		}},
		{"auth_code of another user", 200, "100023", "授权用户非法持有授权码", func(t *testing.T, f string) response {
			return fx.data(pathUser, f, set("auth_code", fx.codeWang))
		}},
		{"auth_code without the company scope", 200, "100018", "该授权码无权限访问", func(t *testing.T, f string) response {
			q := url.Values{"access_token": {fx.liTok}, "client_id": {qID}, "auth_code": {fx.codeQ}}
			return fx.call(pathCompany+"/"+f, q, qID, qSecret)
		}},
		{"user without a company", 200, "602", "内容为空", func(t *testing.T, f string) response {
			return fx.data(pathCompany, f, func(q url.Values) { q.Set("access_token", fx.wangTok); q.Set("auth_code", fx.codeWang) })
		}},
		{"core failure", 500, "500", "服务内部错误", func(t *testing.T, f string) response {
			e := newEnv(t, func(o *options) {
				o.core = func(p *provider.Provider) partner.Core { return failingCore{p} }
			})
			q := url.Values{"access_token": {"some-token"}, "auth_code": {docAuthCode}}
			return e.call(pathUser+"/"+f, q, docClientID, docClientSecret)
		}},
	}
	for _, row := range rows {
		for _, f := range []string{"json", "xml"} {
			t.Run(row.name+"/"+f, func(t *testing.T) {
				r := row.do(t, f)
				if r.status != row.status {
					t.Errorf("status %d, want %d", r.status, row.status)
				}
				if want := failure(f, row.code, row.message); r.body != want {
					t.Errorf("body\n got %s\nwant %s", r.body, want)
				}
				if r.header.Get("Cache-Control") != "no-store" {
					t.Errorf("Cache-Control %q", r.header.Get("Cache-Control"))
				}
				if f == "xml" {
					wellFormed(t, r.body)
				}
			})
		}
	}
}

// TestCodeStaysUntilExpiry: one auth_code serves both data calls, again
// and again, until its lifetime ends.
func TestCodeStaysUntilExpiry(t *testing.T) {
	fx := newFixture(t)
	for i := range 3 {
		for _, path := range []string{pathUser, pathCompany} {
			if r := fx.data(path, "json", nil); r.status != http.StatusOK || !strings.Contains(r.body, `"code":200`) {
				t.Fatalf("call %d of %s: %d %s", i, path, r.status, r.body)
			}
		}
	}
	fx.clock.Advance(codeLifetime - margin)
	if r := fx.data(pathCompany, "json", nil); !strings.Contains(r.body, `"code":200`) {
		t.Fatalf("shortly before expiry: %s", r.body)
	}
	fx.clock.Advance(2 * margin)
	if r := fx.data(pathCompany, "json", nil); r.body != failure("json", "100020", "授权码已经过期,请重启授权") {
		t.Fatalf("after expiry: %s", r.body)
	}
}

// margin covers the time the test takes to set up: the engine stamps codes
// and tokens with the wall clock, which the test clock starts from, so
// they are up to that much younger than the test clock says.
const margin = 5 * time.Second

// failingCore is a core whose store is down.
type failingCore struct{ *provider.Provider }

var errStoreDown = errors.New("dial tcp 10.0.0.7:6379: connection refused")

func (failingCore) AuthenticateClient(context.Context, string, string) (*models.Client, error) {
	return nil, errStoreDown
}
