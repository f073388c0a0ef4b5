package main

import (
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/tongxing/tongxing/cmd/internal/profiling"
)

// pprofServer serves Go's profiling handlers on a listener of their own,
// never on the provider's: they have no authentication, and config only
// accepts a loopback address for them.
type pprofServer struct {
	ln net.Listener
	hs *http.Server
}

// listenPprof binds addr and serves the profiling handlers until close.
func listenPprof(addr string) (*pprofServer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("debug.pprof_addr: %w", err)
	}
	s := &pprofServer{ln: ln, hs: &http.Server{
		Handler:           profiling.Mux(),
		ReadHeaderTimeout: 10 * time.Second,
		// No WriteTimeout: a CPU profile or trace answers after the
		// seconds it was asked for.
	}}
	go func() { _ = s.hs.Serve(ln) }() // ErrServerClosed, once close runs

	return s, nil
}

// URL is where the profiles are listed.
func (s *pprofServer) URL() string { return "http://" + s.ln.Addr().String() + "/debug/pprof/" }

// close stops the listener and drops profiles in progress: a CPU profile
// may have asked for minutes, and must not hold up a shutdown.
func (s *pprofServer) close() error { return s.hs.Close() }
