package provider

import (
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/tongxing/tongxing/provider/oautherr"
)

//go:embed templates/*.html
var templateFS embed.FS

var pages = template.Must(template.ParseFS(templateFS, "templates/*.html"))

// Paths of the interactive endpoints.
const (
	pathAuthorize = "/oauth2/authorize"
	pathLogin     = "/oauth2/login"
	pathConsent   = "/oauth2/consent"
)

type pageData struct {
	Title, Error, Message string
	Action, CSRF, Authz   string
	Username, Client      string
	Scopes                []string
}

func (p *Provider) render(w http.ResponseWriter, name string, status int, d pageData) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	// The pages must not be framed (clickjacking of the consent button).
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action "+formAction(d.Authz)+"; frame-ancestors 'none'")
	w.WriteHeader(status)
	if err := pages.ExecuteTemplate(w, name, d); err != nil {
		p.log.Error("rendering a page failed", "page", name, "error", err)
	}
}

// renderError shows a protocol error to the user.
func (p *Provider) renderError(w http.ResponseWriter, err error) {
	e := oautherr.From(err)
	if e.Status >= 500 {
		p.log.Error("request failed", "error", err)
	}
	msg := e.Code
	if e.Description != "" {
		msg += ": " + e.Description
	}
	p.render(w, "message.html", e.Status, pageData{Title: "请求无效 · Request refused", Error: msg})
}

func (p *Provider) renderLogin(w http.ResponseWriter, r *http.Request, authz, username string, status int) {
	d := pageData{Title: "Sign in", Action: pathLogin, CSRF: p.csrfToken(w, r), Authz: authz, Username: username}
	if status != http.StatusOK {
		d.Error = "用户名或密码错误 · Wrong username or password"
	}
	p.render(w, "login.html", status, d)
}

func (p *Provider) renderConsent(w http.ResponseWriter, r *http.Request, req *authzRequest) {
	name := req.client.Name
	if name == "" {
		name = req.client.ID
	}
	p.render(w, "consent.html", http.StatusOK, pageData{
		Title: "Authorize", Action: pathConsent, CSRF: p.csrfToken(w, r), Authz: req.raw,
		Client: name, Scopes: strings.Fields(req.scope),
	})
}

// pageForm reads a form of the login or consent page, checking its CSRF
// token and the authorization request it carries (empty when the login
// page was opened on its own).
func (p *Provider) pageForm(w http.ResponseWriter, r *http.Request) (url.Values, *authzRequest, bool) {
	form, err := postForm(w, r)
	if err != nil {
		p.renderError(w, err)
		return nil, nil, false
	}
	if !csrfValid(r, form.Get("csrf_token")) {
		p.renderError(w, oautherr.ErrInvalidRequest.WithDescription("the form expired; go back and try again"))
		return nil, nil, false
	}
	if form.Get("authz") == "" {
		return form, nil, true
	}
	q, err := url.ParseQuery(form.Get("authz"))
	if err != nil {
		p.renderError(w, oautherr.ErrInvalidRequest.WithDescription("malformed authorization request"))
		return nil, nil, false
	}
	req, err := p.parseAuthz(r.Context(), q)
	if err != nil {
		p.authzFail(w, r, err)
		return nil, nil, false
	}
	return form, req, true
}

// handleLoginPage is GET /oauth2/login: signing in without a client.
func (p *Provider) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	p.renderLogin(w, r, "", "", http.StatusOK)
}

// handleLogin is POST /oauth2/login.
func (p *Provider) handleLogin(w http.ResponseWriter, r *http.Request) {
	form, req, ok := p.pageForm(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	username, password := strings.TrimSpace(form.Get("username")), form.Get("password")
	uid, err := p.checkPassword(ctx, username, password)
	if err != nil {
		p.renderError(w, err)
		return
	}
	if uid == "" {
		p.event(ctx, Event{Action: "login_failed", Actor: username, Target: "user:" + username})
		p.renderLogin(w, r, form.Get("authz"), username, http.StatusUnauthorized)
		return
	}
	s := p.sessions.start(uid)
	p.setSession(w, s)
	if req == nil {
		p.render(w, "message.html", http.StatusOK, pageData{Title: "已登录 · Signed in", Message: "您已登录。You are signed in."})
		return
	}
	p.continueAuthz(w, r, req, &s)
}

// handleConsent is POST /oauth2/consent.
func (p *Provider) handleConsent(w http.ResponseWriter, r *http.Request) {
	form, req, ok := p.pageForm(w, r)
	if !ok {
		return
	}
	if req == nil {
		p.renderError(w, oautherr.ErrInvalidRequest.WithDescription("no authorization request"))
		return
	}
	s, signedIn := p.sessions.read(r)
	if !signedIn {
		p.renderLogin(w, r, req.raw, "", http.StatusOK)
		return
	}
	if form.Get("decision") != "allow" {
		p.authzFail(w, r, &authzError{req, oautherr.ErrAccessDenied.WithDescription("the user denied the request")})
		return
	}
	if err := p.grantConsent(r, s.UserID, req); err != nil {
		p.authzFail(w, r, &authzError{req, err})
		return
	}
	p.issueCode(w, r, req, s)
}

// formAction is the CSP form-action of a page whose form carries the
// authorization request authz. Browsers apply form-action to the redirects
// that follow a form POST too, so the client's redirect URI must be allowed
// besides the provider itself; authz has been validated, so its
// redirect_uri is one the client registered.
func formAction(authz string) string {
	q, err := url.ParseQuery(authz)
	if err != nil || q.Get("redirect_uri") == "" {
		return "'self'"
	}
	u, err := url.Parse(q.Get("redirect_uri"))
	switch {
	case err != nil:
		return "'self'"
	case u.Scheme == "http" || u.Scheme == "https":
		return "'self' " + u.Scheme + "://" + u.Host
	default:
		return "'self' " + u.Scheme + ":" // a native app's private-use scheme
	}
}
