package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// plan is what a scenario's preparation may use.
type plan struct {
	connections int
	// window is warm-up plus measured time: the longest a run may draw on
	// a prepared supply.
	window time.Duration
	smoke  bool
}

// scenario is one kind of request measured under load.
type scenario struct {
	name  string
	about string
	// route, when set, is probed with a GET before preparing: a 404 means
	// the provider does not serve it, and the scenario is skipped.
	route string
	// prepare does, outside the timed window, everything the requests need
	// and returns the request, with a note for the results.
	prepare func(ctx context.Context, e *env, p plan) (op, string, error)
}

// scenarios are run in this order, which is also the order of the table.
// Password login comes last: argon2id's memory raises the server's
// resident set, which the following scenarios would otherwise inherit.
var scenarios = []scenario{
	{
		name:    "client_credentials",
		about:   "POST /oauth2/token grant_type=client_credentials, client_secret_basic, opaque access token",
		prepare: clientCredentials(clientCC, ""),
	},
	{
		name:    "client_credentials_jwt_es256",
		about:   "the same for a client with RFC 9068 JWT access tokens signed ES256",
		prepare: clientCredentials(clientCCES256, "ES256"),
	},
	{
		name:    "client_credentials_jwt_rs256",
		about:   "the same for a client with RFC 9068 JWT access tokens signed RS256",
		prepare: clientCredentials(clientCCRS256, "RS256"),
	},
	{
		name:    "introspection",
		about:   "POST /oauth2/introspect by a resource server (client_secret_basic) of a user's live opaque access token",
		prepare: introspection,
	},
	{
		name:    "userinfo",
		about:   "GET /userinfo with a user's opaque access token (scope openid profile email phone)",
		prepare: userinfo,
	},
	{
		name:    "refresh_token",
		about:   "POST /oauth2/token grant_type=refresh_token: rotation, each worker chaining the refresh token of its previous response; the response carries an RS256 id_token",
		prepare: refreshRotation,
	},
	{
		name:    "authorization_code",
		about:   "POST /oauth2/token grant_type=authorization_code with PKCE S256, codes prepared beforehand; the response carries an RS256 id_token and a refresh token",
		prepare: codeRedemption,
	},
	{
		name:    "partner_authorize",
		about:   "GET " + pathPartnerAuthorize + " (partner open API): Basic client, t_/p_ stamp and a user's opaque access token; issues an auth_code",
		route:   pathPartnerAuthorize,
		prepare: partnerAuthorize,
	},
	{
		name:    "partner_getuserinfo",
		about:   "GET " + pathPartnerUserInfo + " (partner open API) with a user's access token and an auth_code issued for it beforehand",
		route:   pathPartnerUserInfo,
		prepare: partnerUserInfo,
	},
	{
		name:    "password_login",
		about:   "POST /oauth2/login with username and password, each a fresh browser whose login page (CSRF cookie and field) was fetched beforehand; one argon2id verification each",
		prepare: passwordLogin,
	},
}

// scenarioNames lists the names of all scenarios.
func scenarioNames() []string {
	names := make([]string, len(scenarios))
	for i, s := range scenarios {
		names[i] = s.name
	}
	return names
}

// selectScenarios resolves a comma-separated -scenarios value ("" or
// "all" for every scenario), keeping the run order.
func selectScenarios(list string) ([]scenario, error) {
	list = strings.TrimSpace(list)
	if list == "" || list == "all" {
		return scenarios, nil
	}
	want := map[string]bool{}
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		known := false
		for _, s := range scenarios {
			known = known || s.name == n
		}
		if !known {
			return nil, fmt.Errorf("unknown scenario %q (known: %s)", n, strings.Join(scenarioNames(), ", "))
		}
		want[n] = true
	}
	var out []scenario
	for _, s := range scenarios {
		if want[s.name] {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no scenario selected")
	}
	return out, nil
}

const formType = "application/x-www-form-urlencoded"

// newPost builds a form POST with an Authorization header.
func newPost(ctx context.Context, u, authorization, body string) *http.Request {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(body))
	req.Header.Set("Content-Type", formType)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	return req
}

// clip shortens a body for an error message.
func clip(b []byte) string {
	const n = 120
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}

// sendOK sends req and requires a 200.
func sendOK(w *worker, req *http.Request) ([]byte, error) {
	resp, body, err := w.send(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, statusError(resp, body)
	}
	return body, nil
}

// clientCredentials issues a token to the client of role; alg, when set,
// means the access token must be a JWT.
func clientCredentials(role, alg string) func(context.Context, *env, plan) (op, string, error) {
	return func(_ context.Context, e *env, _ plan) (op, string, error) {
		u, auth := e.base+pathToken, e.clients[role].basic
		const body = "grant_type=client_credentials&scope=api"
		return func(ctx context.Context, w *worker) (time.Time, error) {
			req := newPost(ctx, u, auth, body)
			start := time.Now()
			b, err := sendOK(w, req)
			if err != nil {
				return start, err
			}
			at, ok := jsonField(b, "access_token")
			switch {
			case !ok || at == "":
				return start, fmt.Errorf("no access_token in %s", clip(b))
			case alg != "" && strings.Count(at, ".") != 2:
				return start, fmt.Errorf("access_token is not a JWT: %s", clip(b))
			}
			return start, nil
		}, "", nil
	}
}

// tokenPoolSize is how many users' tokens introspection and userinfo
// cycle through.
func tokenPoolSize(p plan) int {
	if p.smoke {
		return 2 * p.connections
	}
	return 500
}

// rotating hands out the items of a list in turn.
type rotating[T any] struct {
	items []T
	next  atomic.Uint64
}

func (r *rotating[T]) get() T { return r.items[(r.next.Add(1)-1)%uint64(len(r.items))] }

func introspection(ctx context.Context, e *env, p plan) (op, string, error) {
	toks, err := e.newUserTokens(ctx, tokenPoolSize(p))
	if err != nil {
		return nil, "", err
	}
	pool := &rotating[userTokens]{items: toks}
	u, auth, sub := e.base+pathIntrospect, e.clients[clientResource].basic, e.user.Sub
	return func(ctx context.Context, w *worker) (time.Time, error) {
		req := newPost(ctx, u, auth, "token_type_hint=access_token&token="+url.QueryEscape(pool.get().access))
		start := time.Now()
		b, err := sendOK(w, req)
		if err != nil {
			return start, err
		}
		if !jsonTrue(b, "active") {
			return start, fmt.Errorf("token not active: %s", clip(b))
		}
		if s, _ := jsonField(b, "sub"); s != sub {
			return start, fmt.Errorf("wrong sub: %s", clip(b))
		}
		return start, nil
	}, fmt.Sprintf("%d user tokens in turn", len(toks)), nil
}

func userinfo(ctx context.Context, e *env, p plan) (op, string, error) {
	toks, err := e.newUserTokens(ctx, tokenPoolSize(p))
	if err != nil {
		return nil, "", err
	}
	pool := &rotating[userTokens]{items: toks}
	u, sub := e.base+pathUserinfo, e.user.Sub
	return func(ctx context.Context, w *worker) (time.Time, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		req.Header.Set("Authorization", "Bearer "+pool.get().access)
		start := time.Now()
		b, err := sendOK(w, req)
		if err != nil {
			return start, err
		}
		if s, _ := jsonField(b, "sub"); s != sub {
			return start, fmt.Errorf("wrong or no sub: %s", clip(b))
		}
		return start, nil
	}, fmt.Sprintf("%d user tokens in turn", len(toks)), nil
}

func refreshRotation(ctx context.Context, e *env, p plan) (op, string, error) {
	// One chain per worker, and as many spares again for chains a failed
	// request breaks.
	toks, err := e.newUserTokens(ctx, 2*p.connections)
	if err != nil {
		return nil, "", err
	}
	spare := &supply[userTokens]{items: toks}
	u, auth := e.base+pathToken, e.clients[clientWeb].basic
	return func(ctx context.Context, w *worker) (time.Time, error) {
		if w.state == "" {
			t, ok := spare.take()
			if !ok {
				return time.Now(), errExhausted
			}
			w.state = t.refresh
		}
		req := newPost(ctx, u, auth, "grant_type=refresh_token&refresh_token="+url.QueryEscape(w.state))
		w.state = "" // single use: whatever happens, never sent again
		start := time.Now()
		b, err := sendOK(w, req)
		if err != nil {
			return start, err
		}
		at, ok1 := jsonField(b, "access_token")
		rt, ok2 := jsonField(b, "refresh_token")
		if !ok1 || !ok2 || at == "" || rt == "" {
			return start, fmt.Errorf("no access_token or refresh_token in %s", clip(b))
		}
		w.state = rt
		return start, nil
	}, "", nil
}

// supplyCap bounds a prepared supply: perSecond of the run's window.
func supplyCap(p plan, perSecond int) int {
	return max(100, int(p.window.Seconds()*float64(perSecond)))
}

func codeRedemption(ctx context.Context, e *env, p plan) (op, string, error) {
	// Getting a code (one GET with the session) costs less than redeeming
	// it (client authentication, two token store writes, an RS256
	// signature), so preparing for as long as the run lasts is enough.
	codes, err := fill(ctx, supplyCap(p, 20000), p.connections, p.window, e.authorize)
	if err != nil {
		return nil, "", err
	}
	s := &supply[codeGrant]{items: codes}
	u, auth := e.base+pathToken, e.clients[clientWeb].basic
	return func(ctx context.Context, w *worker) (time.Time, error) {
		g, ok := s.take()
		if !ok {
			return time.Now(), errExhausted
		}
		req := newPost(ctx, u, auth, url.Values{
			"grant_type": {"authorization_code"}, "code": {g.code}, "redirect_uri": {redirectURI}, "code_verifier": {g.verifier},
		}.Encode())
		start := time.Now()
		b, err := sendOK(w, req)
		if err != nil {
			return start, err
		}
		at, ok1 := jsonField(b, "access_token")
		idt, ok2 := jsonField(b, "id_token")
		if !ok1 || !ok2 || at == "" || strings.Count(idt, ".") != 2 {
			return start, fmt.Errorf("no access_token or id_token in %s", clip(b))
		}
		return start, nil
	}, fmt.Sprintf("%d codes prepared", len(codes)), nil
}

// loginForm fetches the login page as a new browser and returns its CSRF
// token, which is both the cookie and the form field.
func (e *env) loginForm(ctx context.Context) (string, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.base+pathLogin, nil)
	resp, err := e.setup.Do(req)
	if err != nil {
		return "", err
	}
	defer drain(resp)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("login page: status %d", resp.StatusCode)
	}
	for _, c := range resp.Cookies() {
		if c.Name == csrfCookie && c.Value != "" {
			return c.Value, nil
		}
	}
	return "", errors.New("login page: no CSRF cookie")
}

func passwordLogin(ctx context.Context, e *env, p plan) (op, string, error) {
	forms, err := fill(ctx, supplyCap(p, 400), p.connections, p.window, e.loginForm)
	if err != nil {
		return nil, "", err
	}
	s := &supply[string]{items: forms}
	u := e.base + pathLogin
	creds := "&username=" + url.QueryEscape(e.user.Username) + "&password=" + url.QueryEscape(e.user.Password)
	return func(ctx context.Context, w *worker) (time.Time, error) {
		csrf, ok := s.take()
		if !ok {
			return time.Now(), errExhausted
		}
		req := newPost(ctx, u, "", "csrf_token="+url.QueryEscape(csrf)+creds)
		req.AddCookie(&http.Cookie{Name: csrfCookie, Value: csrf})
		start := time.Now()
		resp, b, err := w.send(req)
		if err != nil {
			return start, err
		}
		if resp.StatusCode != http.StatusOK {
			return start, statusError(resp, b)
		}
		for _, c := range resp.Cookies() {
			if c.Name == sessionCookie && c.Value != "" {
				return start, nil
			}
		}
		return start, errors.New("signed in without a session cookie")
	}, fmt.Sprintf("argon2id as idp user create hashes (m=19456 KiB, t=2, p=1) on every request; %d login pages prepared", len(forms)), nil
}
