package provider

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"hash"
	"time"

	"github.com/go-oauth2/oauth2/v4"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/credentials"
	"github.com/tongxing/tongxing/provider/tokens"
)

// idTokenClaims are the claims of an id_token (OIDC Core §2).
type idTokenClaims struct {
	Issuer   string `json:"iss"`
	Subject  string `json:"sub"`
	Audience string `json:"aud"`
	Expiry   int64  `json:"exp"`
	IssuedAt int64  `json:"iat"`
	AuthTime int64  `json:"auth_time,omitempty"`
	Nonce    string `json:"nonce,omitempty"`
	AtHash   string `json:"at_hash,omitempty"`
	AZP      string `json:"azp,omitempty"`
	SID      string `json:"sid,omitempty"`
}

// idToken signs the id_token of a grant for client c.
func (p *Provider) idToken(c *models.Client, ti oauth2.TokenInfo, nonce string) (string, error) {
	alg := c.IDTokenAlg
	if alg == "" {
		alg = p.idTokenAlg
	}
	life := p.life.IDToken
	if c.IDTokenLifetime > 0 {
		life = time.Duration(c.IDTokenLifetime) * time.Second
	}
	now := p.now()
	claims := idTokenClaims{
		Issuer:   p.issuer,
		Subject:  ti.GetUserID(),
		Audience: c.ID,
		Expiry:   now.Add(life).Unix(),
		IssuedAt: now.Unix(),
		AuthTime: unix(tokens.Extension(ti, tokens.ExtAuthTime)),
		Nonce:    nonce,
		AtHash:   halfHash(alg, ti.GetAccess()),
		AZP:      c.ID,
		SID:      tokens.Extension(ti, tokens.ExtSession),
	}
	return p.signer.SignJWT(alg, "JWT", claims)
}

// halfHash is at_hash (OIDC Core §3.1.3.6): the left half of the hash of
// the token under the hash of the signing algorithm, base64url.
func halfHash(alg, token string) string {
	var h hash.Hash
	switch alg {
	case "RS384", "ES384", "PS384":
		h = sha512.New384()
	case "RS512", "ES512", "PS512":
		h = sha512.New()
	default:
		h = sha256.New()
	}
	h.Write([]byte(token))
	sum := h.Sum(nil)
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}

// accessClaims are the claims of a JWT access token (RFC 9068 §2.2).
type accessClaims struct {
	Issuer   string `json:"iss"`
	Subject  string `json:"sub"`
	Audience string `json:"aud"`
	Expiry   int64  `json:"exp"`
	IssuedAt int64  `json:"iat"`
	JTI      string `json:"jti"`
	ClientID string `json:"client_id"`
	Scope    string `json:"scope,omitempty"`
	AuthTime int64  `json:"auth_time,omitempty"`
}

// jwtAccessToken signs an RFC 9068 access token. Each carries a random jti
// and its issue time, so two tokens issued in the same second differ (the
// library's JWT generator made them identical, and they collided in the
// store). The audience is the issuer: the provider's own resources
// (userinfo, introspection) are what a token without a resource indicator
// is for.
func (p *Provider) jwtAccessToken(c *models.Client, ti oauth2.TokenInfo, at time.Time) (string, error) {
	alg := c.AccessTokenAlg
	if alg == "" {
		alg = p.idTokenAlg
	}
	sub := ti.GetUserID()
	if sub == "" {
		sub = c.ID // RFC 9068 §2.2: the client itself when no user
	}
	return p.signer.SignJWT(alg, "at+jwt", accessClaims{
		Issuer:   p.issuer,
		Subject:  sub,
		Audience: p.issuer,
		Expiry:   at.Add(ti.GetAccessExpiresIn()).Unix(),
		IssuedAt: at.Unix(),
		JTI:      credentials.RandomToken(16),
		ClientID: c.ID,
		Scope:    ti.GetScope(),
		AuthTime: unix(tokens.Extension(ti, tokens.ExtAuthTime)),
	})
}
