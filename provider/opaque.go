package provider

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Layout of an opaque access token before base64url: random bytes, the
// expiry in epoch seconds, and a truncated HMAC over both.
const (
	opaqueRandom = 24
	opaqueExpiry = 4
	opaqueMAC    = 8
	opaqueLen    = opaqueRandom + opaqueExpiry + opaqueMAC // 36 bytes, 48 characters
)

// opaqueToken makes an opaque access token that carries its own expiry,
// authenticated by the provider. The token store stays the only authority
// on whether a token is live; the expiry only lets the provider tell a
// token whose lifetime ended from one it never issued or revoked, without
// keeping expired tokens around (legacy APIs answer the two differently).
func (p *Provider) opaqueToken(exp time.Time) string {
	b := make([]byte, opaqueLen)
	_, _ = rand.Read(b[:opaqueRandom])
	binary.BigEndian.PutUint32(b[opaqueRandom:], uint32(exp.Unix()))
	copy(b[opaqueRandom+opaqueExpiry:], p.tokenMAC(b[:opaqueRandom+opaqueExpiry]))
	return base64.RawURLEncoding.EncodeToString(b)
}

func (p *Provider) tokenMAC(data []byte) []byte {
	return p.expiryMAC.Sum(nil, data)[:opaqueMAC]
}

// opaqueExpiryOf returns the expiry an opaque token of this provider
// carries; ok is false for anything else.
func (p *Provider) opaqueExpiryOf(token string) (time.Time, bool) {
	if base64.RawURLEncoding.DecodedLen(len(token)) != opaqueLen {
		return time.Time{}, false
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != opaqueLen ||
		!hmac.Equal(b[opaqueRandom+opaqueExpiry:], p.tokenMAC(b[:opaqueRandom+opaqueExpiry])) {
		return time.Time{}, false
	}
	return time.Unix(int64(binary.BigEndian.Uint32(b[opaqueRandom:])), 0), true
}

// AccessTokenExpired reports whether token is an access token this
// provider issued whose lifetime has ended. An unknown, forged or revoked
// token, or one still within its lifetime, is not expired.
func (p *Provider) AccessTokenExpired(_ context.Context, token string) (bool, error) {
	if exp, ok := p.opaqueExpiryOf(token); ok {
		return !exp.After(p.now()), nil
	}
	if exp, ok := p.jwtExpiry(token); ok {
		return !exp.After(p.now()), nil
	}
	return false, nil
}

// jwtExpiry returns the exp of a JWT signed with one of the provider's
// published keys.
func (p *Provider) jwtExpiry(token string) (time.Time, bool) {
	jws, err := jose.ParseSignedCompact(token, algorithms(p.signer.Algorithms()))
	if err != nil || len(jws.Signatures) != 1 {
		return time.Time{}, false
	}
	set := p.signer.JWKS()
	keys := set.Key(jws.Signatures[0].Header.KeyID)
	if len(keys) == 0 {
		return time.Time{}, false
	}
	payload, err := jws.Verify(keys[0])
	if err != nil {
		return time.Time{}, false
	}
	var claims struct {
		Iss string `json:"iss"`
		Exp int64  `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Iss != p.issuer || claims.Exp == 0 {
		return time.Time{}, false
	}
	return time.Unix(claims.Exp, 0), true
}
