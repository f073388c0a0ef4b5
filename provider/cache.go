package provider

import (
	"context"
	"sync"
	"time"
)

// maxCached bounds a recordCache; past it, expired entries are dropped,
// and if none are, everything is.
const maxCached = 1 << 16

// recordCache keeps records read by ID for a short time, so the reads on
// the path of every token request and token check (the client, the user)
// do not each go to the database. A zero ttl reads every time.
//
// It returns copies: a caller may not change what another one holds.
type recordCache[T any] struct {
	ttl  time.Duration
	now  func() time.Time
	load func(ctx context.Context, id string) (*T, error)
	max  int

	mu sync.RWMutex
	m  map[string]cached[T]
}

type cached[T any] struct {
	v     T
	until time.Time
}

func newRecordCache[T any](ttl time.Duration, now func() time.Time, load func(context.Context, string) (*T, error)) *recordCache[T] {
	return &recordCache[T]{ttl: ttl, now: now, load: load, max: maxCached, m: map[string]cached[T]{}}
}

// get returns the record, from the cache while it is fresh.
func (c *recordCache[T]) get(ctx context.Context, id string) (*T, error) {
	if c.ttl > 0 {
		c.mu.RLock()
		e, ok := c.m[id]
		c.mu.RUnlock()
		if ok && c.now().Before(e.until) {
			v := e.v
			return &v, nil
		}
	}
	return c.fresh(ctx, id)
}

// fresh reads the record from the store and caches it. Errors (a record
// that does not exist) are not cached: they would let unknown IDs fill
// the cache, and would hide a record created a moment later.
func (c *recordCache[T]) fresh(ctx context.Context, id string) (*T, error) {
	v, err := c.load(ctx, id)
	if c.ttl <= 0 {
		return v, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		delete(c.m, id)
		return nil, err
	}
	if len(c.m) >= c.max {
		c.prune()
	}
	c.m[id] = cached[T]{v: *v, until: c.now().Add(c.ttl)}
	out := *v
	return &out, nil
}

// prune drops expired entries, or all of them if none has expired.
func (c *recordCache[T]) prune() {
	now := c.now()
	for id, e := range c.m {
		if !now.Before(e.until) {
			delete(c.m, id)
		}
	}
	if len(c.m) >= c.max {
		clear(c.m)
	}
}
