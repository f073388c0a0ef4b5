package models_test

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/models/conformance"
	"github.com/tongxing/tongxing/models/modelstest"
)

func TestSQLite(t *testing.T) {
	conformance.RunTests(t, func(t *testing.T) *models.Store {
		return models.NewStore(modelstest.SQLite(t))
	})
}

// TestSQLiteTwoProcesses has two independent pools, as the server and the
// CLI would have, create the same setting at once on one database file.
func TestSQLiteTwoProcesses(t *testing.T) {
	dir := t.TempDir()
	var stores []*models.Store
	for i := range 2 {
		db := open(t, "", dir)
		if i == 0 {
			migrate(t, db)
		}
		stores = append(stores, models.NewStore(db))
	}
	getOrCreateRace(t, stores)
}

// getOrCreateRace runs GetOrCreate of one name from many goroutines spread
// over stores and checks they all got the same value.
func getOrCreateRace(t *testing.T, stores []*models.Store) {
	t.Helper()
	const perStore = 8
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		start   = make(chan struct{})
		results [][]byte
	)
	for si, s := range stores {
		for i := range perStore {
			wg.Go(func() {
				<-start
				v, err := s.Settings.GetOrCreate(t.Context(), "race", func() ([]byte, error) {
					return fmt.Appendf(nil, "%d-%d", si, i), nil
				})
				if err != nil {
					t.Errorf("store %d caller %d: %v", si, i, err)
					return
				}
				mu.Lock()
				results = append(results, v)
				mu.Unlock()
			})
		}
	}
	close(start)
	wg.Wait()
	if len(results) != len(stores)*perStore {
		t.Fatalf("%d callers succeeded, want %d", len(results), len(stores)*perStore)
	}
	for _, v := range results {
		if !bytes.Equal(v, results[0]) {
			t.Fatalf("callers disagree: %q and %q", v, results[0])
		}
	}
}
