package provider

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/oautherr"
	"github.com/tongxing/tongxing/provider/tokens"
)

func writeJSON(w http.ResponseWriter, v any) {
	oautherr.NoStore(w.Header())
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

// bearer returns the access token of a protected resource request: the
// Authorization header (RFC 6750 §2.1) or, in a form POST, the
// access_token field (§2.2). Never the query string (§2.3: it leaks).
func bearer(w http.ResponseWriter, r *http.Request) (string, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
			return "", oautherr.ErrInvalidRequest.WithDescription("malformed Authorization header")
		}
		return strings.TrimSpace(tok), nil
	}
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		form, err := postForm(w, r)
		if err != nil {
			return "", err
		}
		return form.Get("access_token"), nil
	}
	return "", nil
}

// handleUserinfo is GET and POST /userinfo (OIDC Core §5.3).
func (p *Provider) handleUserinfo(w http.ResponseWriter, r *http.Request) {
	tok, err := bearer(w, r)
	if err != nil {
		oautherr.WriteBearer(w, p.log, err)
		return
	}
	if tok == "" {
		oautherr.WriteBearerMissing(w)
		return
	}
	claims, err := p.userinfo(r, tok)
	if err != nil {
		oautherr.WriteBearer(w, p.log, err)
		return
	}
	writeJSON(w, claims)
}

func (p *Provider) userinfo(r *http.Request, tok string) (*userinfoClaims, error) {
	g, err := p.checkAccess(r.Context(), tok)
	if err != nil {
		return nil, err
	}
	if g.user == nil || !hasScope(g.ti.GetScope(), scopeOpenID) {
		return nil, oautherr.ErrInsufficientScope.WithDescription("the token carries no openid scope of a user")
	}
	return userClaims(g.user, g.ti.GetScope()), nil
}

// userinfoClaims is the UserInfo response (OIDC Core §5.3.2). A struct
// rather than a map: userinfo is on the hot path of every resource
// server, and encoding a map sorts its keys and reflects on each value.
type userinfoClaims struct {
	Sub                 string  `json:"sub"`
	PreferredUsername   string  `json:"preferred_username,omitempty"`
	Name                string  `json:"name,omitempty"`
	Nickname            string  `json:"nickname,omitempty"`
	Picture             string  `json:"picture,omitempty"`
	Gender              string  `json:"gender,omitempty"`
	UpdatedAt           *int64  `json:"updated_at,omitempty"`
	Email               *string `json:"email,omitempty"`
	EmailVerified       *bool   `json:"email_verified,omitempty"`
	PhoneNumber         *string `json:"phone_number,omitempty"`
	PhoneNumberVerified *bool   `json:"phone_number_verified,omitempty"`
}

// userClaims are the standard claims of u that scope releases (OIDC Core
// §5.4).
func userClaims(u *models.User, scope string) *userinfoClaims {
	c := &userinfoClaims{Sub: u.ID}
	if hasScope(scope, scopeProfile) {
		c.PreferredUsername = u.Username
		if !u.UpdatedAt.IsZero() {
			updated := u.UpdatedAt.Unix()
			c.UpdatedAt = &updated
		}
		c.Name, c.Nickname, c.Picture = u.RealName, u.Nickname, u.Avatar
		switch u.Sex {
		case 1:
			c.Gender = "male"
		case 2:
			c.Gender = "female"
		}
	}
	// Tongxing does not verify addresses or numbers, and says so rather
	// than leaving relying parties to guess.
	unverified := false
	if hasScope(scope, scopeEmail) && u.Email != nil {
		c.Email, c.EmailVerified = u.Email, &unverified
	}
	if hasScope(scope, scopePhone) && u.Phone != nil {
		c.PhoneNumber, c.PhoneNumberVerified = u.Phone, &unverified
	}
	return c
}

// introspection is the RFC 7662 §2.2 response.
type introspection struct {
	Active    bool   `json:"active"`
	Scope     string `json:"scope,omitempty"`
	ClientID  string `json:"client_id,omitempty"`
	Username  string `json:"username,omitempty"`
	TokenType string `json:"token_type,omitempty"`
	Exp       int64  `json:"exp,omitempty"`
	Iat       int64  `json:"iat,omitempty"`
	Sub       string `json:"sub,omitempty"`
	Aud       string `json:"aud,omitempty"`
	Iss       string `json:"iss,omitempty"`
}

// handleIntrospect is POST /oauth2/introspect (RFC 7662). Any
// authenticated confidential client (a resource server) may ask.
func (p *Provider) handleIntrospect(w http.ResponseWriter, r *http.Request) {
	resp, err := p.introspect(w, r)
	if err != nil {
		if basicUsed(r) && errors.Is(err, oautherr.ErrInvalidClient) {
			w.Header().Set("WWW-Authenticate", `Basic realm="tongxing"`)
		}
		oautherr.WriteJSON(w, p.log, err)
		return
	}
	writeJSON(w, resp)
}

func (p *Provider) introspect(w http.ResponseWriter, r *http.Request) (*introspection, error) {
	form, err := postForm(w, r)
	if err != nil {
		return nil, err
	}
	c, err := p.authenticateClient(r, form)
	if err != nil {
		return nil, err
	}
	if c.Public {
		return nil, oautherr.ErrUnauthorizedClient.WithDescription("public clients cannot introspect")
	}
	tok := form.Get("token")
	if tok == "" {
		return nil, oautherr.ErrInvalidRequest.WithDescription("token is required")
	}
	ctx := r.Context()
	check := []func(context.Context, string) (liveGrant, error){p.checkAccess, p.checkRefresh}
	kinds := []string{"access_token", "refresh_token"}
	if form.Get("token_type_hint") == "refresh_token" {
		check[0], check[1] = check[1], check[0]
		kinds[0], kinds[1] = kinds[1], kinds[0]
	}
	for i, f := range check {
		g, err := f(ctx, tok)
		if errors.Is(err, errTokenInactive) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return p.describe(g, kinds[i]), nil
	}
	// RFC 7662 §2.2: an unknown, expired or revoked token is just inactive.
	return &introspection{Active: false}, nil
}

func (p *Provider) describe(g liveGrant, kind string) *introspection {
	ti := g.ti
	out := &introspection{
		Active: true, Scope: ti.GetScope(), ClientID: ti.GetClientID(), Sub: ti.GetUserID(),
		Aud: ti.GetClientID(), Iss: p.issuer, TokenType: "Bearer",
	}
	if kind == "access_token" {
		out.Iat, out.Exp = ti.GetAccessCreateAt().Unix(), accessExpiry(ti).Unix()
	} else {
		out.TokenType = "refresh_token"
		out.Iat = ti.GetRefreshCreateAt().Unix()
		if ti.GetRefreshExpiresIn() > 0 {
			out.Exp = ti.GetRefreshCreateAt().Add(ti.GetRefreshExpiresIn()).Unix()
		}
	}
	if g.user != nil {
		out.Username = g.user.Username
	} else {
		out.Sub = ti.GetClientID()
	}
	return out
}

// handleRevoke is POST /oauth2/revoke (RFC 7009).
func (p *Provider) handleRevoke(w http.ResponseWriter, r *http.Request) {
	if err := p.revoke(w, r); err != nil {
		if basicUsed(r) && errors.Is(err, oautherr.ErrInvalidClient) {
			w.Header().Set("WWW-Authenticate", `Basic realm="tongxing"`)
		}
		oautherr.WriteJSON(w, p.log, err)
		return
	}
	oautherr.NoStore(w.Header())
	w.WriteHeader(http.StatusOK)
}

func (p *Provider) revoke(w http.ResponseWriter, r *http.Request) error {
	form, err := postForm(w, r)
	if err != nil {
		return err
	}
	c, err := p.authenticateClient(r, form)
	if err != nil {
		return err
	}
	tok := form.Get("token")
	if tok == "" {
		return oautherr.ErrInvalidRequest.WithDescription("token is required")
	}
	if tokens.IsRef(tok) {
		return nil
	}
	ctx := r.Context()
	if ti, err := p.tokens.GetByRefresh(ctx, tok); err != nil {
		return err
	} else if ti != nil {
		if ti.GetClientID() != c.ID {
			return oautherr.ErrUnauthorizedClient.WithDescription("the token was issued to another client")
		}
		// RFC 7009 §2.1: revoking a refresh token revokes its grant.
		p.event(ctx, Event{Action: "token_revoked", Actor: c.ID, Target: "family:" + tokens.Family(ti), Detail: "refresh_token"})
		return p.tokens.RevokeFamily(ctx, tokens.Family(ti))
	}
	ti, err := p.tokens.GetByAccess(ctx, tok)
	if err != nil || ti == nil {
		return err // RFC 7009 §2.2: an unknown token is not an error
	}
	if ti.GetClientID() != c.ID {
		return oautherr.ErrUnauthorizedClient.WithDescription("the token was issued to another client")
	}
	p.event(ctx, Event{Action: "token_revoked", Actor: c.ID, Target: "client:" + c.ID, Detail: "access_token"})
	return p.tokens.RemoveByAccess(ctx, tok)
}
