package redisstore

import (
	"crypto/rand"
	"encoding/base64"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-oauth2/oauth2/v4/models"
	"github.com/redis/go-redis/v9"

	"github.com/tongxing/tongxing/provider/internal/redistest"
	"github.com/tongxing/tongxing/provider/tokens"
	"github.com/tongxing/tongxing/provider/tokens/conformance"
	"github.com/tongxing/tongxing/provider/tokens/internal/record"
)

// ccToken returns a client_credentials token shaped as the provider
// issues it: a 256-bit random value, a family and the grant.
func ccToken(client string, now time.Time, life time.Duration) *models.Token {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	ti := models.NewToken()
	ti.ClientID, ti.Scope = client, "api.read api.write"
	ti.Access, ti.AccessCreateAt, ti.AccessExpiresIn = base64.RawURLEncoding.EncodeToString(b), now, life
	ti.Extension.Set(tokens.ExtFamily, rand.Text()[:22])
	ti.Extension.Set(tokens.ExtGrant, "client_credentials")
	return ti
}

func TestIndexTrimmedAndExpiring(t *testing.T) {
	client := dial(t)
	ctx := t.Context()
	clock := conformance.NewClock(time.Now())
	prefix := testPrefix(t, client)
	s := New(client, Options{Prefix: prefix, Clock: clock.Now})
	index := s.indexKey(indexClient, "c1")

	for range 3 {
		if err := s.Create(ctx, ccToken("c1", clock.Now(), time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if n := client.ZCard(ctx, index).Val(); n != 3 {
		t.Fatalf("client index holds %d, want 3", n)
	}
	if ttl := client.PTTL(ctx, index).Val(); ttl <= 0 || ttl > time.Minute {
		t.Errorf("client index TTL %v, want that of its last member, a minute", ttl)
	}
	fams := scanKeys(t, ctx, client, prefix+"f:")
	if len(fams) != 0 {
		t.Errorf("lone access tokens got family indexes %v", fams)
	}

	clock.Advance(2 * time.Minute)
	if err := s.Create(ctx, ccToken("c1", clock.Now(), time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n := client.ZCard(ctx, index).Val(); n != 1 {
		t.Errorf("client index holds %d after its expired members, want 1", n)
	}
	if ttl := client.PTTL(ctx, index).Val(); ttl < 59*time.Minute || ttl > time.Hour {
		t.Errorf("client index TTL %v, want an hour", ttl)
	}

	forever := ccToken("c1", clock.Now(), 0)
	if err := s.Create(ctx, forever); err != nil {
		t.Fatal(err)
	}
	if ttl := client.PTTL(ctx, index).Val(); ttl != -1 {
		t.Errorf("client index TTL %v with an unexpiring member, want none (-1)", ttl)
	}
	if err := s.RemoveByAccess(ctx, forever.Access); err != nil {
		t.Fatal(err)
	}
	if n := client.ZCard(ctx, index).Val(); n != 1 {
		t.Errorf("client index holds %d after RemoveByAccess, want 1", n)
	}
}

func TestKeyLayout(t *testing.T) {
	client := dial(t)
	ctx := t.Context()
	prefix := testPrefix(t, client)
	s := New(client, Options{Prefix: prefix})
	ti := ccToken("c1", time.Now(), time.Hour)
	ti.Refresh, ti.RefreshCreateAt, ti.RefreshExpiresIn = "refresh-value", time.Now(), 2*time.Hour
	if err := s.Create(ctx, ti); err != nil {
		t.Fatal(err)
	}
	d, _ := record.DigestOf(ti.Refresh)
	key := prefix + "{" + d.String() + "}r"
	if ttl := client.PTTL(ctx, key).Val(); ttl < 119*time.Minute || ttl > 2*time.Hour {
		t.Errorf("refresh key %s TTL %v, want two hours", key, ttl)
	}
	if err := s.RemoveByRefresh(ctx, ti.Refresh); err != nil {
		t.Fatal(err)
	}
	tomb := prefix + "{" + d.String() + "}t"
	if ttl := client.PTTL(ctx, tomb).Val(); ttl < 119*time.Minute || ttl > 2*time.Hour {
		t.Errorf("tombstone %s TTL %v, want what the refresh token had left", tomb, ttl)
	}
}

// TestMemoryPerToken measures what one client_credentials token costs in
// Redis: the provider must hold a million of them at about 600 bytes each.
// It runs on a server of its own: used_memory of a shared one moves with
// whatever else is writing to it.
func TestMemoryPerToken(t *testing.T) {
	client := redistest.Private(t, "memory")
	ctx := t.Context()
	prefix := testPrefix(t, client)
	s := New(client, Options{Prefix: prefix})
	const count, workers = 20000, 16

	before := usedMemory(t, client)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < count; i += workers {
				if err := s.Create(ctx, ccToken("memory-client", time.Now(), time.Hour)); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	after := usedMemory(t, client)

	if n := client.ZCard(ctx, s.indexKey(indexClient, "memory-client")).Val(); n != count {
		t.Fatalf("client index holds %d, want %d", n, count)
	}
	per := float64(after-before) / count
	t.Logf("%d client_credentials tokens: %.0f bytes each (used_memory %d -> %d)", count, per, before, after)
	if per >= 600 {
		t.Errorf("%.0f bytes per token, want under 600", per)
	}
}

// usedMemory returns the server's used_memory.
func usedMemory(t *testing.T, client *redis.Client) int64 {
	t.Helper()
	info, err := client.Info(t.Context(), "memory").Result()
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(info) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("INFO memory has no used_memory")
	return 0
}
