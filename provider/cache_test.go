package provider

import (
	"context"
	"errors"
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
