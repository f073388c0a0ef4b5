package redisstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-oauth2/oauth2/v4"
	"github.com/redis/go-redis/v9"

	"github.com/tongxing/tongxing/provider/tokens"
	"github.com/tongxing/tongxing/provider/tokens/internal/record"
)

// DefaultPrefix is the key namespace when Options.Prefix is empty.
const DefaultPrefix = "tx:"

// Options tunes a Store. The zero value is usable.
type Options struct {
	// Prefix starts every key the store writes, so that several stores
	// can share a database; default DefaultPrefix. Keep it short: it is
	// paid for in every key.
	Prefix string
	// Clock is the time the store judges expiry by; default time.Now.
	Clock func() time.Time
}

// Store is a tokens.Store on Redis.
type Store struct {
	rdb redis.UniversalClient
	// cmd sends the commands of the request path: the client's deferred
	// autopipeliner, which writes the commands of concurrent callers to
	// Redis together, or rdb itself on a client that has none.
	cmd    redis.UniversalClient
	prefix string
	now    func() time.Time
	// versionOK is set once Ping has seen a recent enough server.
	versionOK atomic.Bool
}

var _ tokens.Store = (*Store)(nil)

// New returns a store on client. The client stays the caller's: Close
// does not close it.
func New(client redis.UniversalClient, opts Options) *Store {
	s := &Store{rdb: client, cmd: client, prefix: opts.Prefix, now: opts.Clock}
	if ap, err := client.AsyncAutoPipeline(); err == nil {
		s.cmd = ap
	}
	if s.prefix == "" {
		s.prefix = DefaultPrefix
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// Ping reports whether Redis answers and, until it has once been found
// recent enough, whether it is Redis 7.0 or later: an older server would
// fail every token write, so the readiness probe says so instead.
func (s *Store) Ping(ctx context.Context) error {
	if s.versionOK.Load() {
		if err := s.rdb.Ping(ctx).Err(); err != nil {
			return fmt.Errorf("redisstore: %w", err)
		}
		return nil
	}
	info, err := s.rdb.Info(ctx, "server").Result()
	if err != nil {
		return fmt.Errorf("redisstore: %w", err)
	}
	if err := checkVersion(info); err != nil {
		return fmt.Errorf("redisstore: %w", err)
	}
	s.versionOK.Store(true)
	return nil
}

// checkVersion reads redis_version from an INFO server reply and refuses
// a version before 7.0. A reply without it (a proxy) is given the benefit
// of the doubt.
func checkVersion(info string) error {
	for line := range strings.Lines(info) {
		v, ok := strings.CutPrefix(strings.TrimSpace(line), "redis_version:")
		if !ok {
			continue
		}
		major, _, _ := strings.Cut(v, ".")
		if n, err := strconv.Atoi(major); err != nil || n < 7 {
			return fmt.Errorf("the token store needs Redis 7.0 or later, this is %s", v)
		}
		return nil
	}
	return nil
}

// Close releases nothing: the client belongs to the caller.
func (s *Store) Close() error { return nil }

// artifactKey is the key of one artifact of a record.
func (s *Store) artifactKey(k record.Kind, d record.Digest) string {
	return s.prefix + "{" + d.String() + "}" + string(rune(k))
}

// tombstoneKey is the key of the tombstone a redeemed artifact leaves, in
// the artifact's slot.
func (s *Store) tombstoneKey(d record.Digest) string {
	return s.prefix + "{" + d.String() + "}t"
}

// Index kinds, the letter after the prefix in an index key.
const (
	indexFamily = 'f'
	indexClient = 'c'
	indexUser   = 'u'
)

// indexKey is the key of a family's or a user's index, a sorted set of
// record members scored by expiry.
func (s *Store) indexKey(kind byte, id string) string {
	return s.prefix + string(rune(kind)) + ":" + id
}

// A client's index is split into plain sets by the hour its records
// expire in, each expiring whole at the end of its hour: adding to it is
// SADD and a first TTL, two O(1) commands, where a sorted set of a busy
// client's million tokens costs a skip-list walk per token and a trim.
// Records that never expire, or outlive horizon, go to the client's
// "never" set. Revoking a client probes every hour from now to horizon.
const (
	bucketWidth = time.Hour
	// horizon covers the longest lifetime the configuration allows (a
	// refresh token of a year) with room for clock skew between servers;
	// a client's own longer lifetime lands in the "never" set.
	horizon = 8760*time.Hour + 48*time.Hour
	// bucketNever is the bucket of records past the horizon.
	bucketNever = -1
)

// bucketOf is the client bucket for a record expiring at exp, written at
// now.
func bucketOf(exp, now time.Time) int64 {
	if exp.IsZero() || exp.Sub(now) > horizon {
		return bucketNever
	}
	return hourOf(exp)
}

// hourOf is the bucket of the hour (since the epoch) at whose end t
// falls.
func hourOf(t time.Time) int64 {
	w := bucketWidth.Milliseconds()
	return (t.UnixMilli() + w - 1) / w
}

// clientBucket is the key of one of a client's index sets. The bucket
// comes before the ID, so that no ID can make two keys collide.
func (s *Store) clientBucket(clientID string, bucket int64) string {
	b := "n"
	if bucket != bucketNever {
		b = strconv.FormatInt(bucket, 10)
	}
	return s.prefix + string(rune(indexClient)) + b + ":" + clientID
}

// indexRef is an index a record is listed in: a sorted set, or one of a
// client's sets.
type indexRef struct {
	key string
	set bool
}

// remove queues the removal of members from the index.
func (r indexRef) remove(ctx context.Context, pipe redis.Pipeliner, members ...any) {
	if r.set {
		pipe.SRem(ctx, r.key, members...)
	} else {
		pipe.ZRem(ctx, r.key, members...)
	}
}

// indexes lists the indexes a record with these artifacts may be listed
// in: for its client (record.IndexedClient), both the set of its expiry
// hour and the "never" set, since which one it went to depended on when it
// was written.
func (s *Store) indexes(ti oauth2.TokenInfo, arts []record.Artifact) []indexRef {
	var refs []indexRef
	if c := record.IndexedClient(ti, arts); c != "" {
		if exp := record.Latest(arts); !exp.IsZero() {
			refs = append(refs, indexRef{s.clientBucket(c, hourOf(exp)), true})
		}
		refs = append(refs, indexRef{s.clientBucket(c, bucketNever), true})
	}
	for _, key := range s.sortedIndexKeys(ti, arts) {
		refs = append(refs, indexRef{key: key})
	}
	return refs
}

// sortedIndexKeys lists the sorted-set indexes (user, family) a record
// with these artifacts belongs to.
func (s *Store) sortedIndexKeys(ti oauth2.TokenInfo, arts []record.Artifact) []string {
	var keys []string
	if u := ti.GetUserID(); u != "" {
		keys = append(keys, s.indexKey(indexUser, u))
	}
	if fam := tokens.Family(ti); fam != "" && record.Indexed(arts, ti.GetUserID()) {
		keys = append(keys, s.indexKey(indexFamily, fam))
	}
	return keys
}
