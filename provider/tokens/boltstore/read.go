package boltstore

import (
	"context"
	"fmt"

	"github.com/go-oauth2/oauth2/v4"
	bolt "go.etcd.io/bbolt"

	"github.com/tongxing/tongxing/provider/tokens"
	"github.com/tongxing/tongxing/provider/tokens/internal/record"
)

// GetByCode returns the record of a live code, or nil.
func (s *Store) GetByCode(_ context.Context, code string) (oauth2.TokenInfo, error) {
	return s.get(record.Code, code)
}

// GetByAccess returns the record of a live access token, or nil.
func (s *Store) GetByAccess(_ context.Context, access string) (oauth2.TokenInfo, error) {
	return s.get(record.Access, access)
}

// GetByRefresh returns the record of a live refresh token, or nil.
func (s *Store) GetByRefresh(_ context.Context, refresh string) (oauth2.TokenInfo, error) {
	return s.get(record.Refresh, refresh)
}

// get returns the record stored under the kind artifact value, with value
// put back in place of its Ref; nil when unknown or expired.
func (s *Store) get(k record.Kind, value string) (oauth2.TokenInfo, error) {
	d, ok := record.DigestOf(value)
	if !ok {
		return nil, nil
	}
	var found oauth2.TokenInfo
	err := s.db.View(func(tx *bolt.Tx) error {
		v := bucket(tx, artifactBucket(k)).Get(d[:])
		if v == nil {
			return nil
		}
		t, err := record.Decode(v, k, d)
		if err != nil {
			return err
		}
		if record.Live(record.Expiry(t, k), s.now()) {
			record.SetValue(t, k, value)
			found = t
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("boltstore: get %c: %w", k, err)
	}
	return found, nil
}

// Consumed returns the family of a redeemed code or refresh token while
// its tombstone lasts.
func (s *Store) Consumed(_ context.Context, value string) (string, error) {
	d, ok := record.DigestOf(value)
	if !ok {
		return "", tokens.ErrNotFound
	}
	var fam string
	err := s.db.View(func(tx *bolt.Tx) error {
		v := bucket(tx, bucketTombstones).Get(d[:])
		if v == nil {
			return tokens.ErrNotFound
		}
		exp, f, err := record.DecodeTombstone(v)
		if err != nil {
			return fmt.Errorf("boltstore: tombstone: %w", err)
		}
		if !record.Live(exp, s.now()) {
			return tokens.ErrNotFound
		}
		fam = f
		return nil
	})
	return fam, err
}

// ListUser returns the live access/refresh records of a user, one per
// record, with every token as its Ref.
func (s *Store) ListUser(_ context.Context, userID string) ([]oauth2.TokenInfo, error) {
	if userID == "" {
		return nil, nil
	}
	now := s.now()
	var list []oauth2.TokenInfo
	// A record stored again under its refresh token with a new access
	// token is reachable from its old index member too; list it once.
	seen := map[string]bool{}
	err := s.db.View(func(tx *bolt.Tx) error {
		sub := bucket(tx, bucketUsers).Bucket([]byte(userID))
		if sub == nil {
			return nil
		}
		return sub.ForEach(func(member, _ []byte) error {
			arts, err := record.ParseMember(member)
			if err != nil {
				return err
			}
			for _, a := range arts {
				if a.Kind == record.Code {
					continue
				}
				v := bucket(tx, artifactBucket(a.Kind)).Get(a.Digest[:])
				if v == nil {
					continue
				}
				t, err := record.Decode(v, a.Kind, a.Digest)
				if err != nil {
					return err
				}
				if !record.Live(record.Expiry(t, a.Kind), now) {
					continue
				}
				own, err := record.Artifacts(t)
				if err != nil {
					return err
				}
				if id := string(record.Member(own)); !seen[id] {
					seen[id] = true
					list = append(list, t)
				}
				return nil
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("boltstore: list user: %w", err)
	}
	return list, nil
}
