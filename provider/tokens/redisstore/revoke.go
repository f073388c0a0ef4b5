package redisstore

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/tongxing/tongxing/provider/tokens/internal/record"
)

// revokeBatch is how many index members one round of a revocation reads,
// and how many client buckets one round probes, so that revoking a client
// with a million tokens never builds a reply or pipeline of a million
// entries.
const revokeBatch = 256

// RevokeFamily removes every code, access and refresh token of a family.
func (s *Store) RevokeFamily(ctx context.Context, family string) error {
	if family == "" {
		return nil
	}
	return s.revoke(ctx, indexRef{key: s.indexKey(indexFamily, family)})
}

// RevokeUser removes every token issued for a user.
func (s *Store) RevokeUser(ctx context.Context, userID string) error {
	if userID == "" {
		return nil
	}
	return s.revoke(ctx, indexRef{key: s.indexKey(indexUser, userID)})
}

// RevokeClient removes every record of a client that has a code or a
// refresh token (see tokens.Store): it finds the client's index sets, from
// the hour now ends to the horizon and the "never" set, and revokes what
// each lists.
func (s *Store) RevokeClient(ctx context.Context, clientID string) error {
	if clientID == "" {
		return nil
	}
	keys := []string{s.clientBucket(clientID, bucketNever)}
	now := s.now()
	for h, last := hourOf(now)-1, hourOf(now.Add(horizon)); h <= last; h++ {
		keys = append(keys, s.clientBucket(clientID, h))
	}
	for len(keys) > 0 {
		n := min(len(keys), revokeBatch)
		pipe := s.rdb.Pipeline()
		exists := make([]*redis.IntCmd, n)
		for i, key := range keys[:n] {
			exists[i] = pipe.Exists(ctx, key)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return fmt.Errorf("redisstore: revoke client %s: %w", clientID, err)
		}
		for i, e := range exists {
			if e.Val() == 0 {
				continue
			}
			if err := s.revoke(ctx, indexRef{keys[i], true}); err != nil {
				return err
			}
		}
		keys = keys[n:]
	}
	return nil
}

// revoke deletes every artifact the index lists and takes those records
// out of their other indexes, a batch at a time, each member leaving the
// index once its artifacts are gone. It handles as many members as the
// index held when it started, so that grants created meanwhile cannot keep
// it running forever; they are not revoked.
func (s *Store) revoke(ctx context.Context, index indexRef) error {
	var total int64
	var err error
	if index.set {
		total, err = s.rdb.SCard(ctx, index.key).Result()
	} else {
		total, err = s.rdb.ZCard(ctx, index.key).Result()
	}
	if err != nil {
		return fmt.Errorf("redisstore: revoke %s: %w", index.key, err)
	}
	for done := int64(0); done < total; {
		var members []string
		if index.set {
			members, err = s.rdb.SRandMemberN(ctx, index.key, revokeBatch).Result()
		} else {
			members, err = s.rdb.ZRange(ctx, index.key, 0, revokeBatch-1).Result()
		}
		if err != nil {
			return fmt.Errorf("redisstore: revoke %s: %w", index.key, err)
		}
		if len(members) == 0 {
			return nil
		}
		if err := s.revokeMembers(ctx, index, members); err != nil {
			return fmt.Errorf("redisstore: revoke %s: %w", index.key, err)
		}
		done += int64(len(members))
	}
	return nil
}

// revokeMembers deletes the artifacts of members of the index, then
// removes them from it and from the other indexes of their records.
func (s *Store) revokeMembers(ctx context.Context, index indexRef, members []string) error {
	pipe := s.rdb.Pipeline()
	deleted := make([][]*redis.StringCmd, len(members))
	arts := make([][]record.Artifact, len(members))
	for i, m := range members {
		a, err := record.ParseMember([]byte(m))
		if err != nil {
			continue
		}
		arts[i] = a
		for _, x := range a {
			deleted[i] = append(deleted[i], pipe.GetDel(ctx, s.artifactKey(x.Kind, x.Digest)))
		}
	}
	cmds, _ := pipe.Exec(ctx)
	if err := firstError(cmds); err != nil {
		return err
	}

	pipe = s.rdb.Pipeline()
	for i, m := range members {
		for j, c := range deleted[i] {
			v, err := c.Bytes()
			if err != nil {
				continue
			}
			if t, err := record.Decode(v, arts[i][j].Kind, arts[i][j].Digest); err == nil {
				for _, other := range s.indexes(t, arts[i]) {
					if other.key != index.key {
						other.remove(ctx, pipe, m)
					}
				}
			}
			break
		}
	}
	all := make([]any, len(members))
	for i, m := range members {
		all[i] = m
	}
	index.remove(ctx, pipe, all...)
	cmds, _ = pipe.Exec(ctx)
	return firstError(cmds)
}
