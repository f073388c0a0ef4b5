package boltstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-oauth2/oauth2/v4"
	bolt "go.etcd.io/bbolt"

	"github.com/tongxing/tongxing/provider/tokens"
	"github.com/tongxing/tongxing/provider/tokens/internal/record"
)

// Create stores ti under each of its artifacts that has not yet expired,
// and lists it in its indexes, in one transaction.
//
// It goes through bbolt's Batch: every committed transaction costs an
// fdatasync, which bounded the token endpoint at one issuance per disk
// flush; concurrent Creates now share one. Batch may run the function more
// than once, which is harmless here: it only puts, and the puts take effect
// only with the commit that Batch reports.
func (s *Store) Create(_ context.Context, ti oauth2.TokenInfo) error {
	arts, err := record.Artifacts(ti)
	if err != nil {
		return fmt.Errorf("boltstore: create: %w", err)
	}
	now := s.now()
	err = s.db.Batch(func(tx *bolt.Tx) error {
		queue := bucket(tx, bucketExpiry)
		stored := false
		for _, a := range arts {
			if !record.Live(a.Expires, now) {
				continue
			}
			val, err := record.Encode(ti, a.Kind)
			if err != nil {
				return err
			}
			if err := bucket(tx, artifactBucket(a.Kind)).Put(a.Digest[:], val); err != nil {
				return err
			}
			if !a.Expires.IsZero() {
				if err := queue.Put(expiryKey(a.Expires, artifactEntry(a)), nil); err != nil {
					return err
				}
			}
			stored = true
		}
		if !stored {
			return nil
		}
		member, exp := record.Member(arts), record.Latest(arts)
		for _, ix := range indexesOf(ti, arts) {
			sub, err := bucket(tx, ix.bucket).CreateBucketIfNotExists([]byte(ix.id))
			if err != nil {
				return err
			}
			if err := sub.Put(member, encodeExpiry(exp)); err != nil {
				return err
			}
			if !exp.IsZero() {
				if err := queue.Put(expiryKey(exp, indexEntry(ix, member)), nil); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("boltstore: create: %w", err)
	}
	return nil
}

// RemoveByCode redeems a code: tokens.ErrNotFound unless this call is the
// one that removed it.
func (s *Store) RemoveByCode(_ context.Context, code string) error {
	return s.consume(record.Code, code)
}

// RemoveByRefresh redeems a refresh token: tokens.ErrNotFound unless this
// call is the one that removed it.
func (s *Store) RemoveByRefresh(_ context.Context, refresh string) error {
	return s.consume(record.Refresh, refresh)
}

// consume deletes a live code or refresh token and leaves its tombstone,
// in one transaction, so that of concurrent callers exactly one succeeds.
func (s *Store) consume(k record.Kind, value string) error {
	d, ok := record.DigestOf(value)
	if !ok {
		return tokens.ErrNotFound
	}
	now := s.now()
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := bucket(tx, artifactBucket(k))
		v := b.Get(d[:])
		if v == nil {
			return tokens.ErrNotFound
		}
		t, err := record.Decode(v, k, d)
		if err != nil {
			return err
		}
		exp := record.Expiry(t, k)
		if !record.Live(exp, now) {
			return tokens.ErrNotFound
		}
		if err := b.Delete(d[:]); err != nil {
			return err
		}
		if err := bucket(tx, bucketTombstones).Put(d[:], record.EncodeTombstone(exp, tokens.Family(t))); err != nil {
			return err
		}
		if !exp.IsZero() {
			if err := bucket(tx, bucketExpiry).Put(expiryKey(exp, tombstoneEntry(d)), nil); err != nil {
				return err
			}
		}
		return unindexIfGone(tx, t)
	})
	if errors.Is(err, tokens.ErrNotFound) {
		return tokens.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("boltstore: remove %c: %w", k, err)
	}
	return nil
}

// RemoveByAccess deletes an access token; an unknown one is not an error.
func (s *Store) RemoveByAccess(_ context.Context, access string) error {
	d, ok := record.DigestOf(access)
	if !ok {
		return nil
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := bucket(tx, artifactBucket(record.Access))
		v := b.Get(d[:])
		if v == nil {
			return nil
		}
		t, err := record.Decode(v, record.Access, d)
		if err != nil {
			return err
		}
		if err := b.Delete(d[:]); err != nil {
			return err
		}
		return unindexIfGone(tx, t)
	})
	if err != nil {
		return fmt.Errorf("boltstore: remove access token: %w", err)
	}
	return nil
}

// unindexIfGone takes the record t out of its indexes once none of its
// artifacts is stored any more.
func unindexIfGone(tx *bolt.Tx, t oauth2.TokenInfo) error {
	arts, err := record.Artifacts(t)
	if err != nil {
		return err
	}
	for _, a := range arts {
		if bucket(tx, artifactBucket(a.Kind)).Get(a.Digest[:]) != nil {
			return nil
		}
	}
	return unindex(tx, indexesOf(t, arts), record.Member(arts), index{})
}

// unindex deletes member from each index but skip, and drops an index
// left empty.
func unindex(tx *bolt.Tx, ixs []index, member []byte, skip index) error {
	for _, ix := range ixs {
		if ix == skip {
			continue
		}
		if err := deleteMember(tx, ix, member); err != nil {
			return err
		}
	}
	return nil
}

// deleteMember deletes member from the index ix, and the index once empty.
func deleteMember(tx *bolt.Tx, ix index, member []byte) error {
	top := bucket(tx, ix.bucket)
	sub := top.Bucket([]byte(ix.id))
	if sub == nil {
		return nil
	}
	if err := sub.Delete(member); err != nil {
		return err
	}
	if k, _ := sub.Cursor().First(); k == nil {
		return top.DeleteBucket([]byte(ix.id))
	}
	return nil
}
