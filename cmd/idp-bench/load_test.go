package main

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

func TestRunLoadCountsTheWindow(t *testing.T) {
	var calls atomic.Int64
	do := func(ctx context.Context, w *worker) (time.Time, error) {
		start := time.Now()
		time.Sleep(2 * time.Millisecond)
		if calls.Add(1)%10 == 0 {
			return start, errors.New("boom")
		}
		return start, nil
	}
	var progress atomic.Int64
	began := time.Now()
	r := runLoad(context.Background(), loadConfig{connections: 4, warmup: 50 * time.Millisecond, duration: 200 * time.Millisecond, progress: &progress}, nil, do)
	if r.seconds < 0.19 || r.seconds > 0.21 {
		t.Errorf("window %.3fs, want 0.2s", r.seconds)
	}
	if from := r.from.Sub(began); from < 50*time.Millisecond || from > 60*time.Millisecond {
		t.Errorf("window began %v after the start, want the 50ms warm-up", from)
	}
	// The live count is the window's successful requests.
	if progress.Load() != r.requests {
		t.Errorf("progress %d, requests %d", progress.Load(), r.requests)
	}
	if r.requests == 0 || r.errors == 0 || int64(len(r.latencies)) != r.requests {
		t.Fatalf("requests %d, errors %d, latencies %d", r.requests, r.errors, len(r.latencies))
	}
	// Warm-up requests are not counted: at most ~4 workers * 250ms/2ms.
	if total := calls.Load(); r.requests+r.errors >= total {
		t.Errorf("counted %d of %d calls: the warm-up was counted", r.requests+r.errors, total)
	}
	if !slices.Equal(r.errSamples, []string{"boom"}) {
		t.Errorf("error samples %q", r.errSamples)
	}
	for _, l := range r.latencies {
		if l < 2*time.Millisecond {
			t.Fatalf("latency %v shorter than the request", l)
		}
	}
	if r.exhausted {
		t.Error("exhausted without a supply")
	}
}

func TestRunLoadEndsWhenTheSupplyRunsOut(t *testing.T) {
	s := &supply[int]{items: make([]int, 60)}
	do := func(ctx context.Context, w *worker) (time.Time, error) {
		if _, ok := s.take(); !ok {
			return time.Now(), errExhausted
		}
		start := time.Now()
		time.Sleep(time.Millisecond)
		return start, nil
	}
	start := time.Now()
	r := runLoad(context.Background(), loadConfig{connections: 3, warmup: 0, duration: 10 * time.Second}, nil, do)
	if time.Since(start) > 5*time.Second {
		t.Fatal("the run did not end when the supply ran out")
	}
	// Requests still in flight when the first worker found the supply empty
	// complete after the window and are not counted.
	if !r.exhausted || r.requests < 60-3 || r.requests > 60 || r.seconds <= 0 || r.seconds > 1 {
		t.Fatalf("exhausted %v, requests %d, seconds %.3f", r.exhausted, r.requests, r.seconds)
	}
}

func TestSupplyHandsOutEachItemOnce(t *testing.T) {
	s := &supply[int]{items: []int{1, 2, 3}}
	var got []int
	for {
		v, ok := s.take()
		if !ok {
			break
		}
		got = append(got, v)
	}
	if !slices.Equal(got, []int{1, 2, 3}) {
		t.Fatalf("got %v", got)
	}
	if _, ok := s.take(); ok {
		t.Fatal("an empty supply gave an item")
	}
}

func TestFill(t *testing.T) {
	var n atomic.Int64
	items, err := fill(context.Background(), 50, 4, 0, func(context.Context) (int64, error) { return n.Add(1), nil })
	if err != nil || len(items) != 50 {
		t.Fatalf("%d items, %v", len(items), err)
	}
	slices.Sort(items)
	if items[0] != 1 || items[49] != 50 {
		t.Fatalf("items %v", items)
	}

	start := time.Now()
	timed, err := fill(context.Background(), 1<<30, 2, 50*time.Millisecond, func(context.Context) (int, error) {
		time.Sleep(time.Millisecond)
		return 1, nil
	})
	if err != nil || len(timed) == 0 || time.Since(start) > 2*time.Second {
		t.Fatalf("budget: %d items in %v, %v", len(timed), time.Since(start), err)
	}

	boom := errors.New("boom")
	if _, err := fill(context.Background(), 100, 3, 0, func(context.Context) (int, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Fatalf("error %v, want boom", err)
	}
}

func TestRotating(t *testing.T) {
	r := &rotating[string]{items: []string{"a", "b"}}
	var got []string
	for range 5 {
		got = append(got, r.get())
	}
	if !slices.Equal(got, []string{"a", "b", "a", "b", "a"}) {
		t.Fatalf("got %v", got)
	}
}

func TestSupplyCap(t *testing.T) {
	if got := supplyCap(plan{window: 12 * time.Second}, 400); got != 4800 {
		t.Errorf("cap %d, want 4800", got)
	}
	if got := supplyCap(plan{window: 100 * time.Millisecond}, 400); got != 100 {
		t.Errorf("cap %d, want the floor of 100", got)
	}
}
