package keys

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/tongxing/tongxing/models"
)

// Ensure creates a key for each of algs that has none in service (every
// stored key of it retired, or none stored), active at once. It is what a
// server runs at start-up and is idempotent. Two replicas starting together
// on an empty database may both create one; the newest signs everywhere and
// the other is retired by the next Rotate.
func (s *Set) Ensure(ctx context.Context, algs ...string) error {
	for _, alg := range algs {
		if !isSupported(alg) {
			return unsupported(alg)
		}
	}
	s.write.Lock()
	defer s.write.Unlock()
	recs, err := s.repo.List(ctx)
	if err != nil {
		return fmt.Errorf("keys: list: %w", err)
	}
	inService := make(map[string]bool)
	for _, r := range recs {
		if r.RetiredAt == nil {
			inService[r.Alg] = true
		}
	}
	for _, alg := range algs {
		if inService[alg] {
			continue
		}
		now := s.now()
		if _, err := s.create(ctx, alg, now, now); err != nil {
			return err
		}
		inService[alg] = true
	}
	return s.Reload(ctx)
}

// Rotate creates a new key for alg that signs from now+PublishDelay and
// retires the key(s) of alg in service at that same instant, keeping them
// published for MaxTokenLifetime more. It then deletes the keys whose
// ExpiresAt has passed and reloads. It only writes through the repository,
// so the CLI can rotate the shared database while servers run: they follow
// at their next reload, which must come within PublishDelay.
//
// The returned record carries no private key.
func (s *Set) Rotate(ctx context.Context, alg string) (*models.SigningKey, error) {
	if !isSupported(alg) {
		return nil, unsupported(alg)
	}
	s.write.Lock()
	defer s.write.Unlock()
	recs, err := s.repo.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("keys: list: %w", err)
	}
	now := s.now()
	activeFrom := now.Add(s.opts.PublishDelay)
	// Create first: a failure between the two writes then leaves an extra
	// published key rather than an algorithm with nothing to sign with.
	rec, err := s.create(ctx, alg, activeFrom, now)
	if err != nil {
		return nil, err
	}
	expiresAt := activeFrom.Add(s.opts.MaxTokenLifetime)
	for _, r := range recs {
		if r.Alg != alg || r.RetiredAt != nil || r.ID == rec.ID {
			continue
		}
		err := s.repo.Retire(ctx, r.ID, activeFrom, expiresAt)
		// ErrNotFound: a concurrent rotation retired or deleted it first.
		if err != nil && !errors.Is(err, models.ErrNotFound) {
			return nil, fmt.Errorf("keys: retire %q: %w", r.ID, err)
		}
	}
	if _, err := s.repo.DeleteExpired(ctx, now); err != nil {
		return nil, fmt.Errorf("keys: delete expired: %w", err)
	}
	if err := s.Reload(ctx); err != nil {
		return nil, err
	}
	out := *rec
	out.Private = nil
	return &out, nil
}

// create generates and stores a key of alg.
func (s *Set) create(ctx context.Context, alg string, activeFrom, now time.Time) (*models.SigningKey, error) {
	priv, err := GenerateKey(alg)
	if err != nil {
		return nil, fmt.Errorf("keys: generate %s: %w", alg, err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("keys: encode %s: %w", alg, err)
	}
	kid, err := Thumbprint(priv.Public())
	if err != nil {
		return nil, err
	}
	rec := &models.SigningKey{
		ID:         kid,
		Alg:        alg,
		Private:    der,
		ActiveFrom: activeFrom,
		CreatedAt:  now,
	}
	if err := s.repo.Create(ctx, rec); err != nil {
		return nil, fmt.Errorf("keys: store %s key: %w", alg, err)
	}
	return rec, nil
}

// now is the clock reading written to records: UTC, to the millisecond, the
// precision every supported database keeps, so the times a replica reads back
// are the times this one computed with.
func (s *Set) now() time.Time {
	return s.opts.Clock().UTC().Truncate(time.Millisecond)
}
