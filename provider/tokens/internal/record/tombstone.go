package record

import (
	"encoding/binary"
	"time"
)

// EncodeTombstone returns the stored form of a tombstone: when it expires
// (the expiry of the redeemed artifact, zero for never) and the family of
// the record it came from. The expiry is kept so that a store can hide an
// expired tombstone before its own expiry mechanism removes it.
func EncodeTombstone(expires time.Time, family string) []byte {
	b := binary.AppendVarint(make([]byte, 0, 10+len(family)), unixMilli(expires))
	return append(b, family...)
}

// DecodeTombstone returns the expiry and family of a stored tombstone.
func DecodeTombstone(b []byte) (expires time.Time, family string, err error) {
	ms, n := binary.Varint(b)
	if n <= 0 {
		return time.Time{}, "", ErrCorrupt
	}
	if ms != 0 {
		expires = time.UnixMilli(ms)
	}
	return expires, string(b[n:]), nil
}
