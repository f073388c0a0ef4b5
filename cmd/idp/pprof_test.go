package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tongxing/tongxing/config"
)

var pprofLine = regexp.MustCompile(`Profiling handlers on (http://\S+/debug/pprof/)`)

// TestServePprof runs serve with debug.pprof_addr: the profiling handlers
// answer on their own listener, and not on the provider's.
func TestServePprof(t *testing.T) {
	cfg := config.Default()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = t.TempDir()
	cfg.Debug.PprofAddr = "127.0.0.1:0"
	out := &syncBuffer{}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, out, io.Discard, false) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()

	var pprofURL, addr string
	for deadline := time.Now().Add(20 * time.Second); pprofURL == "" || addr == ""; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("serve printed:\n%s", out.String())
		}
		if m := pprofLine.FindStringSubmatch(out.String()); m != nil {
			pprofURL = m[1]
		}
		if m := regexp.MustCompile(`listening on (\S+)`).FindStringSubmatch(out.String()); m != nil {
			addr = m[1]
		}
	}
	for _, path := range []string{"", "heap?debug=1", "allocs", "goroutine?debug=1", "cmdline", "profile?seconds=1"} {
		res, err := http.Get(pprofURL + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || len(body) == 0 {
			t.Errorf("GET /debug/pprof/%s: %d, %d bytes", path, res.StatusCode, len(body))
		}
	}
	res, err := http.Get("http://" + addr + "/debug/pprof/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("the provider's own listener answered /debug/pprof/ with %d, want 404", res.StatusCode)
	}
}

// TestServePprofAddressTaken: a profiling address that cannot be bound
// stops the server from starting, naming the key.
func TestServePprofAddressTaken(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	cfg := config.Default()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = t.TempDir()
	cfg.Debug.PprofAddr = taken.Addr().String()
	err = serve(t.Context(), cfg, io.Discard, io.Discard, false)
	if err == nil || !strings.Contains(err.Error(), "debug.pprof_addr") || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("serve = %v, want a debug.pprof_addr bind error", err)
	}
}
