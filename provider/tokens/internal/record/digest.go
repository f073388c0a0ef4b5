package record

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// Digest is the SHA-256 of a token value: what a tokens.Ref encodes and
// what the stores key records by.
type Digest [sha256.Size]byte

// DigestOf returns the digest of a token value or of a Ref. ok is false
// for an empty value and for a Ref that does not encode a digest, which no
// store can hold.
//
// It computes what decoding tokens.Ref(value) would give, without the
// encoding and decoding in between: every token read and write takes it.
func DigestOf(value string) (d Digest, ok bool) {
	if value == "" {
		return d, false
	}
	enc, isRef := strings.CutPrefix(value, refPrefix)
	if !isRef {
		return sha256.Sum256([]byte(value)), true
	}
	if base64.RawURLEncoding.DecodedLen(len(enc)) != len(d) {
		return d, false
	}
	n, err := base64.RawURLEncoding.Decode(d[:], []byte(enc))
	return d, err == nil && n == len(d)
}

// Ref returns the tokens.Ref the digest stands for.
func (d Digest) Ref() string { return refPrefix + d.String() }

// String returns the digest as unpadded base64url, the form used in keys.
func (d Digest) String() string { return base64.RawURLEncoding.EncodeToString(d[:]) }

// refPrefix is what tokens.Ref puts before the digest; a test holds the
// two together.
const refPrefix = "ref:"
