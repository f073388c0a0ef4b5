package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tongxing/tongxing/cmd/internal/profiling"
)

// fakePprof stands in for a pprof listener: it notes when each profile is
// asked for and answers with the request's URI, the CPU profile after
// 300 ms.
type fakePprof struct {
	start   time.Time
	status  int  // of the CPU profile; 200 when 0
	empty   bool // answer with no body
	mu      sync.Mutex
	fetched map[string]time.Duration // request URI -> when it was asked for, since start
}

func (f *fakePprof) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.fetched[r.URL.RequestURI()] = time.Since(f.start)
	f.mu.Unlock()
	if r.URL.Path == "/debug/pprof/profile" {
		if f.status != 0 {
			http.Error(w, "Could not enable CPU profiling: cpu profiling already in use", f.status)
			return
		}
		select {
		case <-time.After(300 * time.Millisecond):
		case <-r.Context().Done():
		}
	}
	if !f.empty {
		io.WriteString(w, r.URL.RequestURI())
	}
}

func (f *fakePprof) uris() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for u := range f.fetched {
		out = append(out, u)
	}
	slices.Sort(out)
	return out
}

func TestPprofWindow(t *testing.T) {
	all := []string{"/debug/pprof/allocs", "/debug/pprof/heap?gc=1", "/debug/pprof/profile?seconds=1"}
	files := map[string]string{
		"w.cpu.pprof": "/debug/pprof/profile?seconds=", "w.allocs.base.pprof": "/debug/pprof/allocs",
		"w.allocs.pprof": "/debug/pprof/allocs", "w.heap.pprof": "/debug/pprof/heap?gc=1",
	}
	tests := []struct {
		name        string
		start, d    time.Duration
		finishAfter time.Duration // when the load ends
		status      int
		empty       bool
		noDir       bool
		uris        []string
		files       []string
		errs        []string // each a substring of one error, in any order
		endBefore   time.Duration
		endAfter    time.Duration
	}{
		{
			name: "the window runs its course", start: 50 * time.Millisecond, d: 1200 * time.Millisecond, finishAfter: 1400 * time.Millisecond,
			uris: all, files: []string{"w.allocs.base.pprof", "w.allocs.pprof", "w.cpu.pprof", "w.heap.pprof"},
			endAfter: 1250 * time.Millisecond, endBefore: 1400 * time.Millisecond,
		},
		{
			name: "the load ends early: the end's profiles at once", start: 50 * time.Millisecond, d: 10 * time.Second, finishAfter: 200 * time.Millisecond,
			uris:     []string{"/debug/pprof/allocs", "/debug/pprof/heap?gc=1", "/debug/pprof/profile?seconds=10"},
			files:    []string{"w.allocs.base.pprof", "w.allocs.pprof", "w.cpu.pprof", "w.heap.pprof"},
			endAfter: 200 * time.Millisecond, endBefore: time.Second,
		},
		{
			name: "the load ends before the window: nothing", start: 500 * time.Millisecond, d: time.Second, finishAfter: 50 * time.Millisecond,
		},
		{
			name: "a refused CPU profile is reported, the others saved", start: 0, d: 100 * time.Millisecond, finishAfter: 200 * time.Millisecond,
			status: http.StatusInternalServerError,
			uris:   all, files: []string{"w.allocs.base.pprof", "w.allocs.pprof", "w.heap.pprof"},
			errs: []string{"w.cpu.pprof: GET /debug/pprof/profile?seconds=1: status 500: Could not enable CPU profiling"},
		},
		{
			name: "an empty answer is no profile", start: 0, d: 100 * time.Millisecond, finishAfter: 200 * time.Millisecond,
			empty: true, uris: all,
			errs: []string{"w.cpu.pprof: GET /debug/pprof/profile?seconds=1: empty profile", "w.allocs.base.pprof: GET /debug/pprof/allocs: empty profile",
				"w.allocs.pprof: GET /debug/pprof/allocs: empty profile", "w.heap.pprof: GET /debug/pprof/heap?gc=1: empty profile"},
		},
		{
			name: "a folder that cannot be written", start: 0, d: 100 * time.Millisecond, finishAfter: 200 * time.Millisecond,
			noDir: true, uris: all,
			errs: []string{"w.cpu.pprof", "w.allocs.base.pprof", "w.allocs.pprof", "w.heap.pprof"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &fakePprof{start: time.Now(), status: tt.status, empty: tt.empty, fetched: map[string]time.Duration{}}
			ts := httptest.NewServer(fake)
			defer ts.Close()
			dir := t.TempDir()
			if tt.noDir {
				dir = filepath.Join(dir, "missing")
			}
			p := newPprofSource(strings.TrimPrefix(ts.URL, "http://"), dir)
			finish := p.window(context.Background(), "w", tt.start, tt.d)
			time.Sleep(tt.finishAfter)
			errs := finish()

			if got := fake.uris(); !slices.Equal(got, tt.uris) {
				t.Errorf("fetched %q, want %q", got, tt.uris)
			}
			if tt.endBefore > 0 {
				fake.mu.Lock()
				end := fake.fetched["/debug/pprof/heap?gc=1"]
				fake.mu.Unlock()
				if end < tt.endAfter || end > tt.endBefore {
					t.Errorf("end of the window's profiles at %v, want between %v and %v", end, tt.endAfter, tt.endBefore)
				}
			}
			var saved []string
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				saved = append(saved, e.Name())
				b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
				if !strings.HasPrefix(string(b), files[e.Name()]) {
					t.Errorf("%s holds %q, want the answer to %s", e.Name(), b, files[e.Name()])
				}
			}
			if !slices.Equal(saved, tt.files) {
				t.Errorf("saved %q, want %q", saved, tt.files)
			}
			if len(errs) != len(tt.errs) {
				t.Fatalf("errors %v, want %d", errs, len(tt.errs))
			}
			for _, want := range tt.errs {
				if !slices.ContainsFunc(errs, func(err error) bool { return strings.Contains(err.Error(), want) }) {
					t.Errorf("no error says %q: %v", want, errs)
				}
			}
		})
	}
}

func TestPprofWindowCancelled(t *testing.T) {
	fake := &fakePprof{start: time.Now(), fetched: map[string]time.Duration{}}
	ts := httptest.NewServer(fake)
	defer ts.Close()
	ctx, cancel := context.WithCancel(context.Background())
	finish := newPprofSource(strings.TrimPrefix(ts.URL, "http://"), t.TempDir()).window(ctx, "w", 0, 10*time.Second)
	time.Sleep(50 * time.Millisecond)
	cancel()
	done := make(chan struct{})
	go func() { finish(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("an interrupted run waited for the window's end")
	}
}

// TestPprofWindowRealHandlers fetches from the net/http/pprof handlers, as
// the provider and the reference handler serve them.
func TestPprofWindowRealHandlers(t *testing.T) {
	ts := httptest.NewServer(profiling.Mux())
	defer ts.Close()
	dir := t.TempDir()
	p := newPprofSource(strings.TrimPrefix(ts.URL, "http://"), dir)
	if err := p.check(context.Background(), time.Second); err != nil {
		t.Fatal(err)
	}
	if errs := p.window(context.Background(), "real", 0, time.Second)(); len(errs) > 0 {
		t.Fatal(errs)
	}
	for _, f := range []string{"real.cpu.pprof", "real.allocs.base.pprof", "real.allocs.pprof", "real.heap.pprof"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		// A profile is a gzipped protocol buffer.
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if raw, err := io.ReadAll(zr); err != nil || len(raw) == 0 {
			t.Fatalf("%s: %d bytes, %v", f, len(raw), err)
		}
	}
}

func TestPprofCheck(t *testing.T) {
	real := httptest.NewServer(profiling.Mux())
	defer real.Close()
	other := httptest.NewServer(http.NotFoundHandler())
	defer other.Close()
	nobody, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		addr    string
		err     string // "" for none
		atOnce  bool
		timeout time.Duration
	}{
		{"a pprof listener", context.Background(), strings.TrimPrefix(real.URL, "http://"), "", true, time.Second},
		{"another server fails at once", context.Background(), strings.TrimPrefix(other.URL, "http://"), "status 404", true, 10 * time.Second},
		{"no listener, after the timeout", context.Background(), nobody, "connection refused", false, 300 * time.Millisecond},
		{"interrupted", cancelled, nobody, context.Canceled.Error(), true, 10 * time.Second},
	}
	for _, tt := range tests {
		start := time.Now()
		err := newPprofSource(tt.addr, t.TempDir()).check(tt.ctx, tt.timeout)
		took := time.Since(start)
		switch {
		case tt.err == "" && err != nil, tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.err)
		case tt.atOnce && took > 2*time.Second, !tt.atOnce && took < tt.timeout:
			t.Errorf("%s: took %v (timeout %v)", tt.name, took, tt.timeout)
		}
		if tt.name == "interrupted" && !errors.Is(err, context.Canceled) {
			t.Errorf("interrupted: %v is not context.Canceled", err)
		}
	}
}
