package provider

import (
	"context"
	"errors"

	"github.com/go-oauth2/oauth2/v4"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/oautherr"
	"github.com/tongxing/tongxing/provider/tokens"
)

var errTokenInactive = oautherr.ErrInvalidToken.WithDescription("the access token is invalid, expired or revoked")

// checkAccess returns the live grant of an access token: stored, not
// expired by the provider's clock, its client enabled and its user (if any)
// enabled. Any failure is invalid_token; only store errors are other.
func (p *Provider) checkAccess(ctx context.Context, token string) (oauth2.TokenInfo, *models.Client, error) {
	if token == "" || tokens.IsRef(token) {
		return nil, nil, errTokenInactive
	}
	ti, err := p.tokens.GetByAccess(ctx, token)
	if err != nil {
		return nil, nil, err
	}
	if ti == nil || ti.GetAccess() != token || !accessExpiry(ti).After(p.now()) {
		return nil, nil, errTokenInactive
	}
	return p.checkGrant(ctx, ti)
}

// checkRefresh is checkAccess for a refresh token.
func (p *Provider) checkRefresh(ctx context.Context, token string) (oauth2.TokenInfo, *models.Client, error) {
	if token == "" || tokens.IsRef(token) {
		return nil, nil, errTokenInactive
	}
	ti, err := p.tokens.GetByRefresh(ctx, token)
	if err != nil {
		return nil, nil, err
	}
	if ti == nil || ti.GetRefresh() != token || refreshExpired(ti, p.now().Unix()) {
		return nil, nil, errTokenInactive
	}
	return p.checkGrant(ctx, ti)
}

func refreshExpired(ti oauth2.TokenInfo, now int64) bool {
	exp := ti.GetRefreshExpiresIn()
	return exp != 0 && ti.GetRefreshCreateAt().Add(exp).Unix() <= now
}

// checkGrant checks that the client and user of a token may still use it.
func (p *Provider) checkGrant(ctx context.Context, ti oauth2.TokenInfo) (oauth2.TokenInfo, *models.Client, error) {
	c, err := p.clients.Get(ctx, ti.GetClientID())
	if errors.Is(err, models.ErrNotFound) {
		return nil, nil, errTokenInactive
	}
	if err != nil {
		return nil, nil, err
	}
	if !c.Enabled {
		return nil, nil, errTokenInactive
	}
	if uid := ti.GetUserID(); uid != "" {
		ok, err := p.userActive(ctx, uid)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			return nil, nil, errTokenInactive
		}
	}
	return ti, c, nil
}
