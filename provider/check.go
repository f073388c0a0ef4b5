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

// liveGrant is a token that passed every check, with the records the
// checks loaded, so callers need not read them again.
type liveGrant struct {
	ti     oauth2.TokenInfo
	client *models.Client
	user   *models.User // nil for a client's own token
}

// checkAccess returns the live grant of an access token: stored, not
// expired by the provider's clock, its client enabled and its user (if any)
// enabled. Any failure is invalid_token; only store errors are other.
func (p *Provider) checkAccess(ctx context.Context, token string) (liveGrant, error) {
	if token == "" || tokens.IsRef(token) {
		return liveGrant{}, errTokenInactive
	}
	ti, err := p.tokens.GetByAccess(ctx, token)
	if err != nil {
		return liveGrant{}, err
	}
	if ti == nil || ti.GetAccess() != token || !accessExpiry(ti).After(p.now()) {
		return liveGrant{}, errTokenInactive
	}
	return p.checkGrant(ctx, ti)
}

// checkRefresh is checkAccess for a refresh token.
func (p *Provider) checkRefresh(ctx context.Context, token string) (liveGrant, error) {
	if token == "" || tokens.IsRef(token) {
		return liveGrant{}, errTokenInactive
	}
	ti, err := p.tokens.GetByRefresh(ctx, token)
	if err != nil {
		return liveGrant{}, err
	}
	if ti == nil || ti.GetRefresh() != token || refreshExpired(ti, p.now().Unix()) {
		return liveGrant{}, errTokenInactive
	}
	return p.checkGrant(ctx, ti)
}

func refreshExpired(ti oauth2.TokenInfo, now int64) bool {
	exp := ti.GetRefreshExpiresIn()
	return exp != 0 && ti.GetRefreshCreateAt().Add(exp).Unix() <= now
}

// checkGrant checks that the client and user of a token may still use it:
// both enabled, and the client's token generation the one the token was
// issued under.
func (p *Provider) checkGrant(ctx context.Context, ti oauth2.TokenInfo) (liveGrant, error) {
	c, err := p.clientRecords.get(ctx, ti.GetClientID())
	if errors.Is(err, models.ErrNotFound) {
		return liveGrant{}, errTokenInactive
	}
	if err != nil {
		return liveGrant{}, err
	}
	if !c.Enabled || tokens.Extension(ti, tokens.ExtClientGeneration) != c.TokenGeneration {
		return liveGrant{}, errTokenInactive
	}
	g := liveGrant{ti: ti, client: c}
	if uid := ti.GetUserID(); uid != "" {
		u, err := p.userRecords.get(ctx, uid)
		if errors.Is(err, models.ErrNotFound) {
			return liveGrant{}, errTokenInactive
		}
		if err != nil {
			return liveGrant{}, err
		}
		if u.Disabled {
			return liveGrant{}, errTokenInactive
		}
		g.user = u
	}
	return g, nil
}
