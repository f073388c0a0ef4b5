package redisstore

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/tongxing/tongxing/provider/tokens/internal/record"
)

// revokeBatch is how many index members one round of a revocation reads,
// so that revoking a client with a million tokens never builds a reply or
// pipeline of a million entries.
const revokeBatch = 256

// RevokeFamily removes every code, access and refresh token of a family.
func (s *Store) RevokeFamily(ctx context.Context, family string) error {
	return s.revoke(ctx, indexFamily, family)
}

// RevokeClient removes every token issued to a client.
func (s *Store) RevokeClient(ctx context.Context, clientID string) error {
	return s.revoke(ctx, indexClient, clientID)
}

// RevokeUser removes every token issued for a user.
func (s *Store) RevokeUser(ctx context.Context, userID string) error {
	return s.revoke(ctx, indexUser, userID)
}

// revoke deletes every artifact the index lists and takes those records
// out of their other indexes, a batch at a time, each member leaving the
// index once its artifacts are gone. It handles as many members as the
// index held when it started, so that grants created meanwhile cannot keep
// it running forever; they are not revoked.
func (s *Store) revoke(ctx context.Context, kind byte, id string) error {
	if id == "" {
		return nil
	}
	key := s.indexKey(kind, id)
	total, err := s.rdb.ZCard(ctx, key).Result()
	if err != nil {
		return fmt.Errorf("redisstore: revoke %s: %w", key, err)
	}
	for done := int64(0); done < total; {
		members, err := s.rdb.ZRange(ctx, key, 0, revokeBatch-1).Result()
		if err != nil {
			return fmt.Errorf("redisstore: revoke %s: %w", key, err)
		}
		if len(members) == 0 {
			return nil
		}
		if err := s.revokeMembers(ctx, key, members); err != nil {
			return fmt.Errorf("redisstore: revoke %s: %w", key, err)
		}
		done += int64(len(members))
	}
	return nil
}

// revokeMembers deletes the artifacts of members of the index key, then
// removes them from it and from the other indexes of their records.
func (s *Store) revokeMembers(ctx context.Context, key string, members []string) error {
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
				for _, other := range s.indexKeys(t, arts[i]) {
					if other != key {
						pipe.ZRem(ctx, other, m)
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
	pipe.ZRem(ctx, key, all...)
	cmds, _ = pipe.Exec(ctx)
	return firstError(cmds)
}
