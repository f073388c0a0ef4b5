package provider

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/go-oauth2/oauth2/v4"
	oerrors "github.com/go-oauth2/oauth2/v4/errors"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/oautherr"
	"github.com/tongxing/tongxing/provider/tokens"
)

// Grant types of the token endpoint.
const (
	grantAuthorizationCode = "authorization_code"
	grantRefreshToken      = "refresh_token"
	grantClientCredentials = "client_credentials"
)

// grant is one grant type of the token endpoint: it gets an authenticated
// client that registered the grant, and returns the tokens or an error.
type grant interface {
	exchange(ctx context.Context, c *models.Client, form url.Values) (*TokenResponse, error)
}

// TokenResponse is the RFC 6749 §5.1 success document, with the OIDC
// id_token.
type TokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
}

// handleToken is POST /oauth2/token.
func (p *Provider) handleToken(w http.ResponseWriter, r *http.Request) {
	resp, err := p.token(w, r)
	if err != nil {
		if basicUsed(r) && errors.Is(err, oautherr.ErrInvalidClient) {
			w.Header().Set("WWW-Authenticate", `Basic realm="tongxing"`)
		}
		oautherr.WriteJSON(w, p.log, err)
		return
	}
	oautherr.NoStore(w.Header())
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(resp)
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) (*TokenResponse, error) {
	form, err := postForm(w, r)
	if err != nil {
		return nil, err
	}
	gt := form.Get("grant_type")
	if gt == "" {
		return nil, oautherr.ErrInvalidRequest.WithDescription("grant_type is required")
	}
	g, ok := p.grants[gt]
	if !ok {
		return nil, oautherr.ErrUnsupportedGrantType.WithDescription("grant_type " + gt + " is not supported")
	}
	c, err := p.authenticateClient(r, form)
	if err != nil {
		return nil, err
	}
	if !c.AllowsGrant(gt) {
		return nil, oautherr.ErrUnauthorizedClient.WithDescription("the client is not registered for " + gt)
	}
	return g.exchange(withClient(r.Context(), c), c, form)
}

func basicUsed(r *http.Request) bool { _, _, ok := r.BasicAuth(); return ok }

// engineError turns what go-oauth2's manager returns into a protocol error.
func engineError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, oerrors.ErrInvalidAuthorizeCode), errors.Is(err, tokens.ErrNotFound):
		return oautherr.ErrInvalidGrant.WithDescription("the code or refresh token is invalid, expired or already used").WithCause(err)
	case errors.Is(err, oerrors.ErrInvalidRedirectURI):
		return oautherr.ErrInvalidGrant.WithDescription("redirect_uri does not match the authorization request").WithCause(err)
	case errors.Is(err, oerrors.ErrMissingCodeVerifier):
		return oautherr.ErrInvalidGrant.WithDescription("code_verifier is missing or was not expected").WithCause(err)
	case errors.Is(err, oerrors.ErrInvalidCodeChallenge):
		return oautherr.ErrInvalidGrant.WithDescription("code_verifier does not match the code challenge").WithCause(err)
	case errors.Is(err, oerrors.ErrInvalidRefreshToken), errors.Is(err, oerrors.ErrExpiredRefreshToken):
		return oautherr.ErrInvalidGrant.WithDescription("the refresh token is invalid or expired").WithCause(err)
	case errors.Is(err, oerrors.ErrInvalidClient):
		return errClientAuth
	}
	return oautherr.From(err)
}

// accessLifetime is the access token lifetime of client c.
func (p *Provider) accessLifetime(c *models.Client) time.Duration {
	if c.AccessTokenLifetime > 0 {
		return time.Duration(c.AccessTokenLifetime) * time.Second
	}
	return p.life.Access
}

// respond builds the token response of ti for client c, with an id_token
// when the grant carries the openid scope and a user.
func (p *Provider) respond(c *models.Client, ti oauth2.TokenInfo, nonce string) (*TokenResponse, error) {
	resp := &TokenResponse{
		AccessToken:  ti.GetAccess(),
		TokenType:    "Bearer",
		ExpiresIn:    int64(accessExpiry(ti).Sub(p.now()).Round(time.Second) / time.Second),
		RefreshToken: ti.GetRefresh(),
		Scope:        ti.GetScope(),
	}
	if ti.GetUserID() != "" && hasScope(ti.GetScope(), scopeOpenID) {
		idt, err := p.idToken(c, ti, nonce)
		if err != nil {
			return nil, err
		}
		resp.IDToken = idt
	}
	return resp, nil
}

// userActive reports whether the user of a grant may still get tokens.
func (p *Provider) userActive(ctx context.Context, userID string) (bool, error) {
	u, err := p.userRecords.get(ctx, userID)
	if errors.Is(err, models.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return !u.Disabled, nil
}
