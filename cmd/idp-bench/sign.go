package main

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tongxing/tongxing/provider/keys"
)

// accessTokenPayload is the claims of a typical RFC 9068 access token as
// the provider signs it for client_credentials.
var accessTokenPayload = []byte(`{"iss":"http://127.0.0.1:8080","sub":"c_3f9c2a7e5b","aud":"http://127.0.0.1:8080","exp":1900000000,"iat":1899996400,"jti":"mF3kWQ0bZr9xYh2Lp7TqNg","client_id":"c_3f9c2a7e5b","scope":"api"}`)

// signRate signs accessTokenPayload as a compact JWS with the provider's
// own signer (keys.Signer) on goroutines goroutines for d and returns the
// signatures per second: the most JWTs per second this machine can issue
// with alg, whatever else the provider does.
func signRate(ctx context.Context, alg string, goroutines int, d time.Duration) (SignResult, error) {
	key, err := keys.GenerateKey(alg)
	if err != nil {
		return SignResult{}, err
	}
	signer, err := keys.NewSigner(alg, "bench", "at+jwt", key)
	if err != nil {
		return SignResult{}, err
	}
	var (
		count   atomic.Int64
		failure atomic.Value
		wg      sync.WaitGroup
	)
	cpu0 := selfCPU()
	start := time.Now()
	deadline := start.Add(d)
	for range goroutines {
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(deadline) {
				if _, err := signer.Sign(accessTokenPayload); err != nil {
					failure.Store(err)
					return
				}
				count.Add(1)
			}
		})
	}
	wg.Wait()
	if err, ok := failure.Load().(error); ok {
		return SignResult{}, fmt.Errorf("signing with %s: %w", alg, err)
	}
	if err := ctx.Err(); err != nil {
		return SignResult{}, err
	}
	elapsed := time.Since(start).Seconds()
	r := SignResult{Alg: alg, Goroutines: goroutines, Seconds: elapsed, PerSecond: float64(count.Load()) / elapsed}
	if n := count.Load(); n > 0 {
		r.CPUPerSignatureMs = ms(selfCPU()-cpu0) / float64(n)
	}
	return r, nil
}

// selfCPU returns the CPU time this process has used so far.
func selfCPU() time.Duration {
	d, _ := processCPU(os.Getpid())
	return d
}
