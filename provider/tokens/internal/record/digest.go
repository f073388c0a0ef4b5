package record

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"github.com/tongxing/tongxing/provider/tokens"
)

// Digest is the SHA-256 of a token value: what a tokens.Ref encodes and
// what the stores key records by.
type Digest [sha256.Size]byte

// DigestOf returns the digest of a token value or of a Ref. ok is false
// for an empty value and for a Ref that does not encode a digest, which no
// store can hold.
func DigestOf(value string) (d Digest, ok bool) {
	if value == "" {
		return d, false
	}
	ref := tokens.Ref(value)
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(ref, refPrefix))
	if err != nil || len(raw) != len(d) {
		return d, false
	}
	copy(d[:], raw)
	return d, true
}

// Ref returns the tokens.Ref the digest stands for.
func (d Digest) Ref() string { return refPrefix + d.String() }

// String returns the digest as unpadded base64url, the form used in keys.
func (d Digest) String() string { return base64.RawURLEncoding.EncodeToString(d[:]) }

// refPrefix is what tokens.Ref puts before the digest; a test holds the
// two together.
const refPrefix = "ref:"
