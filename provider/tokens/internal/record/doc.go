// Package record owns the stored form of a token record, shared by the
// Redis and bbolt stores: a compact binary encoding that keeps the digests
// of a record's code, access and refresh token instead of their values, the
// per-artifact expiry rules, the index member that names a record's
// artifacts, and the tombstone a redeemed code or refresh token leaves.
//
// The encoding is compact because one Redis node must hold millions of
// client_credentials tokens: times are unix milliseconds as varints, token
// digests are 32 raw bytes, empty fields are omitted.
package record
