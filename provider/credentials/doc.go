// Package credentials owns how the provider makes and checks secrets:
// random client secrets and token values, the keyed SHA-256 that stores
// client secrets, and argon2id for user passwords.
//
// Client secrets are 256-bit random values, so a fast keyed hash is as safe
// as a slow one and keeps the token endpoint cheap; passwords are chosen by
// people and get a memory-hard hash (RFC 9106, OWASP parameters).
package credentials
