package redisstore

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// batch is a group of single-key commands sent without waiting for each
// other's replies. On the deferred autopipeliner every command is on its
// way when queued, and its reply is awaited in exec; on a plain client
// each runs as it is queued. Either way the commands on one key run in the
// order queued, which index relies on: the autopipeliner is left ordered
// (one batch in flight; on a Cluster, a key's commands share a shard).
type batch struct {
	c    redis.UniversalClient
	cmds []redis.Cmder
}

// batch starts a batch on the store's request-path client.
func (s *Store) batch() *batch {
	return &batch{c: s.cmd}
}

// set queues a SET.
func (b *batch) set(ctx context.Context, key string, val []byte, ttl time.Duration) {
	b.cmds = append(b.cmds, b.c.Set(ctx, key, val, ttl))
}

// forever is the TTL of an index holding a member that does not expire:
// every index key has a TTL, which index relies on.
const forever = 100 * 365 * 24 * time.Hour

// index queues the addition of member, scored by its expiry exp (unix ms,
// +Inf for none), to the index key, a sorted set that lives as long as its
// latest member. Native commands rather than a Lua script, which cost
// Redis twice the CPU: trim the members expired by now; stretch the key's
// TTL to ttl if the key exists (so that it cannot expire between the next
// commands); add the member; give a key just created its first TTL; and
// stretch again, for a key created meanwhile by another writer with a
// shorter TTL. Every step only adds or lengthens, so concurrent writers
// leave the TTL at the longest of theirs. PEXPIRE's NX and GT need Redis
// 7.0.
func (b *batch) index(ctx context.Context, key, member string, exp float64, ttl time.Duration, now int64) {
	b.cmds = append(b.cmds, b.c.ZRemRangeByScore(ctx, key, "-inf", strconv.FormatInt(now, 10)))
	b.expire(ctx, key, ttl, "GT")
	b.cmds = append(b.cmds, b.c.ZAdd(ctx, key, redis.Z{Score: exp, Member: member}))
	b.expire(ctx, key, ttl, "NX")
	b.expire(ctx, key, ttl, "GT")
}

// addToBucket queues the addition of member to one of a client's index
// sets and the set's TTL, ttl, if it has none yet: every writer of the
// bucket computes the same end, its hour's.
func (b *batch) addToBucket(ctx context.Context, key, member string, ttl time.Duration) {
	b.cmds = append(b.cmds, b.c.SAdd(ctx, key, member))
	b.expire(ctx, key, ttl, "NX")
}

// bucketTTL is the TTL of a client bucket at now: to the end of its hour,
// or forever for the "never" bucket.
func bucketTTL(bucket int64, now time.Time) time.Duration {
	if bucket == bucketNever {
		return forever
	}
	end := time.UnixMilli(bucket * bucketWidth.Milliseconds())
	return max(end.Sub(now), time.Millisecond)
}

// expire queues PEXPIRE key ttl with a condition. go-redis's typed forms
// round to seconds; Process keeps the command in the batch, as Do would
// not.
func (b *batch) expire(ctx context.Context, key string, ttl time.Duration, cond string) {
	cmd := redis.NewBoolCmd(ctx, "pexpire", key, ttl.Milliseconds(), cond)
	_ = b.c.Process(ctx, cmd)
	b.cmds = append(b.cmds, cmd)
}

// exec awaits the batch and returns the first error of any command other
// than a missing key (redis.Nil).
func (b *batch) exec() error {
	return firstError(b.cmds)
}

// firstError returns the first error among cmds, a missing key aside.
func firstError(cmds []redis.Cmder) error {
	for _, c := range cmds {
		if err := c.Err(); err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
	}
	return nil
}
