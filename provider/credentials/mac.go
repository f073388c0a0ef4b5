package credentials

import (
	"crypto/hmac"
	"crypto/sha256"
	"hash"
	"sync"
)

// MAC is HMAC-SHA-256 under one key, safe for concurrent use. It runs on
// the path of every client authentication and opaque token check, so it
// keeps keyed states for reuse: hmac.New hashes the key's pads and
// allocates on every call, which Reset on a kept state does not.
type MAC struct {
	pool sync.Pool
}

// NewMAC returns the MAC under key.
func NewMAC(key []byte) *MAC {
	key = append([]byte(nil), key...)
	return &MAC{pool: sync.Pool{New: func() any { return hmac.New(sha256.New, key) }}}
}

// Sum appends the MAC of data to dst and returns the result.
func (m *MAC) Sum(dst, data []byte) []byte {
	h := m.pool.Get().(hash.Hash)
	h.Write(data)
	dst = h.Sum(dst)
	h.Reset()
	m.pool.Put(h)
	return dst
}
