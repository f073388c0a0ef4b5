package keys

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tongxing/tongxing/models"
)

// Set is the provider's signing keys as last read from the repository. Its
// read side (Sign, JWKS, PublicKey, Algorithms) takes no lock: it reads an
// immutable state that Reload swaps atomically. Safe for concurrent use.
type Set struct {
	repo  models.SigningKeys
	opts  Options
	state atomic.Pointer[state]
	// reload serialises Reload so a slow, older read never replaces a newer
	// one; write serialises Ensure and Rotate within the process.
	reload sync.Mutex
	write  sync.Mutex
}

// state is an immutable snapshot of the stored keys.
type state struct {
	keys  []*key            // every key of a supported algorithm, newest first
	byID  map[string]*key   // by kid
	byAlg map[string][]*key // newest first
}

// New loads the keys of repo. It creates none: call Ensure for the
// algorithms the provider signs with.
func New(ctx context.Context, repo models.SigningKeys, opts Options) (*Set, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Set{repo: repo, opts: opts}
	s.state.Store(&state{})
	if err := s.Reload(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Reload re-reads the repository so keys created, rotated or deleted by the
// CLI or another replica take effect here. On error the previous keys stay
// in use. Keys of algorithms this build does not support are ignored, so an
// older replica keeps running beside a newer one.
func (s *Set) Reload(ctx context.Context) error {
	s.reload.Lock()
	defer s.reload.Unlock()
	recs, err := s.repo.List(ctx)
	if err != nil {
		return fmt.Errorf("keys: list: %w", err)
	}
	prev := s.state.Load()
	next := &state{
		byID:  make(map[string]*key, len(recs)),
		byAlg: make(map[string][]*key),
	}
	for i := range recs {
		rec := &recs[i]
		if !isSupported(rec.Alg) {
			continue
		}
		k, err := loadKey(rec, prev.byID[rec.ID])
		if err != nil {
			return err
		}
		next.keys = append(next.keys, k)
		next.byID[k.id] = k
	}
	slices.SortFunc(next.keys, func(a, b *key) int {
		switch {
		case a.newerThan(b):
			return -1
		case b.newerThan(a):
			return 1
		}
		return 0
	})
	for _, k := range next.keys {
		next.byAlg[k.alg] = append(next.byAlg[k.alg], k)
	}
	s.state.Store(next)
	return nil
}

// Run reloads the keys every Options.ReloadInterval until ctx is done, so a
// server follows rotations made elsewhere. Failures are logged and retried
// at the next tick; the keys in use stay.
func (s *Set) Run(ctx context.Context) {
	t := time.NewTicker(s.opts.ReloadInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.Reload(ctx); err != nil && ctx.Err() == nil {
				s.opts.Logger.ErrorContext(ctx, "signing keys reload failed", "err", err)
			}
		}
	}
}

// current returns the key of alg that signs at now: the newest one active
// and not retired.
func (s *Set) current(alg string, now time.Time) (*key, error) {
	for _, k := range s.state.Load().byAlg[alg] {
		if k.signs(now) {
			return k, nil
		}
	}
	if !isSupported(alg) {
		return nil, unsupported(alg)
	}
	return nil, fmt.Errorf("%w for %s", ErrNoKey, alg)
}
