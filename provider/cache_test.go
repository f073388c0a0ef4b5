package provider

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

type rec struct{ Name string }

func TestRecordCache(t *testing.T) {
	now := time.Unix(1000, 0)
	clock := func() time.Time { return now }
	loads := map[string]int{}
	store := map[string]string{"a": "first"}
	load := func(_ context.Context, id string) (*rec, error) {
		loads[id]++
		name, ok := store[id]
		if !ok {
			return nil, errors.New("not found")
		}
		return &rec{name}, nil
	}
	ctx := context.Background()

	t.Run("zero ttl reads every time", func(t *testing.T) {
		c := newRecordCache(0, clock, load)
		clear(loads)
		c.get(ctx, "a")
		c.get(ctx, "a")
		if loads["a"] != 2 {
			t.Fatalf("%d loads", loads["a"])
		}
	})

	c := newRecordCache(time.Minute, clock, load)
	clear(loads)
	v, err := c.get(ctx, "a")
	if err != nil || v.Name != "first" {
		t.Fatal(v, err)
	}
	v.Name = "changed by a caller"
	store["a"] = "second"
	if v, _ := c.get(ctx, "a"); v.Name != "first" || loads["a"] != 1 {
		t.Fatalf("cached read: %q after %d loads", v.Name, loads["a"])
	}
	if v, _ := c.fresh(ctx, "a"); v.Name != "second" {
		t.Fatalf("fresh read: %q", v.Name)
	}
	store["a"] = "third"
	now = now.Add(time.Minute)
	if v, _ := c.get(ctx, "a"); v.Name != "third" {
		t.Fatalf("after the ttl: %q", v.Name)
	}
	for range 2 {
		if _, err := c.get(ctx, "missing"); err == nil {
			t.Fatal("a missing record was found")
		}
	}
	if loads["missing"] != 2 {
		t.Fatalf("errors were cached: %d loads", loads["missing"])
	}
	store["missing"] = "created"
	if v, err := c.get(ctx, "missing"); err != nil || v.Name != "created" {
		t.Fatal("a record created after a miss is not found")
	}

	t.Run("bounded", func(t *testing.T) {
		c := newRecordCache(time.Minute, clock, func(_ context.Context, id string) (*rec, error) { return &rec{id}, nil })
		c.max = 3
		for _, id := range []string{"1", "2", "3", "4", "5"} {
			c.get(ctx, id)
			if len(c.m) > c.max {
				t.Fatalf("%d entries, bound %d", len(c.m), c.max)
			}
		}
	})
}

func TestRecordCacheForgetAndReset(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1000, 0)
	store := map[string]string{"a": "a1", "b": "b1"}
	loads := 0
	c := newRecordCache(time.Minute, func() time.Time { return now }, func(_ context.Context, id string) (*rec, error) {
		loads++
		return &rec{store[id]}, nil
	})
	c.get(ctx, "a")
	c.get(ctx, "b")
	store["a"], store["b"] = "a2", "b2"
	c.forget("a")
	if v, _ := c.get(ctx, "a"); v.Name != "a2" {
		t.Errorf("after forget: %q", v.Name)
	}
	if v, _ := c.get(ctx, "b"); v.Name != "b1" {
		t.Errorf("forget dropped another record: %q", v.Name)
	}
	if loads != 3 {
		t.Errorf("%d loads, want 3", loads)
	}
	c.reset()
	if v, _ := c.get(ctx, "b"); v.Name != "b2" || len(c.m) != 1 {
		t.Errorf("after reset: %q, %d entries", v.Name, len(c.m))
	}
}

// A reader that loaded a record before a writer changed it and the notice
// evicted it must not store what it read: that would serve the old record
// for a whole TTL after the notice.
func TestRecordCacheLoadRacingAnEviction(t *testing.T) {
	for name, evict := range map[string]func(c *recordCache[rec]){
		"forget":          func(c *recordCache[rec]) { c.forget("a") },
		"reset":           func(c *recordCache[rec]) { c.reset() },
		"forget and more": func(c *recordCache[rec]) { c.forget("a"); c.forget("a"); c.reset() },
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			now := time.Unix(1000, 0)
			var mu sync.Mutex
			current := "old"
			loaded, release := make(chan struct{}), make(chan struct{})
			block := true
			c := newRecordCache(time.Minute, func() time.Time { return now }, func(_ context.Context, id string) (*rec, error) {
				mu.Lock()
				v, b := current, block
				block = false
				mu.Unlock()
				if b {
					close(loaded) // the reader holds the old record
					<-release     // until the test has evicted it
				}
				return &rec{v}, nil
			})
			got := make(chan string)
			go func() {
				v, _ := c.get(ctx, "a")
				got <- v.Name
			}()
			<-loaded
			mu.Lock()
			current = "new" // the writer commits
			mu.Unlock()
			evict(c) // and its notice evicts
			close(release)
			if v := <-got; v != "old" {
				t.Fatalf("the racing reader got %q", v)
			}
			if v, _ := c.get(ctx, "a"); v.Name != "new" {
				t.Fatalf("the record read before the eviction was stored: %q", v.Name)
			}
			if v, _ := c.get(ctx, "a"); v.Name != "new" || len(c.m) != 1 {
				t.Fatalf("a later read was not stored: %q, %d entries", v.Name, len(c.m))
			}
		})
	}
}

// Held, the cache reads every time; the first reset starts it.
func TestRecordCacheHeldUntilReset(t *testing.T) {
	ctx := context.Background()
	loads := 0
	c := newRecordCache(time.Minute, time.Now, func(_ context.Context, id string) (*rec, error) {
		loads++
		return &rec{id}, nil
	})
	c.holdUntilReset()
	c.get(ctx, "a")
	c.get(ctx, "a")
	c.forget("a")
	c.get(ctx, "a")
	if loads != 3 {
		t.Fatalf("held: %d loads, want 3", loads)
	}
	c.reset()
	c.get(ctx, "a")
	c.get(ctx, "a")
	if loads != 4 {
		t.Fatalf("after the reset: %d loads, want 4", loads)
	}
}
