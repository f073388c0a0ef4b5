package models

import (
	"time"
)

// Token formats a client can be issued.
const (
	TokenFormatOpaque = "opaque"
	TokenFormatJWT    = "jwt"
)

// Client authentication methods (RFC 7591 token_endpoint_auth_method values).
const (
	AuthMethodBasic = "client_secret_basic"
	AuthMethodPost  = "client_secret_post"
	AuthMethodNone  = "none"
)

// Client is an OAuth2 client registration.
//
// SecretHash is a keyed SHA-256 of the secret (see package secrets in the
// provider); the secret itself is shown once at creation and never stored.
type Client struct {
	ID           string     `gorm:"primaryKey;size:64"`
	SecretHash   []byte     `gorm:"size:64"`
	Name         string     `gorm:"size:200;not null;index"`
	RedirectURIs StringList `gorm:"type:text;serializer:json"`
	// PostLogoutRedirectURIs are where RP-initiated logout may send the user.
	PostLogoutRedirectURIs StringList `gorm:"type:text;serializer:json"`
	GrantTypes             StringList `gorm:"type:text;serializer:json"`
	Scopes                 StringList `gorm:"type:text;serializer:json"`
	// Public clients (native apps, SPAs) hold no secret and must use PKCE.
	Public bool `gorm:"not null;default:false"`
	// TokenEndpointAuthMethod is the one method this client authenticates with.
	TokenEndpointAuthMethod string `gorm:"size:40;not null"`
	// Lifetimes in seconds; zero means the provider default.
	AccessTokenLifetime  int64 `gorm:"not null;default:0"`
	RefreshTokenLifetime int64 `gorm:"not null;default:0"`
	IDTokenLifetime      int64 `gorm:"not null;default:0"`
	// AccessTokenFormat is TokenFormatOpaque or TokenFormatJWT (RFC 9068).
	AccessTokenFormat string `gorm:"size:16;not null;default:opaque"`
	// AccessTokenAlg is the JWS algorithm of JWT access tokens (RS256 or ES256).
	AccessTokenAlg string `gorm:"size:16;not null;default:''"`
	// IDTokenAlg is the JWS algorithm of this client's id_tokens; empty
	// means the provider's default.
	IDTokenAlg string `gorm:"size:16;not null;default:''"`
	// LegacyAPIs names the compat APIs this client may call (e.g. "partner").
	LegacyAPIs StringList `gorm:"type:text;serializer:json"`
	Enabled    bool       `gorm:"not null;default:true;index"`
	// TokenGeneration is stamped on every token issued to the client, and
	// a token whose stamp differs is refused. A new client draws a random
	// one and disabling draws another, so no token outlives a disable, or
	// a delete and a new client under the same ID, even one the token
	// store keeps until it expires (lone access tokens are not indexed by
	// client, see provider/tokens).
	TokenGeneration string `gorm:"size:32;not null;default:''"`
	// PreviousSecretHash is the hash of the secret the last rotation
	// replaced. It keeps authenticating the client until
	// PreviousSecretExpiresAt, so the client can switch without downtime;
	// both are nil when no old secret is honoured.
	PreviousSecretHash      []byte `gorm:"size:64"`
	PreviousSecretExpiresAt *time.Time
	// Version increases on every update; Update refuses a stale one.
	Version   int64 `gorm:"not null;default:1"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// AllowsGrant reports whether the client registered the grant type.
func (c *Client) AllowsGrant(gt string) bool { return c.GrantTypes.Contains(gt) }

// AllowsLegacyAPI reports whether an admin allowed the client a compat API.
func (c *Client) AllowsLegacyAPI(name string) bool { return c.LegacyAPIs.Contains(name) }

// User is a person who signs in. ID is the OIDC subject.
type User struct {
	ID           string  `gorm:"primaryKey;size:64"`
	Username     string  `gorm:"size:64;not null;uniqueIndex"`
	PasswordHash string  `gorm:"size:255;not null;default:''"`
	Phone        *string `gorm:"size:32;uniqueIndex"`
	Email        *string `gorm:"size:255;uniqueIndex"`
	Nickname     string  `gorm:"size:64;not null;default:''"`
	RealName     string  `gorm:"size:64;not null;default:''"`
	Avatar       string  `gorm:"size:512;not null;default:''"`
	// Sex: 0 unknown, 1 male, 2 female; other values are kept as given.
	Sex       int     `gorm:"not null;default:0"`
	IsAdmin   bool    `gorm:"not null;default:false"`
	Disabled  bool    `gorm:"not null;default:false"`
	CompanyID *string `gorm:"size:64;index"`
	// SessionsNotBefore ends every browser session of the user that started
	// before it; an admin sets it to sign the user out everywhere.
	SessionsNotBefore *time.Time
	Version           int64 `gorm:"not null;default:1"`
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// Company is an organisation users belong to; its fields are those of the
// partner open API's getCompanyInfo.
type Company struct {
	ID               string `gorm:"primaryKey;size:64"`
	Name             string `gorm:"size:200;not null;index"`
	Type             string `gorm:"size:16;not null;default:''"`
	TaxNumber        string `gorm:"size:64;not null;default:''"`
	Province         string `gorm:"size:64;not null;default:''"`
	City             string `gorm:"size:64;not null;default:''"`
	Zone             string `gorm:"size:64;not null;default:''"`
	Address          string `gorm:"size:255;not null;default:''"`
	Disable          string `gorm:"size:16;not null;default:''"`
	TelPhone         string `gorm:"size:32;not null;default:''"`
	LegalPersonPhone string `gorm:"size:32;not null;default:''"`
	LegalPersonName  string `gorm:"size:64;not null;default:''"`
	Version          int64  `gorm:"not null;default:1"`
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Third-party identity providers a user can sign in with.
const (
	IdentityWxApp    = "wx_app"    // WeChat mobile app login
	IdentityWxPublic = "wx_public" // WeChat official account
	IdentityWxSmall  = "wx_small"  // WeChat mini program
	IdentityApple    = "apple"
	IdentityQQ       = "qq"
	IdentityWeibo    = "wb"
)

// Identity links a user to their account at a third-party identity
// provider. Subject is that provider's identifier of the account (a
// WeChat openid, an Apple sub); an account links to one user only.
type Identity struct {
	ID       uint64 `gorm:"primaryKey;autoIncrement"`
	UserID   string `gorm:"size:64;not null;index"`
	Provider string `gorm:"size:32;not null;uniqueIndex:idx_identities_subject"`
	Subject  string `gorm:"size:128;not null;uniqueIndex:idx_identities_subject"`
	// ClientID is the client the account first signed in through.
	ClientID  string `gorm:"size:64;not null;default:''"`
	CreatedAt time.Time
}

// Consent records the scopes a user granted a client, so the consent page is
// shown only for scopes not granted before.
type Consent struct {
	UserID    string     `gorm:"primaryKey;size:64"`
	ClientID  string     `gorm:"primaryKey;size:64"`
	Scopes    StringList `gorm:"type:text;serializer:json"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// SigningKey is a JWS key pair. Private is the PKCS #8 DER private key.
type SigningKey struct {
	ID      string `gorm:"primaryKey;size:64"` // the JWK kid (RFC 7638 thumbprint)
	Alg     string `gorm:"size:16;not null;index"`
	Private []byte `gorm:"not null"`
	// ActiveFrom is when the key starts signing; keys are published before
	// they sign so every replica and relying party has seen them first.
	ActiveFrom time.Time `gorm:"not null"`
	// RetiredAt is when a newer key replaced it; nil while it is current.
	RetiredAt *time.Time
	// ExpiresAt is when its last token expires: after it the public key
	// leaves the JWKS and the record may be deleted. Nil while current.
	ExpiresAt *time.Time `gorm:"index"`
	CreatedAt time.Time
}

// Setting is a named value the provider keeps in its database, such as the
// key that hashes client secrets, so every replica and the CLI share it.
type Setting struct {
	Name      string `gorm:"primaryKey;size:64"`
	Value     []byte `gorm:"not null"`
	CreatedAt time.Time
}
