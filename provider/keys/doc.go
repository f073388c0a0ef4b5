// Package keys owns the provider's JWS signing keys: it generates them,
// stores them through models.SigningKeys, rotates them, signs tokens with
// them and publishes their public halves as the JWK Set.
//
// A key is a JSON Web Key (RFC 7517) for one JWS algorithm (RFC 7518): RS256
// (RSA 2048) or ES256 (P-256). Its kid is its RFC 7638 thumbprint (SHA-256,
// base64url), so the same key always has the same kid on every replica. The
// private key is kept as PKCS #8 DER in the shared database, so every replica
// and the CLI see the same keys.
//
// Rotation follows OpenID Connect Core 1.0 §10.1: a new key is published in
// the JWK Set for Options.PublishDelay before it signs, so relying parties
// that cache the JWK Set and replicas that reload every
// Options.ReloadInterval know it before they meet a token it signed; the key
// it replaces stops signing at that moment but stays published for
// Options.MaxTokenLifetime, until the last token it signed has expired, and
// is then deleted. Which key signs is decided from the stored times and the
// clock alone, so replicas switch together without coordinating.
//
// Signed output is a compact JWS (RFC 7515) whose protected header carries
// alg, kid and the caller's typ ("JWT" for id_tokens, "at+jwt" for RFC 9068
// access tokens). Signer makes it with the header encoded once per key and
// typ, and ECDSA signatures deterministic (RFC 6979); go-jose parses and
// verifies it and publishes the JWK Set.
package keys
