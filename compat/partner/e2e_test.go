package partner_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/tongxing/tongxing/compat/partner"
	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/clientreg"
	"github.com/tongxing/tongxing/provider/tokens"
)

// TestEndToEnd: a user signs in to the desktop app with the standard code
// flow; the partner turns the app's access token into an auth_code and
// reads the user and the company over HTTP. The auth_code is a code of the
// core, the audit log has the call, and revoking the token or disabling
// the user stops the partner.
func TestEndToEnd(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.docUser("li")
	e.partnerClient(docClientID, docClientSecret, partner.ScopeUser+" "+partner.ScopeCompany)
	rs := e.client(clientreg.Metadata{ClientID: "rs", ClientName: "rs", GrantTypes: []string{"client_credentials"}}, "rs-secret-0123456789")

	tok := e.signIn(t, u.Username, "correct horse battery")
	pc := &partnerHTTP{t: t, e: e, id: docClientID, secret: docClientSecret}

	// authorize: a code of the core, bound to the partner and the user.
	auth := pc.get(partner.PathAuthorize+"/json", url.Values{"access_token": {tok.AccessToken}})
	code := jsonData(t, auth)["auth_code"].(string)
	g, err := e.p.LookupCode(ctx, code)
	if err != nil {
		t.Fatalf("the auth_code is not a code of the core: %v", err)
	}
	if g.GetClientID() != docClientID || g.GetUserID() != u.ID || g.GetScope() != "partner:user partner:company" ||
		g.GetCodeExpiresIn() != codeLifetime+24*time.Hour || tokens.Extension(g.TokenInfo, tokens.ExtGrant) != partner.GrantType || e.p.CodeExpired(g) {
		t.Errorf("code grant: client %s user %s scope %q life %v grant %q", g.GetClientID(), g.GetUserID(), g.GetScope(),
			g.GetCodeExpiresIn(), tokens.Extension(g.TokenInfo, tokens.ExtGrant))
	}
	events, err := e.records.Audit.List(ctx, models.AuditFilter{Action: "partner_authorize"}, models.Page{})
	if err != nil || len(events) != 1 {
		t.Fatalf("audit: %v %v", events, err)
	}
	if ev := events[0]; ev.Actor != docClientID || ev.Target != "user:"+u.ID || ev.Source != "127.0.0.1" ||
		strings.Contains(ev.Detail, code) || strings.Contains(ev.Detail, tok.AccessToken) {
		t.Errorf("audit event %+v", ev)
	}
	// Codes are not tokens: introspection does not know them (RFC 7662).
	if active := e.introspect(t, code, rs.ID, "rs-secret-0123456789"); active {
		t.Error("the auth_code introspects as active")
	}

	// Both data calls, twice, in both formats, with the same code.
	q := url.Values{"access_token": {tok.AccessToken}, "client_id": {docClientID}, "auth_code": {code}}
	for range 2 {
		user := jsonData(t, pc.get(partner.PathUserInfo+"/json", q))
		if user["username"] != "li******40" || user["truename"] != "李**" || user["phone"] != "13******0170" || user["sex"] != "3" {
			t.Errorf("getUserInfo: %v", user)
		}
		company := jsonData(t, pc.get(partner.PathCompanyInfo+"/json", q))
		if company["company_name"] != "水磨沟区*******餐饮店" || company["legal_person_phone"] != "133*****0170" {
			t.Errorf("getCompanyInfo: %v", company)
		}
		if body := pc.get(partner.PathCompanyInfo+"/xml", q); !strings.Contains(body, "<tax_number>6523248***************03404</tax_number>") {
			t.Errorf("getCompanyInfo/xml: %s", body)
		}
	}
	if !e.introspect(t, tok.AccessToken, rs.ID, "rs-secret-0123456789") {
		t.Fatal("the user's token is no longer active")
	}

	// The desktop app signs out: its token is revoked at the core.
	e.revoke(t, tok.AccessToken)
	for _, path := range []string{partner.PathAuthorize + "/json", partner.PathUserInfo + "/json", partner.PathCompanyInfo + "/xml"} {
		if body := pc.get(path, q); !strings.Contains(body, "401") || !strings.Contains(body, "未授权") {
			t.Errorf("%s with a revoked token: %s", path, body)
		}
	}

	// A new sign-in works again, until an admin disables the user.
	tok = e.signIn(t, u.Username, "correct horse battery")
	q.Set("access_token", tok.AccessToken)
	q.Set("auth_code", jsonData(t, pc.get(partner.PathAuthorize+"/json", url.Values{"access_token": {tok.AccessToken}}))["auth_code"].(string))
	jsonData(t, pc.get(partner.PathUserInfo+"/json", q))
	u.Disabled = true
	if err := e.records.Users.Update(ctx, u); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{partner.PathAuthorize + "/json", partner.PathUserInfo + "/json", partner.PathCompanyInfo + "/json"} {
		if body := pc.get(path, q); body != failure("json", "401", "未授权") {
			t.Errorf("%s for a disabled user: %s", path, body)
		}
	}
}

// TestScopes: what a client's registered scopes let its codes read.
func TestScopes(t *testing.T) {
	e := newEnv(t)
	u := e.docUser("li")
	tok := e.token(u.ID, time.Hour)
	for _, c := range []struct {
		scope            string
		user, company    bool
		username, person string
	}{
		{"", true, true, "li******40", "李**"},
		{"partner:full_profile", true, true, "lixiaoming40", "李小明"},
		{"partner:user", true, false, "li******40", "李**"},
		{"partner:company", false, true, "", "李**"},
		{"partner:user partner:company partner:full_profile", true, true, "lixiaoming40", "李小明"},
		{"openid api", true, true, "li******40", "李**"},
	} {
		id := "p-" + strings.NewReplacer(":", "-", " ", "_").Replace(c.scope)
		e.partnerClient(id, "secret-0123456789", c.scope)
		q := url.Values{"access_token": {tok}, "auth_code": {e.authCode(id, "secret-0123456789", tok)}}
		user := e.call(partner.PathUserInfo+"/json", q, id, "secret-0123456789")
		company := e.call(partner.PathCompanyInfo+"/json", q, id, "secret-0123456789")
		denied := failure("json", "100018", "该授权码无权限访问")
		if c.user != (user.body != denied) || c.company != (company.body != denied) {
			t.Errorf("scope %q: user %s company %s", c.scope, user.body, company.body)
			continue
		}
		if c.user && !strings.Contains(user.body, `"username":"`+c.username+`"`) {
			t.Errorf("scope %q: %s", c.scope, user.body)
		}
		if c.company && !strings.Contains(company.body, `"legal_person_name":"`+c.person+`"`) {
			t.Errorf("scope %q: %s", c.scope, company.body)
		}
	}
}

// partnerHTTP is a partner's client: Basic credentials and a fresh t_/p_
// on every call, over HTTP.
type partnerHTTP struct {
	t          *testing.T
	e          *env
	id, secret string
}

func (c *partnerHTTP) get(path string, q url.Values) string {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.e.srv.URL+path+"?"+c.e.signed(q).Encode(), nil)
	req.SetBasicAuth(c.id, c.secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("%s: HTTP %d %s", path, resp.StatusCode, body)
	}
	return string(body)
}

// jsonData returns the data of a successful JSON envelope.
func jsonData(t *testing.T, body string) map[string]any {
	t.Helper()
	var env struct {
		Data map[string]any `json:"data"`
		Code int            `json:"code"`
	}
	if err := json.Unmarshal([]byte(body), &env); err != nil || env.Code != 200 {
		t.Fatalf("not a success: %s (%v)", body, err)
	}
	return env.Data
}

var hiddenField = regexp.MustCompile(`name="(csrf_token|authz)" value="([^"]*)"`)

// signIn signs username in to the desktop app with the authorization code
// flow and PKCE, driving the login and consent pages, and returns the
// app's tokens.
func (e *env) signIn(t *testing.T, username, password string) *oauth2.Token {
	t.Helper()
	conf := &oauth2.Config{ClientID: e.app.ID, ClientSecret: desktopSecret, RedirectURL: callback, Scopes: []string{"openid", "profile"},
		Endpoint: oauth2.Endpoint{AuthURL: e.srv.URL + "/oauth2/authorize", TokenURL: e.srv.URL + "/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader}}
	verifier := oauth2.GenerateVerifier()
	state := rand.Text()
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if !strings.HasPrefix(req.URL.String(), e.srv.URL) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	do := func(method, u string, form url.Values) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, u, strings.NewReader(form.Encode()))
		if method == http.MethodPost {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := browser.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}
	fields := func(page string) url.Values {
		v := url.Values{}
		for _, m := range hiddenField.FindAllStringSubmatch(page, -1) {
			v.Set(m[1], strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">").Replace(m[2]))
		}
		return v
	}
	resp, page := do(http.MethodGet, conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)), nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `name="password"`) {
		t.Fatalf("expected the login page, got %d %s", resp.StatusCode, page)
	}
	f := fields(page)
	f.Set("username", username)
	f.Set("password", password)
	resp, page = do(http.MethodPost, e.srv.URL+"/oauth2/login", f)
	if resp.StatusCode == http.StatusOK && strings.Contains(page, `value="allow"`) {
		f = fields(page)
		f.Set("decision", "allow")
		resp, page = do(http.MethodPost, e.srv.URL+"/oauth2/consent", f)
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || loc == nil || loc.Query().Get("state") != state || loc.Query().Get("code") == "" {
		t.Fatalf("expected a redirect to the app, got %d %s %s", resp.StatusCode, resp.Header.Get("Location"), page)
	}
	tok, err := conf.Exchange(context.Background(), loc.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// introspect reports whether the core says token is active.
func (e *env) introspect(t *testing.T, token, id, secret string) bool {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/oauth2/introspect", strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Active bool `json:"active"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("introspection: %d %v", resp.StatusCode, err)
	}
	return r.Active
}

// revoke revokes token as the desktop app (RFC 7009).
func (e *env) revoke(t *testing.T, token string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/oauth2/revoke", strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(e.app.ID, desktopSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("revocation: %d", resp.StatusCode)
	}
}

// TestCodeNotRedeemable: an auth_code is not a code of the browser flow:
// not even a partner also registered for authorization_code can redeem it
// at the token endpoint, and a refused attempt does not use it up.
func TestCodeNotRedeemable(t *testing.T) {
	e := newEnv(t)
	u := e.docUser("li")
	e.client(clientreg.Metadata{ClientID: "both", ClientName: "both", GrantTypes: []string{"authorization_code", "client_credentials"},
		RedirectURIs: []string{callback}, LegacyAPIs: []string{partner.LegacyAPI}}, "both-secret-0123456789")
	tok := e.token(u.ID, time.Hour)
	code := e.authCode("both", "both-secret-0123456789", tok)
	for _, redirect := range []string{callback, ""} {
		form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}}
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/oauth2/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("both", "both-secret-0123456789")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("redirect %q: an auth_code was redeemed at the token endpoint (%d)", redirect, resp.StatusCode)
		}
	}
	if _, err := e.p.LookupCode(t.Context(), code); err != nil {
		t.Fatalf("a refused redemption used the auth_code up: %v", err)
	}
}
