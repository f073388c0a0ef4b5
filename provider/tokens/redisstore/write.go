package redisstore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/go-oauth2/oauth2/v4"
	"github.com/redis/go-redis/v9"

	"github.com/tongxing/tongxing/provider/tokens"
	"github.com/tongxing/tongxing/provider/tokens/internal/record"
)

// Create stores ti under each of its artifacts that has not yet expired,
// each key expiring with its artifact, and adds it to its indexes.
func (s *Store) Create(ctx context.Context, ti oauth2.TokenInfo) error {
	arts, err := record.Artifacts(ti)
	if err != nil {
		return fmt.Errorf("redisstore: create: %w", err)
	}
	now := s.now()
	b := s.batch()
	stored := false
	for _, a := range arts {
		var ttl time.Duration
		if !a.Expires.IsZero() {
			if ttl = a.Expires.Sub(now).Truncate(time.Millisecond); ttl <= 0 {
				continue
			}
		}
		val, err := record.Encode(ti, a.Kind)
		if err != nil {
			return fmt.Errorf("redisstore: create: %w", err)
		}
		b.set(ctx, s.artifactKey(a.Kind, a.Digest), val, ttl)
		stored = true
	}
	if !stored {
		return nil
	}
	member, score, ttl := string(record.Member(arts)), math.Inf(1), forever
	exp := record.Latest(arts)
	if !exp.IsZero() {
		score, ttl = float64(exp.UnixMilli()), max(exp.Sub(now), time.Millisecond)
	}
	if c := record.IndexedClient(ti, arts); c != "" {
		bucket := bucketOf(exp, now)
		b.addToBucket(ctx, s.clientBucket(c, bucket), member, bucketTTL(bucket, now))
	}
	for _, key := range s.sortedIndexKeys(ti, arts) {
		b.index(ctx, key, member, score, ttl, now.UnixMilli())
	}
	if err := b.exec(); err != nil {
		return fmt.Errorf("redisstore: create: %w", err)
	}
	return nil
}

// RemoveByCode redeems a code: tokens.ErrNotFound unless this call is the
// one that removed it.
func (s *Store) RemoveByCode(ctx context.Context, code string) error {
	return s.redeem(ctx, record.Code, code)
}

// RemoveByRefresh redeems a refresh token: tokens.ErrNotFound unless this
// call is the one that removed it.
func (s *Store) RemoveByRefresh(ctx context.Context, refresh string) error {
	return s.redeem(ctx, record.Refresh, refresh)
}

// redeem reads a live code or refresh token, then deletes it and leaves
// its tombstone in one script that fails if another caller got there
// first.
func (s *Store) redeem(ctx context.Context, k record.Kind, value string) error {
	d, ok := record.DigestOf(value)
	if !ok {
		return tokens.ErrNotFound
	}
	key := s.artifactKey(k, d)
	v, err := s.cmd.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return tokens.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("redisstore: remove %c: %w", k, err)
	}
	t, err := record.Decode(v, k, d)
	if err != nil {
		return fmt.Errorf("redisstore: remove %c: %w", k, err)
	}
	now := s.now()
	exp := record.Expiry(t, k)
	if !record.Live(exp, now) {
		return tokens.ErrNotFound
	}
	var ttl int64
	if !exp.IsZero() {
		ttl = max(exp.Sub(now).Milliseconds(), 1)
	}
	tomb := record.EncodeTombstone(exp, tokens.Family(t))
	won, err := consume.Run(ctx, s.cmd, []string{key, s.tombstoneKey(d)}, v, tomb, ttl).Int()
	if err != nil {
		return fmt.Errorf("redisstore: remove %c: %w", k, err)
	}
	if won == 0 {
		return tokens.ErrNotFound
	}
	// The token is redeemed whatever happens next; a member left in an
	// index names keys that are gone, which every reader skips, and
	// expires with the set.
	_ = s.unindexIfGone(ctx, t)
	return nil
}

// RemoveByAccess deletes an access token; an unknown one is not an error.
func (s *Store) RemoveByAccess(ctx context.Context, access string) error {
	d, ok := record.DigestOf(access)
	if !ok {
		return nil
	}
	v, err := s.cmd.GetDel(ctx, s.artifactKey(record.Access, d)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("redisstore: remove access token: %w", err)
	}
	t, err := record.Decode(v, record.Access, d)
	if err != nil {
		return fmt.Errorf("redisstore: remove access token: %w", err)
	}
	// As in redeem, the index is tidied on a best-effort basis.
	_ = s.unindexIfGone(ctx, t)
	return nil
}

// unindexIfGone takes the record t out of its indexes once none of its
// artifacts is stored any more.
func (s *Store) unindexIfGone(ctx context.Context, t oauth2.TokenInfo) error {
	arts, err := record.Artifacts(t)
	if err != nil {
		return err
	}
	pipe := s.rdb.Pipeline()
	exists := make([]*redis.IntCmd, len(arts))
	for i, a := range arts {
		exists[i] = pipe.Exists(ctx, s.artifactKey(a.Kind, a.Digest))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return err
	}
	for _, e := range exists {
		if e.Val() > 0 {
			return nil
		}
	}
	member := string(record.Member(arts))
	pipe = s.rdb.Pipeline()
	for _, ref := range s.indexes(t, arts) {
		ref.remove(ctx, pipe, member)
	}
	_, err = pipe.Exec(ctx)
	return err
}
