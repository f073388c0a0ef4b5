package provider

import (
	"context"
	"net/url"
	"regexp"

	"github.com/go-oauth2/oauth2/v4"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/oautherr"
	"github.com/tongxing/tongxing/provider/tokens"
)

// verifierSyntax is RFC 7636 §4.1's code_verifier ABNF.
var verifierSyntax = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)

// codeGrant redeems an authorization code (RFC 6749 §4.1.3, RFC 7636 §4.5).
type codeGrant struct{ p *Provider }

func (g codeGrant) exchange(ctx context.Context, c *models.Client, form url.Values) (*TokenResponse, error) {
	code, redirect, verifier := form.Get("code"), form.Get("redirect_uri"), form.Get("code_verifier")
	switch {
	case code == "":
		return nil, oautherr.ErrInvalidRequest.WithDescription("code is required")
	case redirect == "":
		return nil, oautherr.ErrInvalidRequest.WithDescription("redirect_uri is required")
	case verifier != "" && !verifierSyntax.MatchString(verifier):
		return nil, oautherr.ErrInvalidRequest.WithDescription("code_verifier is malformed")
	case tokens.IsRef(code):
		return nil, oautherr.ErrInvalidGrant.WithDescription("the code or refresh token is invalid, expired or already used")
	}
	p := g.p
	// Codes the compat layer issues answer legacy calls; they are not
	// authorization codes a client may trade for tokens here. The check
	// comes before the engine, which would use the code up.
	if ti, err := p.tokens.GetByCode(ctx, code); err != nil {
		return nil, err
	} else if ti != nil && tokens.Extension(ti, tokens.ExtGrant) != grantAuthorizationCode {
		return nil, oautherr.ErrInvalidGrant.WithDescription("the code or refresh token is invalid, expired or already used")
	}
	// The manager checks client, redirect URI, expiry and PKCE, and its
	// removal of the code through the store is atomic: of two concurrent
	// redemptions only one gets past it.
	ti, err := p.engine.GenerateAccessToken(ctx, oauth2.AuthorizationCode, &oauth2.TokenGenerateRequest{
		ClientID:     c.ID,
		RedirectURI:  redirect,
		Code:         code,
		CodeVerifier: verifier,
	})
	if err != nil {
		p.revokeIfReplayed(ctx, code, "code_reused")
		return nil, engineError(err)
	}
	if ok, err := p.userActive(ctx, ti.GetUserID()); err != nil || !ok {
		_ = p.tokens.RevokeFamily(ctx, tokens.Family(ti))
		if err != nil {
			return nil, err
		}
		return nil, oautherr.ErrInvalidGrant.WithDescription("the user is disabled")
	}
	return p.respond(c, ti, tokens.Extension(ti, tokens.ExtNonce))
}

// revokeIfReplayed revokes everything issued from a code or refresh token
// that was already redeemed (RFC 6749 §4.1.2, RFC 9700 §4.14.2): a second
// use means one of the two users is an attacker.
func (p *Provider) revokeIfReplayed(ctx context.Context, value, event string) {
	fam, err := p.tokens.Consumed(ctx, value)
	if err != nil || fam == "" {
		return
	}
	p.event(ctx, Event{Action: event, Target: "family:" + fam, Detail: "the grant was revoked"})
	if err := p.tokens.RevokeFamily(ctx, fam); err != nil {
		p.log.ErrorContext(ctx, "revoking a replayed grant failed", "error", err)
	}
}
