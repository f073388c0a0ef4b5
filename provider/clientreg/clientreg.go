package clientreg

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/credentials"
)

// GrantTypes are the grant types a client may register.
var GrantTypes = []string{"authorization_code", "refresh_token", "client_credentials"}

// Metadata is a client's registration as RFC 7591 §2 names it, with the
// provider's extensions.
type Metadata struct {
	ClientID                string   `json:"client_id"`
	ClientSecret            string   `json:"client_secret,omitempty"`
	ClientName              string   `json:"client_name"`
	RedirectURIs            []string `json:"redirect_uris"`
	PostLogoutRedirectURIs  []string `json:"post_logout_redirect_uris,omitempty"`
	GrantTypes              []string `json:"grant_types"`
	ResponseTypes           []string `json:"response_types"`
	Scope                   string   `json:"scope"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method"`
	ClientIDIssuedAt        int64    `json:"client_id_issued_at"`
	ClientSecretExpiresAt   int64    `json:"client_secret_expires_at"`
	// Extensions of this provider.
	AccessTokenFormat string   `json:"access_token_format"`
	AccessTokenAlg    string   `json:"access_token_signing_alg,omitempty"`
	IDTokenAlg        string   `json:"id_token_signed_response_alg,omitempty"`
	LegacyAPIs        []string `json:"legacy_apis,omitempty"`
	Enabled           bool     `json:"enabled"`
}

// FieldError names the metadata field that is wrong and why.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// idSyntax keeps client IDs safe in URLs, logs and Basic credentials.
var idSyntax = regexp.MustCompile(`^[A-Za-z0-9._~-]{1,64}$`)

// Validate checks c and returns every problem, joined, each a *FieldError.
func Validate(c *models.Client) error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	if !idSyntax.MatchString(c.ID) {
		bad("client_id", "must be 1 to 64 characters of letters, digits and ._~-")
	}
	if n := len([]rune(c.Name)); n == 0 || n > 200 {
		bad("client_name", "must be 1 to 200 characters")
	}
	if len(c.GrantTypes) == 0 {
		bad("grant_types", "at least one grant type is required")
	}
	for _, g := range c.GrantTypes {
		if !slices.Contains(GrantTypes, g) {
			bad("grant_types", "unknown grant type %q (known: %s)", g, strings.Join(GrantTypes, ", "))
		}
	}
	if c.AllowsGrant("refresh_token") && !c.AllowsGrant("authorization_code") {
		bad("grant_types", "refresh_token needs authorization_code")
	}
	if c.Public && c.AllowsGrant("client_credentials") {
		bad("grant_types", "a public client cannot use client_credentials")
	}
	if c.AllowsGrant("authorization_code") && len(c.RedirectURIs) == 0 {
		bad("redirect_uris", "authorization_code needs at least one redirect URI")
	}
	for _, u := range c.RedirectURIs {
		if err := checkRedirect(u); err != nil {
			bad("redirect_uris", "%q: %v", u, err)
		}
	}
	for _, u := range c.PostLogoutRedirectURIs {
		if err := checkRedirect(u); err != nil {
			bad("post_logout_redirect_uris", "%q: %v", u, err)
		}
	}
	for _, s := range c.Scopes {
		if !scopeSyntax.MatchString(s) {
			bad("scope", "%q is not a valid scope token", s)
		}
	}
	switch m := c.TokenEndpointAuthMethod; {
	case c.Public && m != models.AuthMethodNone:
		bad("token_endpoint_auth_method", "a public client authenticates with none")
	case !c.Public && m != models.AuthMethodBasic && m != models.AuthMethodPost:
		bad("token_endpoint_auth_method", "must be client_secret_basic or client_secret_post")
	}
	if !c.Public && len(c.SecretHash) == 0 {
		bad("client_secret", "a confidential client needs a secret")
	}
	if f := c.AccessTokenFormat; f != models.TokenFormatOpaque && f != models.TokenFormatJWT {
		bad("access_token_format", "must be opaque or jwt")
	}
	for field, alg := range map[string]string{"access_token_signing_alg": c.AccessTokenAlg, "id_token_signed_response_alg": c.IDTokenAlg} {
		if alg != "" && alg != "RS256" && alg != "ES256" {
			bad(field, "must be RS256 or ES256")
		}
	}
	for field, v := range map[string]int64{"access_token_lifetime": c.AccessTokenLifetime, "refresh_token_lifetime": c.RefreshTokenLifetime, "id_token_lifetime": c.IDTokenLifetime} {
		if v < 0 {
			bad(field, "must not be negative")
		}
	}
	return errors.Join(errs...)
}

// scopeSyntax is RFC 6749 §3.3's scope-token.
var scopeSyntax = regexp.MustCompile(`^[\x21\x23-\x5B\x5D-\x7E]+$`)

// checkRedirect enforces absolute URIs without fragments, https except on
// loopback (RFC 8252 §7.3), or a private-use scheme of a native app.
func checkRedirect(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || !u.IsAbs():
		return errors.New("must be an absolute URI")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return errors.New("must not have a fragment")
	case u.Scheme == "https":
		if u.Host == "" {
			return errors.New("must have a host")
		}
		return nil
	case u.Scheme == "http":
		if !loopback(u.Hostname()) {
			return errors.New("http is allowed only on loopback; use https")
		}
		return nil
	case strings.Contains(u.Scheme, "."):
		return nil // RFC 8252 §7.1 private-use scheme, reverse domain name
	}
	return errors.New("scheme must be https, http on loopback, or a reverse-domain private-use scheme")
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// New builds a client from metadata. A confidential client without a
// secret gets a fresh one; the returned metadata carries it in clear, the
// record only its hash.
func New(md Metadata, hasher *credentials.SecretHasher, now time.Time) (*models.Client, Metadata, error) {
	public := md.TokenEndpointAuthMethod == models.AuthMethodNone
	if md.ClientID == "" {
		md.ClientID = credentials.RandomToken(18)
	}
	if md.TokenEndpointAuthMethod == "" {
		md.TokenEndpointAuthMethod = models.AuthMethodBasic
	}
	if md.AccessTokenFormat == "" {
		md.AccessTokenFormat = models.TokenFormatOpaque
	}
	c := &models.Client{
		ID:                      md.ClientID,
		Name:                    md.ClientName,
		RedirectURIs:            md.RedirectURIs,
		PostLogoutRedirectURIs:  md.PostLogoutRedirectURIs,
		GrantTypes:              md.GrantTypes,
		Scopes:                  strings.Fields(md.Scope),
		Public:                  public,
		TokenEndpointAuthMethod: md.TokenEndpointAuthMethod,
		AccessTokenFormat:       md.AccessTokenFormat,
		AccessTokenAlg:          md.AccessTokenAlg,
		IDTokenAlg:              md.IDTokenAlg,
		LegacyAPIs:              md.LegacyAPIs,
		Enabled:                 true,
		TokenGeneration:         credentials.RandomToken(8),
	}
	if !public {
		if md.ClientSecret == "" {
			md.ClientSecret = credentials.NewClientSecret()
		}
		c.SecretHash = hasher.Hash(md.ClientSecret)
	} else if md.ClientSecret != "" {
		return nil, Metadata{}, &FieldError{Field: "client_secret", Reason: "a public client has no secret"}
	}
	if err := Validate(c); err != nil {
		return nil, Metadata{}, err
	}
	out := Describe(c)
	out.ClientSecret = md.ClientSecret
	out.ClientIDIssuedAt = now.Unix()
	return c, out, nil
}

// Describe returns the metadata of a stored client, without any secret.
func Describe(c *models.Client) Metadata {
	md := Metadata{
		ClientID:                c.ID,
		ClientName:              c.Name,
		RedirectURIs:            nonNil(c.RedirectURIs),
		PostLogoutRedirectURIs:  c.PostLogoutRedirectURIs,
		GrantTypes:              nonNil(c.GrantTypes),
		ResponseTypes:           []string{},
		Scope:                   strings.Join(c.Scopes, " "),
		TokenEndpointAuthMethod: c.TokenEndpointAuthMethod,
		ClientIDIssuedAt:        c.CreatedAt.Unix(),
		AccessTokenFormat:       c.AccessTokenFormat,
		AccessTokenAlg:          c.AccessTokenAlg,
		IDTokenAlg:              c.IDTokenAlg,
		LegacyAPIs:              c.LegacyAPIs,
		Enabled:                 c.Enabled,
	}
	if c.AllowsGrant("authorization_code") {
		md.ResponseTypes = []string{"code"}
	}
	return md
}

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}
