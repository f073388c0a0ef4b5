package provider

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-oauth2/oauth2/v4"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/oautherr"
	"github.com/tongxing/tongxing/provider/tokens"
)

// challengeSyntax is an S256 code_challenge: a base64url SHA-256.
var challengeSyntax = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// authzRequest is a validated authorization request (RFC 6749 §4.1.1, OIDC
// Core §3.1.2.1). raw is its query, carried through the login and consent
// forms and validated again when they come back.
type authzRequest struct {
	raw       string
	client    *models.Client
	redirect  string
	state     string
	scope     string
	nonce     string
	challenge string
	prompt    []string
	maxAge    int64 // -1 when absent
}

// authzError is an error to send back to the client's redirect URI; any
// other error is shown to the user, because the redirect URI is not known
// to be the client's.
type authzError struct {
	req *authzRequest
	err error
}

func (e *authzError) Error() string { return e.err.Error() }

// parseAuthz validates an authorization request's parameters.
func (p *Provider) parseAuthz(ctx context.Context, q url.Values) (*authzRequest, error) {
	if err := single(q); err != nil {
		return nil, err
	}
	id := q.Get("client_id")
	if id == "" {
		return nil, oautherr.ErrInvalidRequest.WithDescription("client_id is required")
	}
	c, err := p.clients.Get(ctx, id)
	if errors.Is(err, models.ErrNotFound) || err == nil && !c.Enabled {
		// Shown to the user (RFC 6749 §4.1.2.1), so a page status, not 401.
		return nil, oautherr.ErrInvalidRequest.WithDescription("unknown or disabled client")
	}
	if err != nil {
		return nil, err
	}
	redirect := q.Get("redirect_uri")
	if redirect == "" || !c.RedirectURIs.Contains(redirect) {
		// Never redirect to a URI the client did not register.
		return nil, oautherr.ErrInvalidRequest.WithDescription("redirect_uri is missing or not registered for this client")
	}
	req := &authzRequest{raw: q.Encode(), client: c, redirect: redirect, state: q.Get("state"), nonce: q.Get("nonce"), maxAge: -1}
	fail := func(e error) (*authzRequest, error) { return nil, &authzError{req, e} }

	switch rt := q.Get("response_type"); {
	case rt == "":
		return fail(oautherr.ErrInvalidRequest.WithDescription("response_type is required"))
	case rt != "code":
		// Only the code flow: implicit and hybrid responses put tokens in
		// URLs (RFC 9700 §2.1.2).
		return fail(oautherr.ErrUnsupportedResponseType.WithDescription("only response_type=code is supported"))
	}
	if !c.AllowsGrant(grantAuthorizationCode) {
		return fail(oautherr.ErrUnauthorizedClient.WithDescription("the client is not registered for the authorization code grant"))
	}
	if q.Has("request") || q.Has("request_uri") {
		return fail(&oautherr.Error{Code: "request_not_supported", Status: http.StatusBadRequest})
	}
	if req.scope, err = checkScopes(c, q.Get("scope")); err != nil {
		return fail(err)
	}
	if err := req.parsePKCE(q); err != nil {
		return fail(err)
	}
	req.prompt = strings.Fields(q.Get("prompt"))
	for _, pr := range req.prompt {
		if !slices.Contains([]string{"none", "login", "consent", "select_account"}, pr) {
			return fail(oautherr.ErrInvalidRequest.WithDescription("unknown prompt value " + pr))
		}
	}
	if req.prompted("none") && len(req.prompt) > 1 {
		return fail(oautherr.ErrInvalidRequest.WithDescription("prompt=none cannot be combined with other values"))
	}
	if s := q.Get("max_age"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return fail(oautherr.ErrInvalidRequest.WithDescription("max_age must be a non-negative integer"))
		}
		req.maxAge = n
	}
	return req, nil
}

// parsePKCE reads the code challenge (RFC 7636 §4.3). Only S256 is
// offered: plain gives no protection against a leaked request, so a
// challenge without a method is refused rather than taken as plain.
func (req *authzRequest) parsePKCE(q url.Values) error {
	ch, method := q.Get("code_challenge"), q.Get("code_challenge_method")
	switch {
	case ch == "" && method != "":
		return oautherr.ErrInvalidRequest.WithDescription("code_challenge_method without code_challenge")
	case ch == "" && req.client.Public:
		return oautherr.ErrInvalidRequest.WithDescription("PKCE with S256 is required for public clients")
	case ch == "":
		return nil
	case method != "S256":
		return oautherr.ErrInvalidRequest.WithDescription("code_challenge_method must be S256")
	case !challengeSyntax.MatchString(ch):
		return oautherr.ErrInvalidRequest.WithDescription("code_challenge is malformed")
	}
	req.challenge = ch
	return nil
}

func (req *authzRequest) prompted(v string) bool { return slices.Contains(req.prompt, v) }

// authTooOld reports whether max_age asks for a newer sign-in than s.
// max_age=0 always does, as prompt=login would.
func (req *authzRequest) authTooOld(s session, now time.Time) bool {
	return req.maxAge == 0 || req.maxAge > 0 && now.Unix()-s.AuthTime > req.maxAge
}

// handleAuthorize is GET and POST /oauth2/authorize.
func (p *Provider) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	q, err := queryOrForm(w, r)
	if err != nil {
		p.renderError(w, err)
		return
	}
	req, err := p.parseAuthz(r.Context(), q)
	if err != nil {
		p.authzFail(w, r, err)
		return
	}
	p.continueAuthz(w, r, req, nil)
}

// continueAuthz takes a valid request as far as it can go: to the login
// page, the consent page, or the client with a code. fresh is the session
// the user has just started for this request, nil when there is none: its
// cookie is only on the response, and the request may still carry an
// older session's.
func (p *Provider) continueAuthz(w http.ResponseWriter, r *http.Request, req *authzRequest, fresh *session) {
	ctx := r.Context()
	s, ok := p.sessions.read(r)
	if fresh != nil {
		s, ok = *fresh, true
	}
	var user *models.User
	if ok {
		u, err := p.users.Get(ctx, s.UserID)
		switch {
		case errors.Is(err, models.ErrNotFound):
			ok = false
		case err != nil:
			p.authzFail(w, r, &authzError{req, err})
			return
		case !s.honoured(u):
			ok = false
		default:
			user = u
		}
	}
	needLogin := !ok || fresh == nil && (req.prompted("login") || req.authTooOld(s, p.now()))
	if needLogin {
		if req.prompted("none") {
			p.authzFail(w, r, &authzError{req, oautherr.ErrLoginRequired})
			return
		}
		p.renderLogin(w, r, req.raw, "", http.StatusOK)
		return
	}
	consented, err := p.consented(ctx, user.ID, req)
	if err != nil {
		p.authzFail(w, r, &authzError{req, err})
		return
	}
	if !consented {
		if req.prompted("none") {
			p.authzFail(w, r, &authzError{req, oautherr.ErrConsentRequired})
			return
		}
		p.renderConsent(w, r, req)
		return
	}
	p.mintCode(w, r, req, s)
}

// consented reports whether the user granted the client every requested
// scope before (and was not asked to consent again).
func (p *Provider) consented(ctx context.Context, uid string, req *authzRequest) (bool, error) {
	if req.prompted("consent") {
		return false, nil
	}
	c, err := p.consents.Get(ctx, uid, req.client.ID)
	if errors.Is(err, models.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return subset(req.scope, strings.Join(c.Scopes, " ")), nil
}

// issueCode sends the user of session s back to the client with a code,
// once it has checked that the user still honours the session: they may
// have been disabled or signed out everywhere since the page that led here
// was shown. A session no longer honoured gets the login page.
func (p *Provider) issueCode(w http.ResponseWriter, r *http.Request, req *authzRequest, s session) {
	u, err := p.users.Get(r.Context(), s.UserID)
	switch {
	case errors.Is(err, models.ErrNotFound) || err == nil && !s.honoured(u):
		p.renderLogin(w, r, req.raw, "", http.StatusOK)
		return
	case err != nil:
		p.authzFail(w, r, &authzError{req, err})
		return
	}
	p.mintCode(w, r, req, s)
}

// mintCode sends the user back to the client with a code; the caller has
// checked the session.
func (p *Provider) mintCode(w http.ResponseWriter, r *http.Request, req *authzRequest, s session) {
	ext := url.Values{}
	ext.Set(tokens.ExtAuthTime, strconv.FormatInt(s.AuthTime, 10))
	ext.Set(tokens.ExtSession, s.ID)
	ext.Set(tokens.ExtGrant, grantAuthorizationCode)
	if req.nonce != "" {
		ext.Set(tokens.ExtNonce, req.nonce)
	}
	tgr := &oauth2.TokenGenerateRequest{
		ClientID:       req.client.ID,
		UserID:         s.UserID,
		RedirectURI:    req.redirect,
		Scope:          req.scope,
		AccessTokenExp: p.accessLifetime(req.client),
		Request:        withExtension(r, ext),
	}
	if req.challenge != "" {
		tgr.CodeChallenge = req.challenge
		tgr.CodeChallengeMethod = oauth2.CodeChallengeS256
	}
	ti, err := p.engine.GenerateAuthToken(withClient(r.Context(), req.client), oauth2.Code, tgr)
	if err != nil {
		p.authzFail(w, r, &authzError{req, engineError(err)})
		return
	}
	u, _ := url.Parse(req.redirect) // registered URIs parse
	v := u.Query()
	v.Set("code", ti.GetCode())
	if req.state != "" {
		v.Set("state", req.state)
	}
	v.Set("iss", p.issuer) // RFC 9207: lets the client detect mix-up
	u.RawQuery = v.Encode()
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}

// authzFail redirects an error to the client when its redirect URI is
// known good, and shows it to the user otherwise.
func (p *Provider) authzFail(w http.ResponseWriter, r *http.Request, err error) {
	var ae *authzError
	if errors.As(err, &ae) {
		e := oautherr.From(ae.err)
		if e.Status >= 500 {
			p.log.ErrorContext(r.Context(), "authorization failed", "error", ae.err)
		}
		http.Redirect(w, r, oautherr.RedirectQuery(ae.req.redirect, e, ae.req.state, p.issuer), http.StatusSeeOther)
		return
	}
	p.renderError(w, err)
}

// extensionKey carries token extension values through go-oauth2's
// TokenGenerateRequest, whose only open field is the HTTP request.
type extensionKey struct{}

func withExtension(r *http.Request, ext url.Values) *http.Request {
	if r == nil {
		r = &http.Request{}
	}
	return r.WithContext(context.WithValue(r.Context(), extensionKey{}, ext))
}

func requestExtension(tgr *oauth2.TokenGenerateRequest) url.Values {
	if tgr.Request == nil {
		return nil
	}
	ext, _ := tgr.Request.Context().Value(extensionKey{}).(url.Values)
	return ext
}
