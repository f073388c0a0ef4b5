package boltstore

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/go-oauth2/oauth2/v4"
	bolt "go.etcd.io/bbolt"

	"github.com/tongxing/tongxing/provider/tokens"
	"github.com/tongxing/tongxing/provider/tokens/internal/record"
)

// Top-level buckets. Artifact buckets are named by their record.Kind.
const (
	bucketTombstones = "t"
	bucketExpiry     = "x"
	bucketFamilies   = "if"
	bucketClients    = "ic"
	bucketUsers      = "iu"
)

// allBuckets lists every top-level bucket, created when the file opens.
func allBuckets() []string {
	return []string{
		artifactBucket(record.Code), artifactBucket(record.Access), artifactBucket(record.Refresh),
		bucketTombstones, bucketExpiry, bucketFamilies, bucketClients, bucketUsers,
	}
}

// artifactBucket names the bucket of one artifact kind: the kind letter.
func artifactBucket(k record.Kind) string { return string(rune(k)) }

// index is one index a record is listed in: the top-level bucket of its
// kind and the sub-bucket of one family, client or user.
type index struct {
	bucket string
	id     string
}

// indexesOf lists the indexes a record with these artifacts belongs to.
func indexesOf(ti oauth2.TokenInfo, arts []record.Artifact) []index {
	var ix []index
	if c := record.IndexedClient(ti, arts); c != "" {
		ix = append(ix, index{bucketClients, c})
	}
	if u := ti.GetUserID(); u != "" {
		ix = append(ix, index{bucketUsers, u})
	}
	if fam := tokens.Family(ti); fam != "" && record.Indexed(arts, ti.GetUserID()) {
		ix = append(ix, index{bucketFamilies, fam})
	}
	return ix
}

// Entry tags of the expiry queue, after the 8-byte expiry. Artifact
// entries are tagged with their record.Kind.
const (
	entryTombstone = 't'
	entryIndex     = 'i'
)

// expiryKey returns the queue key for an entry expiring at exp: the expiry
// first, big-endian, so the queue is walked in expiry order.
func expiryKey(exp time.Time, entry []byte) []byte {
	k := make([]byte, 8, 8+len(entry))
	binary.BigEndian.PutUint64(k, uint64(max(exp.UnixMilli(), 0)))
	return append(k, entry...)
}

func artifactEntry(a record.Artifact) []byte {
	return append([]byte{byte(a.Kind)}, a.Digest[:]...)
}

func tombstoneEntry(d record.Digest) []byte {
	return append([]byte{entryTombstone}, d[:]...)
}

func indexEntry(ix index, member []byte) []byte {
	e := []byte{entryIndex, ix.bucket[1]}
	e = binary.AppendUvarint(e, uint64(len(ix.id)))
	e = append(e, ix.id...)
	return append(e, member...)
}

// parseIndexEntry is the inverse of indexEntry, without the tag.
func parseIndexEntry(e []byte) (index, []byte, error) {
	if len(e) < 1 {
		return index{}, nil, fmt.Errorf("index queue entry: %w", record.ErrCorrupt)
	}
	b := "i" + string(rune(e[0]))
	switch b {
	case bucketFamilies, bucketClients, bucketUsers:
	default:
		return index{}, nil, fmt.Errorf("index queue entry for %q: %w", b, record.ErrCorrupt)
	}
	n, w := binary.Uvarint(e[1:])
	if w <= 0 || uint64(len(e)-1-w) < n {
		return index{}, nil, fmt.Errorf("index queue entry: %w", record.ErrCorrupt)
	}
	id := e[1+w : 1+w+int(n)]
	return index{b, string(id)}, e[1+w+int(n):], nil
}

// encodeExpiry is the value of an index member: when it expires, unix
// milliseconds, 0 for never.
func encodeExpiry(exp time.Time) []byte {
	v := make([]byte, 8)
	if !exp.IsZero() {
		binary.BigEndian.PutUint64(v, uint64(max(exp.UnixMilli(), 1)))
	}
	return v
}

func decodeExpiry(v []byte) time.Time {
	if len(v) != 8 {
		return time.Time{}
	}
	ms := binary.BigEndian.Uint64(v)
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(int64(ms))
}

// bucket returns a top-level bucket, which Open created.
func bucket(tx *bolt.Tx, name string) *bolt.Bucket { return tx.Bucket([]byte(name)) }
