// Package boltstore is the embedded tokens.Store: one bbolt file, for a
// provider that runs as a single process.
//
// Records are kept in a bucket per artifact kind (code, access, refresh),
// keyed by the token's SHA-256 digest, so the file holds no usable token.
// Tombstones of redeemed codes and refresh tokens, the indexes by family,
// client and user, and an expiry queue have buckets of their own. Every
// change is one bbolt Update transaction, which is what makes redemption
// single-use. Expiry is checked at every read; a sweeper goroutine walks
// the expiry queue and deletes what has expired so the file stops growing.
package boltstore
