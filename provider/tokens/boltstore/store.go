package boltstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tongxing/tongxing/provider/tokens"
)

// Options tunes a Store. The zero value is usable.
type Options struct {
	// Clock is the time the store judges expiry by; default time.Now.
	Clock func() time.Time
	// SweepInterval is how often expired entries are deleted from the
	// file; default one minute, negative to never sweep in the background
	// (Sweep can still be called).
	SweepInterval time.Duration
}

// Store is a tokens.Store in a bbolt file.
type Store struct {
	db  *bolt.DB
	now func() time.Time

	stop      chan struct{}
	swept     chan struct{}
	closeOnce sync.Once
	closeErr  error
}

var _ tokens.Store = (*Store)(nil)

// Open opens the store in the bbolt file at path, creating the file and
// its folder if needed, and starts the sweeper. Close stops both.
func Open(path string, opts Options) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("boltstore: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	// A lone Create waits this long for others to share its commit (bbolt's
	// default is 10ms); under load they gather anyway while the previous
	// commit flushes.
	db.MaxBatchDelay = time.Millisecond
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets() {
			if _, err := tx.CreateBucketIfNotExists([]byte(name)); err != nil {
				return fmt.Errorf("bucket %q: %w", name, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("boltstore: %w", err), db.Close())
	}
	s := &Store{db: db, now: opts.Clock, stop: make(chan struct{}), swept: make(chan struct{})}
	if s.now == nil {
		s.now = time.Now
	}
	interval := opts.SweepInterval
	if interval == 0 {
		interval = time.Minute
	}
	if interval > 0 {
		go s.sweepEvery(interval)
	} else {
		close(s.swept)
	}
	return s, nil
}

// Close stops the sweeper and closes the file. Calling it again returns
// the first result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.stop)
		<-s.swept
		s.closeErr = s.db.Close()
	})
	return s.closeErr
}

// Ping reports whether the file is open and readable.
func (s *Store) Ping(context.Context) error {
	return s.db.View(func(*bolt.Tx) error { return nil })
}

// sweepEvery runs Sweep every interval until Close. A failed sweep is
// retried at the next tick: expired entries are invisible to reads
// whether or not they have been swept, so only disk space waits.
func (s *Store) sweepEvery(interval time.Duration) {
	defer close(s.swept)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-tick.C:
			_ = s.Sweep()
		}
	}
}
