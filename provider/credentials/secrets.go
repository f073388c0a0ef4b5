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
}

// NewSecretHasher returns a hasher keyed with key (at least MinKeyLen bytes).
func NewSecretHasher(key []byte) (*SecretHasher, error) {
	if len(key) < MinKeyLen {
		return nil, errors.New("credentials: secret key shorter than 32 bytes")
	}
	return &SecretHasher{key: append([]byte(nil), key...)}, nil
}

// Hash returns the stored form of secret.
func (h *SecretHasher) Hash(secret string) []byte {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte(secret))
	return m.Sum(nil)
}

// Verify reports in constant time whether secret hashes to stored.
func (h *SecretHasher) Verify(stored []byte, secret string) bool {
	if len(stored) == 0 {
		return false
	}
	return subtle.ConstantTimeCompare(stored, h.Hash(secret)) == 1
}

// Derive returns a key for another purpose (cookies, CSRF) derived from the
// provider key, so one configured secret serves them all independently.
func (h *SecretHasher) Derive(purpose string) []byte {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte("tongxing derive: " + purpose))
	return m.Sum(nil)
}
