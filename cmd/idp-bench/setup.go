package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Paths of the provider.
const (
	pathAuthorize  = "/oauth2/authorize"
	pathLogin      = "/oauth2/login"
	pathConsent    = "/oauth2/consent"
	pathToken      = "/oauth2/token"
	pathIntrospect = "/oauth2/introspect"
	pathUserinfo   = "/userinfo"
)

// Cookie names of the provider (the session cookie's is the default of
// session.cookie_name).
const (
	sessionCookie = "tongxing_session"
	csrfCookie    = "tongxing_csrf"
)

// redirectURI is the web client's callback: never contacted, the
// benchmark reads the code from the redirect.
const redirectURI = "http://127.0.0.1/cb"

// credentials are a client's ID and secret, with the Basic header they
// make (RFC 6749 §2.3.1: both parts form-urlencoded).
type credentials struct {
	ID, Secret string
	basic      string
}

func newCredentials(id, secret string) credentials {
	raw := url.QueryEscape(id) + ":" + url.QueryEscape(secret)
	return credentials{ID: id, Secret: secret, basic: "Basic " + base64.StdEncoding.EncodeToString([]byte(raw))}
}

// Roles of the clients the benchmark registers.
const (
	clientCC       = "cc"       // client_credentials, opaque tokens
	clientCCES256  = "cc-es256" // client_credentials, JWT access tokens signed ES256
	clientCCRS256  = "cc-rs256" // client_credentials, JWT access tokens signed RS256
	clientWeb      = "web"      // confidential authorization_code + refresh_token
	clientResource = "rs"       // a resource server that introspects
	clientPartner  = "partner"  // a partner of the partner open API
)

// clientSpecs are the idp client create arguments of each role.
// An optional role's failure to register fails only the scenarios that
// need it.
var clientSpecs = []struct {
	role     string
	args     []string
	optional bool
}{
	{clientCC, []string{"--grant-type", "client_credentials", "--scope", "api"}, false},
	{clientCCES256, []string{"--grant-type", "client_credentials", "--scope", "api", "--access-token-format", "jwt", "--access-token-alg", "ES256"}, false},
	{clientCCRS256, []string{"--grant-type", "client_credentials", "--scope", "api", "--access-token-format", "jwt", "--access-token-alg", "RS256"}, false},
	{clientWeb, []string{"--grant-type", "authorization_code,refresh_token", "--redirect-uri", redirectURI, "--scope", "openid,profile,email,phone,offline_access"}, false},
	{clientResource, []string{"--grant-type", "client_credentials", "--scope", "introspect"}, false},
	{clientPartner, []string{"--grant-type", "client_credentials", "--scope", "partner:user", "--legacy-api", "partner"}, true},
}

// benchUser is the user the benchmark signs in as.
type benchUser struct {
	Sub, Username, Password string
}

// env is the running provider and what the benchmark registered on it.
type env struct {
	bin     string   // the idp binary
	environ []string // the provider's environment, for the CLI too
	base    string   // http://127.0.0.1:port
	clients map[string]credentials
	// unregistered holds why an optional client could not be registered.
	unregistered map[string]error
	user         benchUser
	// session is the web client's signed-in browser: a session cookie and
	// remembered consent, so one GET of the authorization endpoint returns
	// a code.
	session *http.Cookie
	setup   *http.Client // keep-alive client for preparation
	conns   int
}

// client returns the credentials of role, or why it has none.
func (e *env) client(role string) (credentials, error) {
	if c, ok := e.clients[role]; ok {
		return c, nil
	}
	if err := e.unregistered[role]; err != nil {
		return credentials{}, fmt.Errorf("registering the %s client failed: %w", role, err)
	}
	return credentials{}, fmt.Errorf("no %s client", role)
}

// idp runs a CLI command of the provider and returns its standard output.
func (e *env) idp(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, e.bin, args...)
	cmd.Env = e.environ
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("idp %s: %w: %s", strings.Join(args[:2], " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// register creates the clients and the user through the CLI, in
// parallel.
func (e *env) register(ctx context.Context) error {
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	e.clients = map[string]credentials{}
	e.unregistered = map[string]error{}
	for _, spec := range clientSpecs {
		wg.Go(func() {
			args := append([]string{"client", "create", "--name", "bench-" + spec.role}, spec.args...)
			out, err := e.idp(ctx, args...)
			var md struct {
				ClientID     string `json:"client_id"`
				ClientSecret string `json:"client_secret"`
			}
			if err == nil {
				if err = json.Unmarshal(out, &md); err == nil && (md.ClientID == "" || md.ClientSecret == "") {
					err = fmt.Errorf("client create printed no ID or secret: %s", out)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil && spec.optional:
				e.unregistered[spec.role] = err
			case err != nil:
				errs = append(errs, err)
			default:
				e.clients[spec.role] = newCredentials(md.ClientID, md.ClientSecret)
			}
		})
	}
	wg.Go(func() {
		u := benchUser{Username: "bench-" + randomHex(4), Password: randomHex(12)}
		out, err := e.idp(ctx, "user", "create", "--username", u.Username, "--password", u.Password,
			"--email", u.Username+"@bench.example", "--nickname", "Bench", "--real-name", "Bench User", "--phone", "+8613800000000")
		var v struct {
			Sub string `json:"sub"`
		}
		if err == nil {
			if err = json.Unmarshal(out, &v); err == nil && v.Sub == "" {
				err = fmt.Errorf("user create printed no sub: %s", out)
			}
		}
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			errs = append(errs, err)
			return
		}
		u.Sub = v.Sub
		e.user = u
	})
	wg.Wait()
	return errors.Join(errs...)
}

var hiddenField = regexp.MustCompile(`name="(csrf_token|authz)" value="([^"]*)"`)

// formFields returns the hidden fields of a login or consent page.
func formFields(page string) url.Values {
	v := url.Values{}
	for _, m := range hiddenField.FindAllStringSubmatch(page, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	return v
}

// pkcePair returns a code verifier and its S256 challenge.
func pkcePair() (verifier, challenge string) {
	verifier = base64.RawURLEncoding.EncodeToString([]byte(randomHex(24)))
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// authorizeURL is an authorization request of the web client with a PKCE
// challenge.
func (e *env) authorizeURL(challenge string) string {
	q := url.Values{
		"response_type": {"code"}, "client_id": {e.clients[clientWeb].ID}, "redirect_uri": {redirectURI},
		"scope": {"openid profile email phone"}, "state": {"s-" + randomHex(4)}, "nonce": {"n-" + randomHex(4)},
		"code_challenge": {challenge}, "code_challenge_method": {"S256"},
	}
	return e.base + pathAuthorize + "?" + q.Encode()
}

// signIn drives the login and consent forms once, as a browser does, and
// keeps the session cookie it ends with.
func (e *env) signIn(ctx context.Context) error {
	jar, _ := cookiejar.New(nil)
	b := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page := func(method, u string, form url.Values) (*http.Response, string, error) {
		var req *http.Request
		if form == nil {
			req, _ = http.NewRequestWithContext(ctx, method, u, nil)
		} else {
			req, _ = http.NewRequestWithContext(ctx, method, u, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := b.Do(req)
		if err != nil {
			return nil, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp, string(b), err
	}
	_, challenge := pkcePair()
	resp, body, err := page(http.MethodGet, e.authorizeURL(challenge), nil)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="password"`) {
		return fmt.Errorf("sign-in: expected the login page, got %d", resp.StatusCode)
	}
	f := formFields(body)
	f.Set("username", e.user.Username)
	f.Set("password", e.user.Password)
	resp, body, err = page(http.MethodPost, e.base+pathLogin, f)
	if err != nil {
		return err
	}
	if resp.StatusCode == http.StatusOK && strings.Contains(body, `value="allow"`) {
		f = formFields(body)
		f.Set("decision", "allow")
		if resp, _, err = page(http.MethodPost, e.base+pathConsent, f); err != nil {
			return err
		}
	}
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "code=") {
		return fmt.Errorf("sign-in: expected a redirect with a code, got %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	base, _ := url.Parse(e.base)
	for _, c := range jar.Cookies(base) {
		if c.Name == sessionCookie {
			e.session = &http.Cookie{Name: c.Name, Value: c.Value}
		}
	}
	if e.session == nil {
		return errors.New("sign-in: no session cookie")
	}
	return nil
}

// codeGrant is a prepared authorization code with its PKCE verifier.
type codeGrant struct{ code, verifier string }

// authorize gets one code for the signed-in session: one GET of the
// authorization endpoint, answered with a redirect to the client.
func (e *env) authorize(ctx context.Context) (codeGrant, error) {
	verifier, challenge := pkcePair()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.authorizeURL(challenge), nil)
	req.AddCookie(e.session)
	resp, err := e.setup.Do(req)
	if err != nil {
		return codeGrant{}, err
	}
	drain(resp)
	if resp.StatusCode != http.StatusSeeOther {
		return codeGrant{}, fmt.Errorf("authorize: status %d, not a redirect to the client", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		return codeGrant{}, err
	}
	code := loc.Query().Get("code")
	if code == "" {
		return codeGrant{}, fmt.Errorf("authorize: no code in %s", loc.Redacted())
	}
	return codeGrant{code: code, verifier: verifier}, nil
}

// userTokens are the tokens of one redeemed code.
type userTokens struct{ access, refresh string }

// postForm sends a form to path with the Basic header of c.
func (e *env) postForm(ctx context.Context, client *http.Client, path string, c credentials, form url.Values) (*http.Response, []byte, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", c.basic)
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

// redeem exchanges a code for the user's tokens.
func (e *env) redeem(ctx context.Context, g codeGrant) (userTokens, error) {
	resp, body, err := e.postForm(ctx, e.setup, pathToken, e.clients[clientWeb], url.Values{
		"grant_type": {"authorization_code"}, "code": {g.code}, "redirect_uri": {redirectURI}, "code_verifier": {g.verifier},
	})
	if err != nil {
		return userTokens{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return userTokens{}, fmt.Errorf("code redemption: %w", statusError(resp, body))
	}
	at, ok1 := jsonField(body, "access_token")
	rt, ok2 := jsonField(body, "refresh_token")
	if !ok1 || !ok2 {
		return userTokens{}, fmt.Errorf("code redemption: no access or refresh token in %s", body)
	}
	return userTokens{access: at, refresh: rt}, nil
}

// newUserTokens signs in n times through the authorization endpoint and
// redeems each code.
func (e *env) newUserTokens(ctx context.Context, n int) ([]userTokens, error) {
	return fill(ctx, n, e.conns, 0, func(ctx context.Context) (userTokens, error) {
		g, err := e.authorize(ctx)
		if err != nil {
			return userTokens{}, err
		}
		return e.redeem(ctx, g)
	})
}
