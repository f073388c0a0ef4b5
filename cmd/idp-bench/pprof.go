package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// pprofEnv is the provider's setting debug.pprof_addr as an environment
// variable: the loopback address of a listener of its own serving the
// net/http/pprof handlers. The reference handler's hidden mode reads it
// too, so both servers are profiled the same way.
const pprofEnv = "IDP_DEBUG_PPROF_ADDR"

// pprofSource fetches the profiles of one server's pprof listener into a
// folder.
type pprofSource struct {
	base   string // http://host:port
	dir    string
	client *http.Client
}

func newPprofSource(addr, dir string) *pprofSource {
	// No client timeout: a CPU profile takes as long as the window; each
	// fetch sets its own deadline.
	return &pprofSource{base: "http://" + addr, dir: dir, client: &http.Client{}}
}

// pprofFetchTimeout bounds a profile's fetch beyond the time the profile
// itself takes: writing a large heap's profile takes a while.
const pprofFetchTimeout = time.Minute

// check waits up to timeout for the listener to answer GET /debug/pprof/
// with 200. A listener that answers anything else is not a pprof one, so
// that fails at once.
func (p *pprofSource) check(ctx context.Context, timeout time.Duration) error {
	url := p.base + "/debug/pprof/"
	deadline := time.Now().Add(timeout)
	for {
		ctx1, cancel := context.WithTimeout(ctx, 5*time.Second)
		req, _ := http.NewRequestWithContext(ctx1, http.MethodGet, url, nil)
		resp, err := p.client.Do(req)
		if err == nil {
			drain(resp)
			cancel()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			return fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
		}
		cancel()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("GET %s: %w", url, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// save fetches path (with its query) and writes the body to file in the
// folder; extra is how long the profile itself takes to collect.
func (p *pprofSource) save(ctx context.Context, path, file string, extra time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, extra+pprofFetchTimeout)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.base+path, nil)
	resp, err := p.client.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s: GET %s: %w", file, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		// The handlers explain a refusal in plain text.
		return fmt.Errorf("%s: GET %s: %w", file, path, statusError(resp, body))
	}
	if len(body) == 0 {
		return fmt.Errorf("%s: GET %s: empty profile", file, path)
	}
	return os.WriteFile(filepath.Join(p.dir, file), body, 0o644)
}

// window fetches the profiles of the measured window named name, which
// begins after start and lasts d:
//
//   - name.cpu.pprof, a CPU profile of floor(d) seconds (at least 1) from
//     the window's start;
//   - name.allocs.base.pprof at the start and name.allocs.pprof at the
//     end, whose difference is the window's allocations;
//   - name.heap.pprof at the end, after a garbage collection, so that it
//     holds what is live rather than what the last cycle left.
//
// The end comes at start+d or, if earlier, when the returned function is
// called: the load ended early (a supply ran out). That function waits
// for every fetch, the CPU profile's included, and returns their errors;
// a window that never began fetches nothing.
func (p *pprofSource) window(ctx context.Context, name string, start, d time.Duration) (finish func() []error) {
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	note := func(err error) {
		if err != nil {
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
		}
	}
	ended := make(chan struct{})
	beginAt := time.Now().Add(start)
	end := beginAt.Add(d)
	begin := time.NewTimer(start)
	wg.Go(func() {
		defer begin.Stop()
		select {
		case <-begin.C:
		case <-ended:
			if time.Now().Before(beginAt) {
				return
			}
		case <-ctx.Done():
			return
		}
		secs := max(1, int(d/time.Second))
		var cpu sync.WaitGroup
		// The CPU profile runs concurrently with the other fetches, so it
		// starts with the window.
		cpu.Go(func() {
			note(p.save(ctx, "/debug/pprof/profile?seconds="+strconv.Itoa(secs), name+".cpu.pprof", time.Duration(secs)*time.Second))
		})
		note(p.save(ctx, "/debug/pprof/allocs", name+".allocs.base.pprof", 0))
		t := time.NewTimer(time.Until(end))
		select {
		case <-t.C:
		case <-ended:
		case <-ctx.Done():
		}
		t.Stop()
		// The memory profile is published at the end of a garbage
		// collection cycle: the heap profile's forced cycle brings the
		// allocations up to date before they are read.
		note(p.save(ctx, "/debug/pprof/heap?gc=1", name+".heap.pprof", 0))
		note(p.save(ctx, "/debug/pprof/allocs", name+".allocs.pprof", 0))
		cpu.Wait()
	})
	var once sync.Once
	return func() []error {
		once.Do(func() { close(ended) })
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		return errs
	}
}
