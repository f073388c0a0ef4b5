package boltstore

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tongxing/tongxing/provider/tokens/internal/record"
)

// sweepBatch bounds the queue entries one sweep transaction handles, so
// that a long backlog does not hold the write lock for long.
const sweepBatch = 1000

// Sweep deletes the artifacts, tombstones and index members that have
// expired. The store runs it every SweepInterval; it is exported for
// callers that prefer to run it themselves or want to see its errors.
func (s *Store) Sweep() error {
	for {
		n, err := s.sweepOnce(s.now())
		if err != nil {
			return fmt.Errorf("boltstore: sweep: %w", err)
		}
		if n < sweepBatch {
			return nil
		}
	}
}

// sweepOnce handles up to sweepBatch queue entries due by now and returns
// how many it handled.
func (s *Store) sweepOnce(now time.Time) (int, error) {
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		queue := bucket(tx, bucketExpiry)
		due := make([][]byte, 0, sweepBatch)
		c := queue.Cursor()
		for k, _ := c.First(); k != nil && len(due) < sweepBatch; k, _ = c.Next() {
			if len(k) >= 8 && int64(binary.BigEndian.Uint64(k)) > now.UnixMilli() {
				break
			}
			due = append(due, bytes.Clone(k))
		}
		for _, k := range due {
			if len(k) > 8 {
				if err := expire(tx, k[8], k[9:], now); err != nil {
					return err
				}
			}
			if err := queue.Delete(k); err != nil {
				return err
			}
		}
		n = len(due)
		return nil
	})
	return n, err
}

// expire deletes what a due queue entry points to, if it is still there
// and has really expired: the same artifact may have been stored again
// with a later expiry, which has its own queue entry. Something due that
// cannot be decoded is deleted too, since no read can use it; an entry
// that cannot be parsed points nowhere and is only dropped.
func expire(tx *bolt.Tx, tag byte, rest []byte, now time.Time) error {
	switch tag {
	case byte(record.Code), byte(record.Access), byte(record.Refresh):
		k := record.Kind(tag)
		var d record.Digest
		copy(d[:], rest)
		return deleteIfExpired(bucket(tx, artifactBucket(k)), rest, now, func(v []byte) (time.Time, error) {
			t, err := record.Decode(v, k, d)
			if err != nil {
				return time.Time{}, err
			}
			return record.Expiry(t, k), nil
		})
	case entryTombstone:
		return deleteIfExpired(bucket(tx, bucketTombstones), rest, now, func(v []byte) (time.Time, error) {
			exp, _, err := record.DecodeTombstone(v)
			return exp, err
		})
	case entryIndex:
		ix, member, err := parseIndexEntry(rest)
		if err != nil {
			return nil
		}
		sub := bucket(tx, ix.bucket).Bucket([]byte(ix.id))
		if sub == nil {
			return nil
		}
		if v := sub.Get(member); v == nil || record.Live(decodeExpiry(v), now) {
			return nil
		}
		return deleteMember(tx, ix, member)
	}
	return nil
}

// deleteIfExpired deletes key from b unless the expiry its value states
// is still ahead of now.
func deleteIfExpired(b *bolt.Bucket, key []byte, now time.Time, expiry func([]byte) (time.Time, error)) error {
	v := b.Get(key)
	if v == nil {
		return nil
	}
	if exp, err := expiry(v); err == nil && record.Live(exp, now) {
		return nil
	}
	return b.Delete(key)
}
