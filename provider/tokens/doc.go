// Package tokens defines the token store: go-oauth2's oauth2.TokenStore plus
// what a provider needs and the library's stores lack, namely atomic
// single-use redemption, indexes by grant family, client and user, and
// tombstones that recognise a redeemed code or refresh token when it is
// presented again.
//
// Implementations live in tokens/redisstore (go-redis v9 universal client:
// one node, Cluster or Sentinel) and tokens/boltstore (embedded, on disk);
// tokens/conformance is the suite both pass.
package tokens
