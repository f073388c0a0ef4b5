package provider

import (
	"context"
	"net/url"
	"strings"

	"github.com/go-oauth2/oauth2/v4"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/oautherr"
)

// clientCredentialsGrant issues a token to a confidential client for itself
// (RFC 6749 §4.4).
type clientCredentialsGrant struct{ p *Provider }

func (g clientCredentialsGrant) exchange(ctx context.Context, c *models.Client, form url.Values) (*TokenResponse, error) {
	if c.Public {
		return nil, oautherr.ErrUnauthorizedClient.WithDescription("a public client cannot use client_credentials")
	}
	scope := form.Get("scope")
	if scope == "" {
		// RFC 6749 §3.3: no scope asked means the client's registered ones;
		// user-only scopes have no meaning without a user.
		scope = joinScopes(clientOnly(c.Scopes))
	}
	scope, err := checkScopes(c, scope)
	if err != nil {
		return nil, err
	}
	for _, s := range scopes(scope) {
		if !clientOnly([]string{s}).Contains(s) {
			return nil, oautherr.ErrInvalidScope.WithDescription("scope " + s + " needs a user")
		}
	}
	ti, err := g.p.engine.GenerateAccessToken(ctx, oauth2.ClientCredentials, &oauth2.TokenGenerateRequest{
		ClientID: c.ID, Scope: scope, AccessTokenExp: g.p.accessLifetime(c),
	})
	if err != nil {
		return nil, engineError(err)
	}
	return g.p.respond(c, ti, "")
}

// clientOnly drops the scopes that only make sense with a user.
func clientOnly(list []string) models.StringList {
	var out models.StringList
	for _, s := range list {
		switch s {
		case scopeOpenID, scopeProfile, scopeEmail, scopePhone, scopeOffline:
		default:
			out = append(out, s)
		}
	}
	return out
}

func joinScopes(list []string) string { return strings.Join(list, " ") }
