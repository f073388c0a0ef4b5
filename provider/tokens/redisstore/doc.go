// Package redisstore is the tokens.Store on Redis, through a go-redis v9
// UniversalClient: a single node, Sentinel or Redis Cluster.
//
// Each artifact of a record is one string key, Prefix + "{" + digest + "}"
// + kind, holding the compactly encoded record and expiring with the
// artifact. The digest sits in a hash tag so that an artifact and its
// tombstone share a slot: redemption is one Lua script on that slot, which
// deletes the artifact only if it still holds the record just read and
// writes the tombstone in the same step. Indexes by family and user are
// sorted sets scored by expiry, trimmed on every write and expiring with
// their last member, kept up with native commands whose conditional
// PEXPIREs only ever lengthen the set's life (a Lua script did the same at
// twice Redis's CPU). A client's index holds its records with a code or
// refresh token (a lone access token is refused through its client's
// token generation instead); it is a plain set per hour of expiry that
// expires whole: two O(1) commands per record. Every other operation is a
// group of single-key commands, so nothing ever spans two slots.
//
// The request path's commands (reads, writes, redemptions) go through the
// client's deferred autopipeliner: the commands of concurrent callers are
// written to Redis as one pipeline and answered in one read, so under load
// a request no longer pays a round trip, two system calls on each side, of
// its own. A lone caller is sent at once. Revocation and listing, off the
// request path, use plain pipelines. A client without an autopipeliner (a
// Ring) sends each command on its own.
//
// Expiry is judged by the store's clock at every read; Redis TTLs, set
// from the same clock, only reclaim memory.
//
// The store needs Redis 7.0 or later (PEXPIRE NX and GT); Ping, the
// readiness probe, says so of an older server. One client_credentials
// token costs about 290 bytes of Redis memory: one key, no index entry.
package redisstore
