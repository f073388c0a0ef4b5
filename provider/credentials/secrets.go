package credentials

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
)

// MinKeyLen is the shortest key SecretHasher accepts.
const MinKeyLen = 32

// SecretHasher hashes client secrets with HMAC-SHA-256 under a provider key,
// so a leaked client table alone does not allow checking guesses offline.
type SecretHasher struct {
	key []byte
	mac *MAC
}

// NewSecretHasher returns a hasher keyed with key (at least MinKeyLen bytes).
func NewSecretHasher(key []byte) (*SecretHasher, error) {
	if len(key) < MinKeyLen {
		return nil, errors.New("credentials: secret key shorter than 32 bytes")
	}
	return &SecretHasher{key: append([]byte(nil), key...), mac: NewMAC(key)}, nil
}

// Hash returns the stored form of secret.
func (h *SecretHasher) Hash(secret string) []byte {
	return h.mac.Sum(nil, []byte(secret))
}

// Verify reports in constant time whether secret hashes to stored.
func (h *SecretHasher) Verify(stored []byte, secret string) bool {
	if len(stored) == 0 {
		return false
	}
	var buf [sha256.Size]byte
	return subtle.ConstantTimeCompare(stored, h.mac.Sum(buf[:0], []byte(secret))) == 1
}

// Derive returns a key for another purpose (cookies, CSRF) derived from the
// provider key, so one configured secret serves them all independently.
func (h *SecretHasher) Derive(purpose string) []byte {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte("tongxing derive: " + purpose))
	return m.Sum(nil)
}
