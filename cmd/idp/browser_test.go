package main

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/tongxing/tongxing/provider/credentials"
)

// envBrowser opts in to the test that drives Chromium.
const envBrowser = "IDP_TEST_BROWSER"

// chromiumPath returns the Chromium binary, or "" when there is none.
func chromiumPath() string {
	if fi, err := os.Stat("/usr/bin/chromium"); err == nil && !fi.IsDir() {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

// webApp is a relying party web application: /login starts a sign-in
// with PKCE, state and nonce; /callback finishes it and greets the user.
type webApp struct {
	srv      *httptest.Server
	issuer   string
	oauth    *oauth2.Config
	verifier *oidc.IDTokenVerifier

	mu      sync.Mutex
	pending map[string][2]string // state: PKCE verifier, nonce
}

func newWebApp(t *testing.T) *webApp {
	app := &webApp{pending: map[string][2]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", app.login)
	mux.HandleFunc("GET /callback", app.callback)
	app.srv = httptest.NewServer(mux)
	t.Cleanup(app.srv.Close)
	return app
}

func (app *webApp) login(w http.ResponseWriter, r *http.Request) {
	state, nonce, verifier := credentials.RandomToken(16), credentials.RandomToken(16), oauth2.GenerateVerifier()
	app.mu.Lock()
	app.pending[state] = [2]string{verifier, nonce}
	app.mu.Unlock()
	http.Redirect(w, r, app.oauth.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)), http.StatusFound)
}

func (app *webApp) callback(w http.ResponseWriter, r *http.Request) {
	fail := func(format string, args ...any) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `<p id="error">%s</p>`, html.EscapeString(fmt.Sprintf(format, args...)))
	}
	q := r.URL.Query()
	app.mu.Lock()
	p, ok := app.pending[q.Get("state")]
	delete(app.pending, q.Get("state"))
	app.mu.Unlock()
	switch {
	case q.Get("error") != "":
		fail("the provider answered %s: %s", q.Get("error"), q.Get("error_description"))
		return
	case !ok:
		fail("unknown state %q", q.Get("state"))
		return
	case q.Get("iss") != app.issuer:
		fail("iss %q is not the provider", q.Get("iss"))
		return
	}
	tok, err := app.oauth.Exchange(r.Context(), q.Get("code"), oauth2.VerifierOption(p[0]))
	if err != nil {
		fail("exchange: %v", err)
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := app.verifier.Verify(r.Context(), raw)
	if err != nil {
		fail("id_token: %v", err)
		return
	}
	if idt.Nonce != p[1] {
		fail("nonce %q, want %q", idt.Nonce, p[1])
		return
	}
	if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
		fail("at_hash: %v", err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!doctype html><title>RP</title><p id="who">signed in as %s</p>`, html.EscapeString(idt.Subject))
}

func TestBrowserSignIn(t *testing.T) {
	if os.Getenv(envBrowser) != "1" {
		t.Skipf("set %s=1 to drive Chromium through the sign-in", envBrowser)
	}
	chromium := chromiumPath()
	if chromium == "" {
		t.Fatalf("%s=1 but Chromium is neither /usr/bin/chromium nor on PATH", envBrowser)
	}
	forEachBackend(t, func(t *testing.T, b backend) {
		ts := startServer(t, b.config(t))
		app := newWebApp(t)
		md := ts.createClient(t, "--name", "Browser RP", "--grant-type", "authorization_code",
			"--redirect-uri", app.srv.URL+"/callback", "--scope", "openid,profile")
		u := ts.alice(t)
		p := ts.discover(t)
		ep := p.Endpoint()
		ep.AuthStyle = oauth2.AuthStyleInHeader
		app.issuer = ts.URL
		app.oauth = &oauth2.Config{ClientID: md.ClientID, ClientSecret: md.ClientSecret, Endpoint: ep,
			RedirectURL: app.srv.URL + "/callback", Scopes: []string{oidc.ScopeOpenID, "profile"}}
		app.verifier = p.Verifier(&oidc.Config{ClientID: md.ClientID})

		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
			chromedp.ExecPath(chromium),
			chromedp.Headless,
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.Flag("disable-quic", true),
			chromedp.NoFirstRun,
			chromedp.NoDefaultBrowserCheck,
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.UserDataDir(t.TempDir()),
		)
		defer cancelAlloc()
		browser, closeBrowser := chromedp.NewContext(allocCtx)
		defer closeBrowser()

		// The browser's console and log explain a failure; a blocked
		// request (a Content Security Policy violation) ends the flow at
		// once rather than at its deadline.
		messages := chromedp.Console(browser)
		flow, cancelFlow := context.WithTimeoutCause(browser, 60*time.Second, errors.New("the sign-in did not finish within 60s"))
		defer cancelFlow()
		var (
			consoleMu sync.Mutex
			console   []string
		)
		read := make(chan struct{})
		go func() {
			defer close(read)
			for m, err := range messages {
				if err != nil {
					return
				}
				consoleMu.Lock()
				console = append(console, m.String())
				consoleMu.Unlock()
				if strings.Contains(m.Text, "Content Security Policy") {
					cancelFlow()
				}
			}
		}()
		defer func() { closeBrowser(); <-read }()

		err := chromedp.Do(flow,
			chromedp.Navigate(app.srv.URL+"/login"),
			chromedp.WaitVisible(chromedp.ID("username")),
			chromedp.SendKeys(chromedp.ID("username"), "alice"),
			chromedp.SendKeys(chromedp.ID("password"), alicePassword),
			chromedp.Click(chromedp.ID("submit")),
			chromedp.WaitVisible(chromedp.ID("allow")),
			chromedp.Click(chromedp.ID("allow")),
			chromedp.WaitVisible(chromedp.CSS("#who, #error")),
		)
		var text string
		if err == nil {
			text, err = chromedp.Run(flow, chromedp.Text(chromedp.CSS("body")))
		}
		if err != nil {
			diag, cancelDiag := context.WithTimeout(browser, 10*time.Second)
			where, _ := chromedp.Run(diag, chromedp.Location())
			page, _ := chromedp.Run(diag, chromedp.OuterHTML(chromedp.CSS("body")))
			cancelDiag()
			consoleMu.Lock()
			defer consoleMu.Unlock()
			t.Fatalf("browser sign-in: %v (%v)\nat %s\n%s\nbrowser console:\n%s", err, context.Cause(flow), where, page, strings.Join(console, "\n"))
		}
		if want := "signed in as " + u.Sub; strings.TrimSpace(text) != want {
			t.Errorf("the relying party shows %q, want %q", text, want)
		}
	})
}
