package keys

import (
	"bytes"
	"crypto"
	"fmt"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/tongxing/tongxing/models"
)

// key is one stored key as of the last reload: its lifetime, taken from the
// record, and its parsed material, which outlives reloads.
type key struct {
	activeFrom time.Time
	retiredAt  time.Time // zero while current
	expiresAt  time.Time // zero while current
	createdAt  time.Time
	*material
}

// material is the parsed, immutable part of a key. It is shared between
// successive states so a reload neither re-parses keys nor drops the cached
// signers.
type material struct {
	id      string
	alg     string
	der     []byte // as stored, to notice a record replaced under the same ID
	private crypto.Signer
	public  jose.JSONWebKey // public key with kid, alg and use
	signers sync.Map        // typ → *Signer
}

// signs reports whether the key may sign at now: active and not retired.
func (k *key) signs(now time.Time) bool {
	return !now.Before(k.activeFrom) && (k.retiredAt.IsZero() || now.Before(k.retiredAt))
}

// published reports whether the key belongs in the JWK Set at now: until
// its ExpiresAt, including before it signs.
func (k *key) published(now time.Time) bool {
	return k.expiresAt.IsZero() || !now.After(k.expiresAt)
}

// newerThan orders keys newest first: by ActiveFrom, then creation, then
// kid, so every replica picks the same current key from the same records.
func (k *key) newerThan(o *key) bool {
	if !k.activeFrom.Equal(o.activeFrom) {
		return k.activeFrom.After(o.activeFrom)
	}
	if !k.createdAt.Equal(o.createdAt) {
		return k.createdAt.After(o.createdAt)
	}
	return k.id > o.id
}

// loadKey builds the key of a record, reusing prev's material when the
// record still holds the same private key.
func loadKey(rec *models.SigningKey, prev *key) (*key, error) {
	k := &key{
		activeFrom: rec.ActiveFrom,
		createdAt:  rec.CreatedAt,
	}
	if rec.RetiredAt != nil {
		k.retiredAt = *rec.RetiredAt
	}
	if rec.ExpiresAt != nil {
		k.expiresAt = *rec.ExpiresAt
	}
	if prev != nil && prev.alg == rec.Alg && bytes.Equal(prev.der, rec.Private) {
		k.material = prev.material
		return k, nil
	}
	m, err := parseMaterial(rec)
	if err != nil {
		return nil, fmt.Errorf("keys: key %q: %w", rec.ID, err)
	}
	k.material = m
	return k, nil
}

// parseMaterial decodes and checks a record's private key: it must fit the
// algorithm and its thumbprint must be the record's ID, so the kid in the
// JWK Set always names the key that signed.
func parseMaterial(rec *models.SigningKey) (*material, error) {
	priv, err := parsePrivate(rec.Private)
	if err != nil {
		return nil, err
	}
	if err := checkKey(rec.Alg, priv); err != nil {
		return nil, err
	}
	kid, err := Thumbprint(priv.Public())
	if err != nil {
		return nil, err
	}
	if kid != rec.ID {
		return nil, fmt.Errorf("keys: ID is not the key's thumbprint %q", kid)
	}
	return &material{
		id:      rec.ID,
		alg:     rec.Alg,
		der:     bytes.Clone(rec.Private),
		private: priv,
		public: jose.JSONWebKey{
			Key:       priv.Public(),
			KeyID:     rec.ID,
			Algorithm: rec.Alg,
			Use:       "sig",
		},
	}, nil
}

// signer returns the cached signer of the key for a typ header, creating
// it on first use.
func (m *material) signer(typ string) (*Signer, error) {
	if s, ok := m.signers.Load(typ); ok {
		return s.(*Signer), nil
	}
	s, err := NewSigner(m.alg, m.id, typ, m.private)
	if err != nil {
		return nil, fmt.Errorf("keys: signer for %q: %w", m.id, err)
	}
	actual, _ := m.signers.LoadOrStore(typ, s)
	return actual.(*Signer), nil
}
