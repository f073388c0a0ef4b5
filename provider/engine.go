package provider

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-oauth2/oauth2/v4"
	oerrors "github.com/go-oauth2/oauth2/v4/errors"
	"github.com/go-oauth2/oauth2/v4/manage"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/credentials"
	"github.com/tongxing/tongxing/provider/tokens"
)

// clientInfo adapts a client record to go-oauth2's ClientInfo.
//
// The engine never authenticates clients: the token endpoint has already
// done so with the method the client registered (basic, post or none),
// which the library's single secret comparison cannot express. So
// VerifyPassword accepts, and GetSecret reveals nothing.
type clientInfo struct{ c *models.Client }

var (
	_ oauth2.ClientInfo             = clientInfo{}
	_ oauth2.ClientPasswordVerifier = clientInfo{}
)

func (ci clientInfo) GetID() string     { return ci.c.ID }
func (ci clientInfo) GetSecret() string { return "" }

// GetDomain returns the registered redirect URIs, one per line, for
// exactRedirectURI.
func (ci clientInfo) GetDomain() string          { return strings.Join(ci.c.RedirectURIs, "\n") }
func (ci clientInfo) IsPublic() bool             { return ci.c.Public }
func (ci clientInfo) GetUserID() string          { return "" }
func (ci clientInfo) VerifyPassword(string) bool { return true }

// clientStore serves client records to the engine.
type clientStore struct{ clients models.Clients }

// authenticatedKey carries the client the endpoint has already loaded and
// authenticated, so the engine does not read the same record again.
type authenticatedKey struct{}

func withClient(ctx context.Context, c *models.Client) context.Context {
	return context.WithValue(ctx, authenticatedKey{}, c)
}

func (s clientStore) GetByID(ctx context.Context, id string) (oauth2.ClientInfo, error) {
	if c, ok := ctx.Value(authenticatedKey{}).(*models.Client); ok && c.ID == id {
		return clientInfo{c}, nil
	}
	c, err := s.clients.Get(ctx, id)
	if errors.Is(err, models.ErrNotFound) {
		return nil, oerrors.ErrInvalidClient
	}
	if err != nil {
		return nil, err
	}
	return clientInfo{c}, nil
}

// exactRedirectURI replaces the library's host-suffix match: a redirect URI
// must equal one the client registered, character for character (RFC 9700
// §4.1.3).
func exactRedirectURI(registered, redirectURI string) error {
	if slices.Contains(strings.Split(registered, "\n"), redirectURI) {
		return nil
	}
	return oerrors.ErrInvalidRedirectURI
}

// codeGenerator makes authorization codes: 256 random bits. As the last
// hook before a code is stored, it stamps the code with the provider's
// clock (the engine uses the wall clock) and applies what a legacy code
// asks for: its own lifetime, which the library only knows as one global
// setting, a retention after it, and a 40-hex-digit shape.
type codeGenerator struct{ p *Provider }

func (g codeGenerator) Token(_ context.Context, d *oauth2.GenerateBasic) (string, error) {
	ti := d.TokenInfo
	ti.SetCodeCreateAt(g.p.now())
	e, ok := ti.(oauth2.ExtendableTokenInfo)
	if !ok || e.GetExtension() == nil {
		return credentials.RandomToken(32), nil
	}
	ext := e.GetExtension()
	life, _ := time.ParseDuration(ext.Get(extCodeLifetime))
	retain, _ := time.ParseDuration(ext.Get(extCodeRetain))
	if life > 0 {
		ti.SetCodeExpiresIn(life)
	}
	if retain > 0 {
		// The store keeps the code until the retention ends; its own end
		// stays in the extension for CodeExpired.
		ext.Set(ExtCodeExpiry, unixString(ti.GetCodeCreateAt().Add(ti.GetCodeExpiresIn())))
		ti.SetCodeExpiresIn(ti.GetCodeExpiresIn() + retain)
	}
	hex := ext.Get(extCodeFormat) == "hex40"
	ext.Del(extCodeLifetime)
	ext.Del(extCodeRetain)
	ext.Del(extCodeFormat)
	if hex {
		return credentials.RandomHex(20), nil
	}
	return credentials.RandomToken(32), nil
}

// Extension keys that carry a legacy code's options to codeGenerator;
// they are removed before the record is stored.
const (
	extCodeLifetime = "code_lifetime"
	extCodeRetain   = "code_retain"
	extCodeFormat   = "code_format"
)

// ExtCodeExpiry is the end of a retained code's life, epoch seconds.
const ExtCodeExpiry = "code_exp"

func unixString(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// accessGenerator makes access and refresh tokens. It is the engine's last
// hook before a record is stored, so it also applies what the library's
// per-grant configuration cannot: per-client lifetimes, refresh tokens only
// for clients registered for them, and JWT access tokens (RFC 9068).
type accessGenerator struct{ p *Provider }

func (g accessGenerator) Token(ctx context.Context, d *oauth2.GenerateBasic, genRefresh bool) (string, string, error) {
	c := d.Client.(clientInfo).c
	ti := d.TokenInfo
	// The engine stamps records with the wall clock; the provider judges
	// expiry by its own, so the stamps are its own too.
	now := g.p.now()
	freshFamily := ti.GetRefreshCreateAt().Equal(d.CreateAt)
	ti.SetAccessCreateAt(now)
	refresh := ""
	if genRefresh && c.AllowsGrant(grantRefreshToken) {
		refresh = credentials.RandomToken(32)
		if freshFamily {
			// A new family (not a rotation) starts now, with the client's
			// own lifetime if it has one.
			ti.SetRefreshCreateAt(now)
			if c.RefreshTokenLifetime > 0 {
				ti.SetRefreshExpiresIn(time.Duration(c.RefreshTokenLifetime) * time.Second)
			}
		}
	} else {
		ti.SetRefreshExpiresIn(0)
	}
	stampGeneration(ti, c.TokenGeneration)
	if c.AccessTokenFormat != models.TokenFormatJWT {
		return g.p.opaqueToken(accessExpiry(ti)), refresh, nil
	}
	access, err := g.p.jwtAccessToken(c, ti, now)
	return access, refresh, err
}

// stampGeneration records the client's token generation in a new record,
// replacing any a refreshed record carried over.
func stampGeneration(ti oauth2.TokenInfo, gen string) {
	e, ok := ti.(oauth2.ExtendableTokenInfo)
	if !ok {
		return
	}
	ext := e.GetExtension()
	if ext == nil {
		ext = url.Values{}
	}
	if gen == "" {
		ext.Del(tokens.ExtClientGeneration)
	} else {
		ext.Set(tokens.ExtClientGeneration, gen)
	}
	e.SetExtension(ext)
}

// newEngine wires go-oauth2's manager to the provider's stores and hooks.
func newEngine(p *Provider) *manage.Manager {
	m := manage.NewManager()
	m.MapClientStorage(clientStore{p.clients})
	m.MapTokenStorage(p.tokens)
	m.MapAuthorizeGenerate(codeGenerator{p})
	m.MapAccessGenerate(accessGenerator{p})
	m.SetValidateURIHandler(exactRedirectURI)
	m.SetAuthorizeCodeExp(p.life.Code)
	m.SetAuthorizeCodeTokenCfg(&manage.Config{
		AccessTokenExp: p.life.Access, RefreshTokenExp: p.life.Refresh, IsGenerateRefresh: true,
	})
	m.SetClientTokenCfg(&manage.Config{AccessTokenExp: p.life.Access})
	// Rotation: a new refresh token each time, the old pair removed. The
	// refresh chain keeps the lifetime of its first token (no reset), so a
	// stolen chain cannot be stretched forever.
	m.SetRefreshTokenCfg(&manage.RefreshingConfig{
		IsGenerateRefresh: true, IsRemoveAccess: true, IsRemoveRefreshing: true,
	})
	m.SetExtractExtensionHandler(extendToken)
	return m
}

// extendToken gives every new grant a family; tokens redeemed from a code
// or refreshed keep the family they inherit through the extension.
func extendToken(tgr *oauth2.TokenGenerateRequest, ti oauth2.ExtendableTokenInfo) {
	ext := ti.GetExtension()
	if ext == nil {
		ext = map[string][]string{}
	}
	for k, v := range requestExtension(tgr) {
		ext[k] = v
	}
	if ext.Get(tokens.ExtFamily) == "" {
		ext.Set(tokens.ExtFamily, credentials.RandomToken(16))
	}
	ti.SetExtension(ext)
}

// expiresAt returns when the access token of ti expires.
func accessExpiry(ti oauth2.TokenInfo) time.Time {
	return ti.GetAccessCreateAt().Add(ti.GetAccessExpiresIn())
}

func unix(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}
