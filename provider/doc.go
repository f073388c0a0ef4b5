// Package provider is Tongxing's OAuth 2.0 / OpenID Connect core: it owns
// every token, from issuing to checking to revoking.
//
// go-oauth2's manage.Manager is the engine: it generates codes and tokens
// and drives the token store. The HTTP endpoints are this package's own,
// because the library's server.Server answers RFC errors with the wrong
// status codes, cannot be extended with grant types and trusts its stores'
// get-then-delete. docs/go-oauth2.md lists each gap and where it is closed.
//
// Endpoints: authorization (RFC 6749 §4.1, RFC 7636 PKCE, OIDC Core §3.1),
// token (RFC 6749 §5, refresh rotation per RFC 9700 §4.14), discovery (OIDC
// Discovery, RFC 8414), JWKS, userinfo (OIDC Core §5.3), introspection
// (RFC 7662), revocation (RFC 7009), RP-initiated logout. The compat layer
// uses the Go API in core.go rather than HTTP.
package provider
