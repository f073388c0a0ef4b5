package admin

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tongxing/tongxing/provider/keys"
)

// Key is a signing key as the API shows it: never the private key.
type Key struct {
	KID        string     `json:"kid"`
	Alg        string     `json:"alg"`
	ActiveFrom time.Time  `json:"active_from"`
	RetiredAt  *time.Time `json:"retired_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	CreatedAt  time.Time  `json:"created_at"`
}

// ListKeys returns every stored signing key, newest first.
func (s *Service) ListKeys(ctx context.Context) ([]Key, error) {
	list, err := s.records.Keys.List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Key, len(list))
	for i, k := range list {
		out[i] = Key{KID: k.ID, Alg: k.Alg, ActiveFrom: k.ActiveFrom, RetiredAt: k.RetiredAt, ExpiresAt: k.ExpiresAt, CreatedAt: k.CreatedAt}
	}
	return out, nil
}

// errNoKeys is returned by RotateKey when the Service has no key set.
var errNoKeys = errors.New("admin: this service cannot rotate keys")

// RotateKey creates a new key of alg through the provider's key set: it is
// published at once and signs after the publish delay, when the key it
// replaces retires.
func (s *Service) RotateKey(ctx context.Context, alg string) (*Key, error) {
	if !slices.Contains(keys.Supported(), alg) {
		return nil, invalidField("alg", fmt.Sprintf("%q is not one of %s", alg, strings.Join(keys.Supported(), ", ")))
	}
	if s.keys == nil {
		return nil, errNoKeys
	}
	k, err := s.keys.Rotate(ctx, alg)
	if err != nil {
		return nil, err
	}
	out := &Key{KID: k.ID, Alg: k.Alg, ActiveFrom: k.ActiveFrom, RetiredAt: k.RetiredAt, ExpiresAt: k.ExpiresAt, CreatedAt: k.CreatedAt}
	s.record(ctx, change{action: "key.rotate", target: "key:" + k.ID, after: out})
	return out, nil
}
