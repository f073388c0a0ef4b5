package boltstore

import (
	"bytes"
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/tongxing/tongxing/provider/tokens/internal/record"
)

// RevokeFamily removes every code, access and refresh token of a family.
func (s *Store) RevokeFamily(_ context.Context, family string) error {
	return s.revoke(index{bucketFamilies, family})
}

// RevokeClient removes every record of a client that has a code or a
// refresh token (see tokens.Store).
func (s *Store) RevokeClient(_ context.Context, clientID string) error {
	return s.revoke(index{bucketClients, clientID})
}

// RevokeUser removes every token issued for a user.
func (s *Store) RevokeUser(_ context.Context, userID string) error {
	return s.revoke(index{bucketUsers, userID})
}

// revoke deletes every artifact the index ix lists, takes those records
// out of their other indexes, and drops ix, in one transaction.
func (s *Store) revoke(ix index) error {
	if ix.id == "" {
		return nil
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		top := bucket(tx, ix.bucket)
		sub := top.Bucket([]byte(ix.id))
		if sub == nil {
			return nil
		}
		var members [][]byte
		if err := sub.ForEach(func(m, _ []byte) error {
			members = append(members, bytes.Clone(m))
			return nil
		}); err != nil {
			return err
		}
		for _, m := range members {
			if err := deleteRecord(tx, ix, m); err != nil {
				return err
			}
		}
		return top.DeleteBucket([]byte(ix.id))
	})
	if err != nil {
		return fmt.Errorf("boltstore: revoke %s %q: %w", ix.bucket, ix.id, err)
	}
	return nil
}

// deleteRecord deletes the artifacts of an index member and takes the
// member out of the record's indexes other than from.
func deleteRecord(tx *bolt.Tx, from index, member []byte) error {
	arts, err := record.ParseMember(member)
	if err != nil {
		return err
	}
	var others []index
	for _, a := range arts {
		b := bucket(tx, artifactBucket(a.Kind))
		v := b.Get(a.Digest[:])
		if v == nil {
			continue
		}
		if others == nil {
			t, err := record.Decode(v, a.Kind, a.Digest)
			if err != nil {
				return err
			}
			others = indexesOf(t, arts)
		}
		if err := b.Delete(a.Digest[:]); err != nil {
			return err
		}
	}
	return unindex(tx, others, member, from)
}
