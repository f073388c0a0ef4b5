package redisstore

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// indexAddLua adds a record to one index (a sorted set scored by expiry in
// unix milliseconds): it drops members that have expired, adds the new
// one and makes the set expire with its latest member. It touches one key.
//
// KEYS[1] index; ARGV[1] now; ARGV[2] member; ARGV[3] expiry or "+inf".
const indexAddLua = `
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
local last = tonumber(top[2])
if last == nil or last == math.huge then
	redis.call('PERSIST', KEYS[1])
else
	local ttl = math.max(math.floor(last - now), 1)
	redis.call('PEXPIRE', KEYS[1], ttl)
end
return 1
`

// consumeLua redeems an artifact: it deletes the artifact only if it still
// holds the record the caller read, and writes its tombstone. Of
// concurrent callers one sees 1; the artifact and tombstone share a slot.
//
// KEYS[1] artifact; KEYS[2] tombstone; ARGV[1] record; ARGV[2] tombstone
// value; ARGV[3] tombstone TTL in milliseconds, 0 for none.
const consumeLua = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
	return 0
end
redis.call('DEL', KEYS[1])
if ARGV[3] == '0' then
	redis.call('SET', KEYS[2], ARGV[2])
else
	redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
end
return 1
`

// scripts are the store's Lua scripts, ready to run by SHA.
type scripts struct {
	indexAdd *redis.Script
	consume  *redis.Script
}

// newScripts prepares the scripts; each node learns them on first use.
func newScripts() scripts {
	return scripts{indexAdd: redis.NewScript(indexAddLua), consume: redis.NewScript(consumeLua)}
}

// batch is a group of single-key commands sent without waiting for each
// other's replies, which may include scripts run by SHA. A node that does
// not know a script yet answers NOSCRIPT; exec then sends those scripts
// again in full.
type batch struct {
	c       redis.Cmdable
	cmds    []redis.Cmder
	scripts []queuedScript
}

// queuedScript is a script call in a batch, kept to be sent again in full.
type queuedScript struct {
	cmd    *redis.Cmd
	script *redis.Script
	keys   []string
	args   []any
}

// batch starts a batch on the store's request-path client. On the
// deferred autopipeliner every command is on its way when queued, and its
// reply is awaited in exec; on a plain client each runs as it is queued.
func (s *Store) batch() *batch {
	return &batch{c: s.cmd}
}

// set queues a SET.
func (b *batch) set(ctx context.Context, key string, val []byte, ttl time.Duration) {
	b.cmds = append(b.cmds, b.c.Set(ctx, key, val, ttl))
}

// eval queues a script.
func (b *batch) eval(ctx context.Context, sc *redis.Script, keys []string, args ...any) {
	b.scripts = append(b.scripts, queuedScript{sc.EvalSha(ctx, b.c, keys, args...), sc, keys, args})
}

// exec awaits the batch and returns the first error of any command other
// than a missing key (redis.Nil), after retrying unknown scripts.
func (b *batch) exec(ctx context.Context) error {
	if err := firstError(b.cmds); err != nil {
		return err
	}
	var again []redis.Cmder
	for _, q := range b.scripts {
		err := q.cmd.Err()
		switch {
		case redis.HasErrorPrefix(err, "NOSCRIPT"):
			again = append(again, q.script.Eval(ctx, b.c, q.keys, q.args...))
		case err != nil && !errors.Is(err, redis.Nil):
			return err
		}
	}
	return firstError(again)
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
