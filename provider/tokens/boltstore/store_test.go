package boltstore

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-oauth2/oauth2/v4/models"
	bolt "go.etcd.io/bbolt"

	"github.com/tongxing/tongxing/provider/tokens"
	"github.com/tongxing/tongxing/provider/tokens/conformance"
)

// open opens a store in a fresh folder below t.TempDir and closes it when
// the test ends.
func open(t *testing.T, clock *conformance.Clock) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data", "tokens.db")
	s, err := Open(path, Options{Clock: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s, path
}

func TestConformance(t *testing.T) {
	conformance.RunTests(t, func(t *testing.T, clock *conformance.Clock) (tokens.Store, conformance.Dump) {
		s, path := open(t, clock)
		return s, func(t *testing.T) []byte {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	})
}

// count returns how many keys each top-level bucket holds, counting the
// members of nested index buckets.
func count(t *testing.T, s *Store) map[string]int {
	t.Helper()
	n := map[string]int{}
	err := s.db.View(func(tx *bolt.Tx) error {
		for _, name := range allBuckets() {
			err := bucket(tx, name).ForEach(func(k, _ []byte) error {
				sub := bucket(tx, name).Bucket(k)
				if sub == nil {
					n[name]++
					return nil
				}
				return sub.ForEach(func(_, _ []byte) error {
					n[name]++
					return nil
				})
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func pair(now time.Time, i int) *models.Token {
	ti := models.NewToken()
	ti.ClientID, ti.UserID = "c1", "u1"
	ti.Access, ti.AccessCreateAt, ti.AccessExpiresIn = "a"+string(rune('A'+i)), now, time.Hour
	ti.Refresh, ti.RefreshCreateAt, ti.RefreshExpiresIn = "r"+string(rune('A'+i)), now, 2*time.Hour
	ti.Extension.Set(tokens.ExtFamily, "fam")
	return ti
}

func TestSweep(t *testing.T) {
	clock := conformance.NewClock(time.Now())
	s, _ := open(t, clock)
	ctx := t.Context()
	forever := pair(clock.Now(), 0)
	forever.AccessExpiresIn, forever.RefreshExpiresIn = 0, 0
	for _, ti := range []*models.Token{pair(clock.Now(), 1), pair(clock.Now(), 2), forever} {
		if err := s.Create(ctx, ti); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RemoveByRefresh(ctx, "rB"); err != nil {
		t.Fatal(err)
	}

	clock.Advance(90 * time.Minute)
	if err := s.Sweep(); err != nil {
		t.Fatal(err)
	}
	n := count(t, s)
	if n["a"] != 1 || n["r"] != 2 || n["t"] != 1 {
		t.Errorf("after access expiry: %v; want the unexpiring access token, two refresh tokens, one tombstone", n)
	}

	clock.Advance(time.Hour)
	if err := s.Sweep(); err != nil {
		t.Fatal(err)
	}
	n = count(t, s)
	want := map[string]int{"a": 1, "r": 1, "ic": 1, "iu": 1, "if": 1}
	for _, name := range allBuckets() {
		if n[name] != want[name] {
			t.Errorf("after all expiries, bucket %q holds %d, want %d (all: %v)", name, n[name], want[name], n)
		}
	}
}

func TestSweepBacklog(t *testing.T) {
	clock := conformance.NewClock(time.Now())
	s, _ := open(t, clock)
	for i := range 2*sweepBatch + 10 {
		ti := models.NewToken()
		ti.ClientID = "c1"
		ti.Access, ti.AccessCreateAt, ti.AccessExpiresIn = "tok-"+time.Duration(i).String(), clock.Now(), time.Minute
		if err := s.Create(t.Context(), ti); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(time.Minute)
	if err := s.Sweep(); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s); len(n) != 0 {
		t.Errorf("after sweeping a backlog: %v, want empty", n)
	}
}

func TestBackgroundSweep(t *testing.T) {
	clock := conformance.NewClock(time.Now())
	path := filepath.Join(t.TempDir(), "tokens.db")
	s, err := Open(path, Options{Clock: clock.Now, SweepInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ti := pair(clock.Now(), 0)
	if err := s.Create(t.Context(), ti); err != nil {
		t.Fatal(err)
	}
	clock.Advance(3 * time.Hour)
	deadline := time.Now().Add(5 * time.Second)
	for len(count(t, s)) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("background sweep left %v", count(t, s))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestReopen(t *testing.T) {
	clock := conformance.NewClock(time.Now())
	path := filepath.Join(t.TempDir(), "tokens.db")
	s, err := Open(path, Options{Clock: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	ti := pair(clock.Now(), 0)
	if err := s.Create(t.Context(), ti); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if err := s.Ping(t.Context()); err == nil {
		t.Error("Ping after Close = nil")
	}
	s, err = Open(path, Options{Clock: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetByRefresh(t.Context(), ti.Refresh)
	if err != nil || got == nil {
		t.Fatalf("GetByRefresh after reopening = %v, %v", got, err)
	}
}
