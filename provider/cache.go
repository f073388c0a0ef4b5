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
// Change notices evict records (forget, reset) as soon as they change;
// the ttl bounds how long a change whose notice was lost goes unseen.
//
// It returns copies: a caller may not change what another one holds.
type recordCache[T any] struct {
	ttl  time.Duration
	now  func() time.Time
	load func(ctx context.Context, id string) (*T, error)
	max  int

	mu sync.RWMutex
	m  map[string]cached[T]
	// gen counts forgets and resets. A load that began under an earlier
	// generation may have read the record a forget was about (the writer
	// committed and its notice evicted while the load was under way), so
	// its value is returned but not stored.
	gen uint64
	// held stores nothing until the first reset: before a change feed has
	// subscribed, a notice could pass unheard.
	held bool
}

type cached[T any] struct {
	v     T
	until time.Time
}

func newRecordCache[T any](ttl time.Duration, now func() time.Time, load func(context.Context, string) (*T, error)) *recordCache[T] {
	return &recordCache[T]{ttl: ttl, now: now, load: load, max: maxCached, m: map[string]cached[T]{}}
}

// holdUntilReset makes the cache read every time until reset is first
// called; a change feed calls it once its subscription is in place.
func (c *recordCache[T]) holdUntilReset() {
	c.mu.Lock()
	c.held = true
	c.mu.Unlock()
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
	if c.ttl <= 0 {
		return c.load(ctx, id)
	}
	c.mu.RLock()
	gen := c.gen
	c.mu.RUnlock()
	v, err := c.load(ctx, id)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		delete(c.m, id)
		return nil, err
	}
	out := *v
	if c.held || c.gen != gen {
		return &out, nil
	}
	if len(c.m) >= c.max {
		c.prune()
	}
	c.m[id] = cached[T]{v: *v, until: c.now().Add(c.ttl)}
	return &out, nil
}

// forget drops the record with the ID, and keeps loads already under way
// from storing what they read.
func (c *recordCache[T]) forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.m, id)
}

// reset drops every record, keeps loads already under way from storing
// what they read, and ends the hold of holdUntilReset.
func (c *recordCache[T]) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.held = false
	clear(c.m)
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
