package redisstore

import "github.com/redis/go-redis/v9"

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

// consume is the redemption script, run by SHA (and sent in full to a
// node that does not know it yet).
var consume = redis.NewScript(consumeLua)
