package provider

import (
	"context"
	"errors"
	"net/url"
	"time"

	"github.com/go-oauth2/oauth2/v4"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/oautherr"
	"github.com/tongxing/tongxing/provider/tokens"
)

// This file is the provider's Go API for the compat layer: every legacy
// call becomes one of these, so the codes and tokens it hands out are real
// grants of the core, visible to introspection and revocation.

// Grant is a token the provider issued or checked.
type Grant struct {
	oauth2.TokenInfo
}

// Family is the grant family of the token.
func (g Grant) Family() string { return tokens.Family(g.TokenInfo) }

// AccessExpiry is when the access token expires.
func (g Grant) AccessExpiry() time.Time { return accessExpiry(g.TokenInfo) }

// ErrInactive is returned for an unknown, expired or revoked token.
var ErrInactive = errTokenInactive

// AuthenticateClient checks a client's ID and secret (or, for a public
// client, just its ID) as the token endpoint would. Failures are
// oautherr.ErrInvalidClient.
func (p *Provider) AuthenticateClient(ctx context.Context, id, secret string) (*models.Client, error) {
	c, err := p.clientRecords.get(ctx, id)
	switch {
	case err == nil && p.clientAccepts(c, secret, registeredMethod(c)):
		return c, nil
	case err == nil:
		// checkClient reads the record afresh before it refuses.
		c, err = p.checkClient(ctx, id, secret, registeredMethod(c))
	case errors.Is(err, models.ErrNotFound):
		err = errClientAuth
	default:
		return nil, err
	}
	if err != nil && errors.Is(err, oautherr.ErrInvalidClient) {
		p.event(ctx, Event{Action: "client_auth_failed", Actor: id, Target: "client:" + id})
	}
	return c, err
}

// CheckAccessToken returns the live grant of an access token, or
// ErrInactive. The grant's client and user are checked as for userinfo.
func (p *Provider) CheckAccessToken(ctx context.Context, token string) (Grant, *models.Client, error) {
	g, err := p.checkAccess(ctx, token)
	return Grant{g.ti}, g.client, err
}

// CodeRequest asks for an authorization code outside the browser flow, for
// a client an admin allowed to receive codes for users who are already
// signed in to it (consent is implied by that allowance).
type CodeRequest struct {
	Client   *models.Client
	UserID   string
	Scope    string
	Lifetime time.Duration
	// AuthTime is when the user signed in; zero means now.
	AuthTime time.Time
	// Grant names the legacy grant for the record (tokens.ExtGrant).
	Grant string
	// Retain keeps the code stored this long after it expires, so that
	// LookupCode can still tell an expired code from an unknown one.
	Retain time.Duration
	// Format is the code's shape.
	Format CodeFormat
}

// CodeFormat is the shape of a code.
type CodeFormat int

// Code shapes.
const (
	CodeFormatDefault CodeFormat = iota // 256 random bits, 43 base64url characters
	CodeFormatHex40                     // 160 random bits, 40 lower-case hex digits
)

// IssueCode issues an authorization code with the engine's own machinery,
// bound to the client and user and stored like any other code.
func (p *Provider) IssueCode(ctx context.Context, req CodeRequest) (Grant, error) {
	if req.Client == nil || req.UserID == "" || req.Lifetime <= 0 {
		return Grant{}, errors.New("provider: a code needs a client, a user and a lifetime")
	}
	at := req.AuthTime
	if at.IsZero() {
		at = p.now()
	}
	ext := url.Values{}
	ext.Set(tokens.ExtAuthTime, unixString(at))
	ext.Set(tokens.ExtGrant, req.Grant)
	ext.Set(extCodeLifetime, req.Lifetime.String())
	if req.Retain > 0 {
		ext.Set(extCodeRetain, req.Retain.String())
	}
	if req.Format == CodeFormatHex40 {
		ext.Set(extCodeFormat, "hex40")
	}
	// The engine reads its code lifetime from one setting; codeGenerator
	// applies these options to the record before it is stored.
	ti, err := p.engine.GenerateAuthToken(withClient(ctx, req.Client), oauth2.Code, &oauth2.TokenGenerateRequest{
		ClientID:       req.Client.ID,
		UserID:         req.UserID,
		Scope:          req.Scope,
		AccessTokenExp: p.accessLifetime(req.Client),
		Request:        withExtension(nil, ext),
	})
	if err != nil {
		return Grant{}, engineError(err)
	}
	return Grant{ti}, nil
}

// LookupCode returns the stored code, without redeeming it, or ErrInactive
// when it is unknown or expired.
func (p *Provider) LookupCode(ctx context.Context, code string) (Grant, error) {
	if code == "" || tokens.IsRef(code) {
		return Grant{}, ErrInactive
	}
	ti, err := p.tokens.GetByCode(ctx, code)
	if err != nil {
		return Grant{}, err
	}
	if ti == nil || ti.GetCode() != code {
		return Grant{}, ErrInactive
	}
	return Grant{ti}, nil
}

// CodeExpired reports whether a looked-up code has expired by the
// provider's clock (a retained code is looked up after it expires).
func (p *Provider) CodeExpired(g Grant) bool {
	if end := tokens.Extension(g.TokenInfo, ExtCodeExpiry); end != "" {
		return unix(end) <= p.now().Unix()
	}
	return !g.GetCodeCreateAt().Add(g.GetCodeExpiresIn()).After(p.now())
}

// TokenRequest asks for an access token of a grant the compat layer speaks
// for. Unlike the library's custom grant types, which get no lifetime and
// so never expire, every token here has one.
type TokenRequest struct {
	Client   *models.Client
	UserID   string
	Scope    string
	Grant    string        // the legacy grant's name, kept in the record
	Lifetime time.Duration // zero means the client's access token lifetime
}

// IssueToken issues an access token for a client (and user, if given).
func (p *Provider) IssueToken(ctx context.Context, req TokenRequest) (Grant, error) {
	if req.Client == nil || req.Grant == "" {
		return Grant{}, errors.New("provider: a token needs a client and a grant name")
	}
	life := req.Lifetime
	if life <= 0 {
		life = p.accessLifetime(req.Client)
	}
	ext := url.Values{}
	ext.Set(tokens.ExtGrant, req.Grant)
	if req.UserID != "" {
		ext.Set(tokens.ExtAuthTime, unixString(p.now()))
	}
	ti, err := p.engine.GenerateAccessToken(withClient(ctx, req.Client), oauth2.GrantType(req.Grant), &oauth2.TokenGenerateRequest{
		ClientID:       req.Client.ID,
		UserID:         req.UserID,
		Scope:          req.Scope,
		AccessTokenExp: life,
		Request:        withExtension(nil, ext),
	})
	if err != nil {
		return Grant{}, engineError(err)
	}
	if ti.GetAccessExpiresIn() <= 0 {
		// Unreachable while AccessTokenExp is set; a token that never
		// expires must not leave this function.
		_ = p.tokens.RemoveByAccess(ctx, ti.GetAccess())
		return Grant{}, oautherr.ErrServerError.WithCause(errors.New("provider: issued a token without expiry"))
	}
	return Grant{ti}, nil
}

// Revoke removes every token of a grant family.
func (p *Provider) Revoke(ctx context.Context, g Grant) error {
	if fam := g.Family(); fam != "" {
		if err := p.tokens.RevokeFamily(ctx, fam); err != nil {
			return err
		}
	}
	if a := g.GetAccess(); a != "" {
		return p.tokens.RemoveByAccess(ctx, a)
	}
	return nil
}
