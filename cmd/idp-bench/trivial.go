package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tongxing/tongxing/cmd/internal/profiling"
)

// trivialBody is what the reference handler answers.
var trivialBody = []byte(`{"status":"ok"}`)

// serveTrivial serves the reference handler on addr until SIGTERM: the
// provider's HTTP stack (net/http, gin in release mode, the same server
// timeouts) with one route writing a fixed small JSON body, so the ratio
// of a scenario to it is the cost of the provider's own work. Like the
// provider, it serves the pprof handlers on a listener of their own at
// $IDP_DEBUG_PPROF_ADDR when set, so that -pprof profiles the reference
// too.
func serveTrivial(addr string) error {
	gin.SetMode(gin.ReleaseMode)
	engine := gin.New()
	engine.Use(gin.Recovery())
	engine.GET("/", func(c *gin.Context) {
		c.Data(http.StatusOK, "application/json; charset=utf-8", trivialBody)
	})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           engine,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 2)
	if paddr := os.Getenv(pprofEnv); paddr != "" {
		pln, err := net.Listen("tcp", paddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("pprof listener: %w", err)
		}
		// No write timeout: a CPU profile answers after the time it covers.
		ps := &http.Server{Handler: profiling.Mux(), ReadHeaderTimeout: 10 * time.Second}
		defer ps.Close()
		go func() { errc <- ps.Serve(pln) }()
	}
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return hs.Shutdown(shutdown)
}

// trivialOp requests the reference handler.
func trivialOp(base string) op {
	url := base + "/"
	return func(ctx context.Context, w *worker) (time.Time, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		start := time.Now()
		resp, body, err := w.send(req)
		if err != nil {
			return start, err
		}
		if resp.StatusCode != http.StatusOK {
			return start, statusError(resp, body)
		}
		if !bytes.Equal(body, trivialBody) {
			return start, fmt.Errorf("unexpected body %q", body)
		}
		return start, nil
	}
}
