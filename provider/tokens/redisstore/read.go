package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/go-oauth2/oauth2/v4"
	"github.com/redis/go-redis/v9"

	"github.com/tongxing/tongxing/provider/tokens"
	"github.com/tongxing/tongxing/provider/tokens/internal/record"
)

// GetByCode returns the record of a live code, or nil.
func (s *Store) GetByCode(ctx context.Context, code string) (oauth2.TokenInfo, error) {
	return s.get(ctx, record.Code, code)
}

// GetByAccess returns the record of a live access token, or nil.
func (s *Store) GetByAccess(ctx context.Context, access string) (oauth2.TokenInfo, error) {
	return s.get(ctx, record.Access, access)
}

// GetByRefresh returns the record of a live refresh token, or nil.
func (s *Store) GetByRefresh(ctx context.Context, refresh string) (oauth2.TokenInfo, error) {
	return s.get(ctx, record.Refresh, refresh)
}

// get returns the record stored under the kind artifact value, with value
// put back in place of its Ref; nil when unknown or expired.
func (s *Store) get(ctx context.Context, k record.Kind, value string) (oauth2.TokenInfo, error) {
	d, ok := record.DigestOf(value)
	if !ok {
		return nil, nil
	}
	v, err := s.cmd.Get(ctx, s.artifactKey(k, d)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("redisstore: get %c: %w", k, err)
	}
	t, err := record.Decode(v, k, d)
	if err != nil {
		return nil, fmt.Errorf("redisstore: get %c: %w", k, err)
	}
	if !record.Live(record.Expiry(t, k), s.now()) {
		return nil, nil
	}
	record.SetValue(t, k, value)
	return t, nil
}

// Consumed returns the family of a redeemed code or refresh token while
// its tombstone lasts.
func (s *Store) Consumed(ctx context.Context, value string) (string, error) {
	d, ok := record.DigestOf(value)
	if !ok {
		return "", tokens.ErrNotFound
	}
	v, err := s.cmd.Get(ctx, s.tombstoneKey(d)).Bytes()
	if errors.Is(err, redis.Nil) {
		return "", tokens.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("redisstore: consumed: %w", err)
	}
	exp, fam, err := record.DecodeTombstone(v)
	if err != nil {
		return "", fmt.Errorf("redisstore: consumed: %w", err)
	}
	if !record.Live(exp, s.now()) {
		return "", tokens.ErrNotFound
	}
	return fam, nil
}

// ListUser returns the live access/refresh records of a user, one per
// record, with every token as its Ref.
func (s *Store) ListUser(ctx context.Context, userID string) ([]oauth2.TokenInfo, error) {
	if userID == "" {
		return nil, nil
	}
	now := s.now()
	members, err := s.rdb.ZRangeByScore(ctx, s.indexKey(indexUser, userID), &redis.ZRangeBy{
		Min: "(" + strconv.FormatInt(now.UnixMilli(), 10), Max: "+inf",
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("redisstore: list user: %w", err)
	}
	type candidate struct {
		art record.Artifact
		cmd *redis.StringCmd
	}
	pipe := s.rdb.Pipeline()
	found := make([][]candidate, len(members))
	for i, m := range members {
		arts, err := record.ParseMember([]byte(m))
		if err != nil {
			continue
		}
		for _, a := range arts {
			if a.Kind != record.Code {
				found[i] = append(found[i], candidate{a, pipe.Get(ctx, s.artifactKey(a.Kind, a.Digest))})
			}
		}
	}
	cmds, _ := pipe.Exec(ctx)
	if err := firstError(cmds); err != nil {
		return nil, fmt.Errorf("redisstore: list user: %w", err)
	}
	var list []oauth2.TokenInfo
	// A record stored again under its refresh token with a new access
	// token is reachable from its old index member too; list it once.
	seen := map[string]bool{}
	for _, cands := range found {
		for _, c := range cands {
			v, err := c.cmd.Bytes()
			if err != nil {
				continue
			}
			t, err := record.Decode(v, c.art.Kind, c.art.Digest)
			if err != nil {
				return nil, fmt.Errorf("redisstore: list user: %w", err)
			}
			if !record.Live(record.Expiry(t, c.art.Kind), now) {
				continue
			}
			own, err := record.Artifacts(t)
			if err != nil {
				return nil, fmt.Errorf("redisstore: list user: %w", err)
			}
			if id := string(record.Member(own)); !seen[id] {
				seen[id] = true
				list = append(list, t)
			}
			break
		}
	}
	return list, nil
}
