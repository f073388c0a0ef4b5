package provider

import (
	"context"
	"errors"
	"net/url"

	"github.com/go-oauth2/oauth2/v4"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/oautherr"
	"github.com/tongxing/tongxing/provider/tokens"
)

// refreshGrant rotates a refresh token (RFC 6749 §6, RFC 9700 §4.14.2).
//
// The library's RefreshAccessToken neither authenticates the client nor
// bounds the scope; both are checked here first. Rotation is single-use
// through the store's atomic removal; a refresh token presented after its
// rotation revokes its whole family.
type refreshGrant struct{ p *Provider }

func (g refreshGrant) exchange(ctx context.Context, c *models.Client, form url.Values) (*TokenResponse, error) {
	p := g.p
	refresh := form.Get("refresh_token")
	if refresh == "" {
		return nil, oautherr.ErrInvalidRequest.WithDescription("refresh_token is required")
	}
	if tokens.IsRef(refresh) {
		return nil, oautherr.ErrInvalidGrant.WithDescription("the refresh token is invalid or expired")
	}
	old, err := p.engine.LoadRefreshToken(ctx, refresh)
	if err != nil {
		p.revokeIfReplayed(ctx, refresh, "refresh_token_reused")
		return nil, engineError(err)
	}
	if old.GetClientID() != c.ID {
		p.event(ctx, Event{Action: "refresh_token_wrong_client", Actor: c.ID, Target: "client:" + old.GetClientID()})
		return nil, oautherr.ErrInvalidGrant.WithDescription("the refresh token was issued to another client")
	}
	scope := form.Get("scope")
	if scope != "" && !subset(scope, old.GetScope()) {
		return nil, oautherr.ErrInvalidScope.WithDescription("the requested scope exceeds the original grant")
	}
	if uid := old.GetUserID(); uid != "" {
		if ok, err := p.userActive(ctx, uid); err != nil {
			return nil, err
		} else if !ok {
			_ = p.tokens.RevokeFamily(ctx, tokens.Family(old))
			return nil, oautherr.ErrInvalidGrant.WithDescription("the user is disabled")
		}
	}
	ti, err := p.engine.RefreshAccessToken(ctx, &oauth2.TokenGenerateRequest{
		ClientID: c.ID, Refresh: refresh, Scope: scopeList(scope),
	})
	if errors.Is(err, tokens.ErrNotFound) {
		// Another request rotated this token between our load and its
		// removal: the token was used twice.
		p.event(ctx, Event{Action: "refresh_token_reused", Actor: c.ID, Target: "family:" + tokens.Family(old), Detail: "concurrent rotation; the grant was revoked"})
		_ = p.tokens.RevokeFamily(ctx, tokens.Family(old))
	}
	if err != nil {
		return nil, engineError(err)
	}
	return p.respond(c, ti, "")
}

// scopeList normalises a scope parameter.
func scopeList(s string) string {
	if s == "" {
		return ""
	}
	return joinScopes(scopes(s))
}
