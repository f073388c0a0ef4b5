package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// errExhausted is returned by an op whose prepared supply (codes, login
// forms, refresh tokens) ran out: the measured window ends there, for every
// worker, and the rate is taken over the shorter window.
var errExhausted = errors.New("prepared supply exhausted")

// op performs one request of a scenario on w and returns when the timed
// part of it began (normally just before sending), and an error when the
// request failed: a transport error, an unexpected status or a body that
// does not validate.
type op func(ctx context.Context, w *worker) (time.Time, error)

// worker is one client connection's loop.
type worker struct {
	id     int
	client *http.Client
	buf    bytes.Buffer
	// state carries what a chained scenario hands from one request to the
	// next (a refresh token).
	state string
}

// send sends req and reads the whole body into the worker's buffer, so the
// connection is reused. The body is valid until the next send.
func (w *worker) send(req *http.Request) (*http.Response, []byte, error) {
	resp, err := w.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	w.buf.Reset()
	if _, err := w.buf.ReadFrom(resp.Body); err != nil {
		return nil, nil, err
	}
	return resp, w.buf.Bytes(), nil
}

// statusError reports an unexpected response, with the start of its body.
func statusError(resp *http.Response, body []byte) error {
	const show = 160
	b := body
	if len(b) > show {
		b = b[:show]
	}
	return fmt.Errorf("status %d: %s", resp.StatusCode, bytes.TrimSpace(b))
}

// newLoadClient returns an HTTP/1.1 client keeping up to conns connections
// alive to one host, following no redirects.
func newLoadClient(conns int) *http.Client {
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// loadConfig is the shape of one load run.
type loadConfig struct {
	connections int
	warmup      time.Duration
	duration    time.Duration
	// progress, when not nil, counts the successful requests of the
	// measured window as they complete, for whoever samples the server
	// meanwhile; it ends equal to the result's requests.
	progress *atomic.Int64
}

// loadResult is what one load run measured.
type loadResult struct {
	// completed counts every request that completed, in the window or not:
	// what the server worked on during the whole run.
	completed int64
	requests  int64
	errors    int64
	// from is when the measured window began; it lasted seconds.
	from       time.Time
	seconds    float64
	latencies  []time.Duration
	exhausted  bool
	errSamples []string
}

// maxErrSamples bounds the distinct error messages kept per run.
const maxErrSamples = 3

// runLoad runs do on cfg.connections workers sharing client, first for
// the warm-up, then for the measured window. A request counts in the
// window when it completes within it. The window ends early when an op
// reports errExhausted.
func runLoad(ctx context.Context, cfg loadConfig, client *http.Client, do op) *loadResult {
	windowStart := time.Now().Add(cfg.warmup)
	from := windowStart.UnixNano()
	var end atomic.Int64
	end.Store(from + int64(cfg.duration))
	type tally struct {
		completed        int64
		requests, errors int64
		latencies        []time.Duration
		samples          []string
		exhausted        bool
	}
	tallies := make([]tally, cfg.connections)
	var wg sync.WaitGroup
	for i := range cfg.connections {
		wg.Go(func() {
			t := &tallies[i]
			w := &worker{id: i, client: client}
			for ctx.Err() == nil && time.Now().UnixNano() < end.Load() {
				began, err := do(ctx, w)
				done := time.Now().UnixNano()
				if errors.Is(err, errExhausted) {
					t.exhausted = true
					for {
						cur := end.Load()
						if done >= cur || end.CompareAndSwap(cur, done) {
							break
						}
					}
					return
				}
				t.completed++
				if done < from || done > end.Load() || ctx.Err() != nil {
					continue
				}
				if err != nil {
					t.errors++
					if msg := err.Error(); len(t.samples) < maxErrSamples && !slices.Contains(t.samples, msg) {
						t.samples = append(t.samples, msg)
					}
					continue
				}
				t.requests++
				if cfg.progress != nil {
					cfg.progress.Add(1)
				}
				t.latencies = append(t.latencies, time.Duration(done-began.UnixNano()))
			}
		})
	}
	wg.Wait()
	r := &loadResult{from: windowStart, seconds: max(0, float64(end.Load()-from)/float64(time.Second))}
	for _, t := range tallies {
		r.completed += t.completed
		r.requests += t.requests
		r.errors += t.errors
		r.latencies = append(r.latencies, t.latencies...)
		r.exhausted = r.exhausted || t.exhausted
		for _, s := range t.samples {
			if len(r.errSamples) < maxErrSamples && !slices.Contains(r.errSamples, s) {
				r.errSamples = append(r.errSamples, s)
			}
		}
	}
	return r
}

// supply is a prepared list of single-use items (codes, login forms,
// refresh tokens) handed out once each to concurrent workers.
type supply[T any] struct {
	items []T
	next  atomic.Int64
}

func (s *supply[T]) take() (T, bool) {
	i := s.next.Add(1) - 1
	if i >= int64(len(s.items)) {
		var zero T
		return zero, false
	}
	return s.items[i], true
}

// fill makes up to n items with produce on conns goroutines, stopping early
// when budget has passed (a non-positive budget means no time limit). It
// fails on the first error.
func fill[T any](ctx context.Context, n, conns int, budget time.Duration, produce func(ctx context.Context) (T, error)) ([]T, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var deadline time.Time
	if budget > 0 {
		deadline = time.Now().Add(budget)
	}
	var (
		mu    sync.Mutex
		items = make([]T, 0, min(n, 1<<16))
		count atomic.Int64
		wg    sync.WaitGroup
	)
	for range max(1, min(conns, n)) {
		wg.Go(func() {
			for ctx.Err() == nil && count.Add(1) <= int64(n) {
				if !deadline.IsZero() && time.Now().After(deadline) {
					return
				}
				it, err := produce(ctx)
				if err != nil {
					cancel(err)
					return
				}
				mu.Lock()
				items = append(items, it)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return items, err
	}
	return items, nil
}

// drain discards and closes a response body so its connection is reused.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}
