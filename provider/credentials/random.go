package credentials

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
)

// RandomToken returns n random bytes as unpadded base64url.
func RandomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// RandomHex returns n random bytes as lower-case hex.
func RandomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// NewClientSecret returns a fresh 256-bit client secret.
func NewClientSecret() string { return RandomToken(32) }
