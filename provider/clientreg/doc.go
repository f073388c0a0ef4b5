// Package clientreg turns client metadata (RFC 7591 §2) into a client
// record and back, and holds the rules a registration must meet: known
// grant types, exact absolute redirect URIs (https, or http on loopback
// only, RFC 8252 §7.3), scopes, and a secret for every confidential client.
// The CLI and the admin API both register clients through it.
package clientreg
