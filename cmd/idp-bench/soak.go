package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// soakFill issues n client_credentials access tokens through the token
// endpoint on conns connections, so that n more live tokens are in the
// store, and reports progress to log every few seconds. It stops early
// when more than 1% of the requests fail.
func soakFill(ctx context.Context, e *env, n int64, conns int, log io.Writer) (*Soak, error) {
	client := newLoadClient(conns)
	defer client.CloseIdleConnections()
	issue := clientCredentialsOnce(e.base+pathToken, e.clients[clientCC].basic)
	var (
		next, done, failed atomic.Int64
		tooMany            atomic.Bool
		wg                 sync.WaitGroup
	)
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	for i := range conns {
		wg.Go(func() {
			w := &worker{id: i, client: client}
			for ctx.Err() == nil && next.Add(1) <= n {
				if err := issue(ctx, w); err != nil {
					if ctx.Err() != nil {
						return
					}
					if f := failed.Add(1); f > 100 && f*100 > done.Load()+f {
						tooMany.Store(true)
						cancel()
						return
					}
					continue
				}
				done.Add(1)
			}
		})
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	for running := true; running; {
		select {
		case <-finished:
			running = false
		case <-tick.C:
			d, el := done.Load(), time.Since(start)
			rate := float64(d) / el.Seconds()
			eta := time.Duration(float64(n-d) / max(rate, 1) * float64(time.Second)).Round(time.Second)
			fmt.Fprintf(log, "soak: %d/%d tokens (%.0f/s, %d errors, about %s left)\n", d, n, rate, failed.Load(), eta)
		}
	}
	s := &Soak{Tokens: done.Load(), Errors: failed.Load(), Seconds: time.Since(start).Seconds()}
	switch {
	case tooMany.Load():
		return s, fmt.Errorf("soak: stopped after %d errors", s.Errors)
	case parent.Err() != nil:
		return s, parent.Err()
	}
	return s, nil
}

// clientCredentialsOnce returns a function issuing one token.
func clientCredentialsOnce(u, auth string) func(context.Context, *worker) error {
	const body = "grant_type=client_credentials&scope=api"
	return func(ctx context.Context, w *worker) error {
		resp, b, err := w.send(newPost(ctx, u, auth, body))
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return statusError(resp, b)
		}
		if _, ok := jsonField(b, "access_token"); !ok {
			return fmt.Errorf("no access_token in %s", clip(b))
		}
		return nil
	}
}
