package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net"
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

// refreshToken is a client's access and refresh token pair whose record
// lives for life (0: forever), so it is in the client's index.
func refreshToken(client string, now time.Time, life time.Duration) *models.Token {
	ti := ccToken(client, now, life)
	ti.Refresh, ti.RefreshCreateAt, ti.RefreshExpiresIn = rand.Text(), now, life
	return ti
}

// userToken is a token like ccToken's, issued for a user.
func userToken(client, user string, now time.Time, life time.Duration) *models.Token {
	ti := ccToken(client, now, life)
	ti.UserID = user
	return ti
}

func TestIndexTrimmedAndExpiring(t *testing.T) {
	client := dial(t)
	ctx := t.Context()
	clock := conformance.NewClock(time.Now())
	prefix := testPrefix(t, client)
	s := New(client, Options{Prefix: prefix, Clock: clock.Now})
	index := s.indexKey(indexUser, "u1")

	for range 3 {
		if err := s.Create(ctx, userToken("c1", "u1", clock.Now(), time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if n := client.ZCard(ctx, index).Val(); n != 3 {
		t.Fatalf("user index holds %d, want 3", n)
	}
	if ttl := client.PTTL(ctx, index).Val(); ttl <= 0 || ttl > time.Minute {
		t.Errorf("user index TTL %v, want that of its last member, a minute", ttl)
	}

	clock.Advance(2 * time.Minute)
	if err := s.Create(ctx, userToken("c1", "u1", clock.Now(), time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n := client.ZCard(ctx, index).Val(); n != 1 {
		t.Errorf("user index holds %d after its expired members, want 1", n)
	}
	if ttl := client.PTTL(ctx, index).Val(); ttl < 59*time.Minute || ttl > time.Hour {
		t.Errorf("user index TTL %v, want an hour", ttl)
	}

	unexpiring := userToken("c1", "u1", clock.Now(), 0)
	if err := s.Create(ctx, unexpiring); err != nil {
		t.Fatal(err)
	}
	if ttl := client.PTTL(ctx, index).Val(); ttl < forever-time.Minute {
		t.Errorf("user index TTL %v with an unexpiring member, want a century", ttl)
	}
	if err := s.RemoveByAccess(ctx, unexpiring.Access); err != nil {
		t.Fatal(err)
	}
	if n := client.ZCard(ctx, index).Val(); n != 1 {
		t.Errorf("user index holds %d after RemoveByAccess, want 1", n)
	}
}

// TestIndexTTLNeverShortens checks that a sorted-set index lives as long as its
// longest-lived member whatever the order of the writes, sequential or
// concurrent: a shorter-lived token added later must not cut it short.
func TestIndexTTLNeverShortens(t *testing.T) {
	client := dial(t)
	ctx := t.Context()
	s := New(client, Options{Prefix: testPrefix(t, client)})
	index := s.indexKey(indexUser, "u1")

	for _, life := range []time.Duration{time.Hour, 10 * time.Minute, time.Minute} {
		if err := s.Create(ctx, userToken("c1", "u1", time.Now(), life)); err != nil {
			t.Fatal(err)
		}
	}
	if ttl := client.PTTL(ctx, index).Val(); ttl < 59*time.Minute || ttl > time.Hour {
		t.Errorf("user index TTL %v after tokens of 1h, 10m and 1m, want an hour", ttl)
	}

	// Concurrent first writes to a new index, each with its own lifetime:
	// the key ends with the longest, 2h.
	index = s.indexKey(indexUser, "u2")
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Go(func() {
			life := time.Minute + time.Duration(i)*time.Minute
			if i == 40 {
				life = 2 * time.Hour
			}
			if err := s.Create(ctx, userToken("c1", "u2", time.Now(), life)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if ttl := client.PTTL(ctx, index).Val(); ttl < 119*time.Minute || ttl > 2*time.Hour {
		t.Errorf("user index TTL %v after concurrent tokens of up to 2h, want 2h", ttl)
	}
	if n := client.ZCard(ctx, index).Val(); n != 64 {
		t.Errorf("user index holds %d, want 64", n)
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

	if n := clientIndexed(t, client, s, "memory-client"); n != 0 {
		t.Fatalf("client index holds %d lone access tokens, want none", n)
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

// batchSizes is a hook that records how many commands each pipeline
// written to Redis carried.
type batchSizes struct {
	mu    sync.Mutex
	sizes []int
}

func (h *batchSizes) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (h *batchSizes) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }
func (h *batchSizes) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.mu.Lock()
		h.sizes = append(h.sizes, len(cmds))
		h.mu.Unlock()
		return next(ctx, cmds)
	}
}

// TestConcurrentReadsShareRoundTrips checks that the reads of concurrent
// callers travel to Redis together rather than one round trip each: that
// is what keeps a request's Redis cost low under load.
func TestConcurrentReadsShareRoundTrips(t *testing.T) {
	client := dial(t)
	ctx := t.Context()
	s := New(client, Options{Prefix: testPrefix(t, client)})
	ti := ccToken("c1", time.Now(), time.Hour)
	if err := s.Create(ctx, ti); err != nil {
		t.Fatal(err)
	}
	hook := &batchSizes{}
	client.AddHook(hook)

	const callers, reads = 32, 50
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			for range reads {
				got, err := s.GetByAccess(ctx, ti.Access)
				if err != nil || got == nil {
					t.Errorf("GetByAccess = %v, %v", got, err)
					return
				}
			}
		})
	}
	wg.Wait()

	hook.mu.Lock()
	defer hook.mu.Unlock()
	total, largest := 0, 0
	for _, n := range hook.sizes {
		total, largest = total+n, max(largest, n)
	}
	// The count is of the round trips the hooks saw, which is nearly every
	// one; what matters is that they carried several reads each.
	if total == 0 || len(hook.sizes) > total/2 || largest < 2 {
		t.Errorf("%d reads of %d concurrent callers in %d round trips (largest %d), want several per round trip",
			total, callers, len(hook.sizes), largest)
	}
	t.Logf("%d reads in %d round trips (largest %d)", total, len(hook.sizes), largest)
}

// TestRingClient checks the store on a client without an autopipeliner
// (a Ring), where each command makes its own round trip.
func TestRingClient(t *testing.T) {
	addr := redistest.Addr(t)
	ring := redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"one": addr}})
	t.Cleanup(func() { _ = ring.Close() })
	ctx := t.Context()
	s := New(ring, Options{Prefix: testPrefix(t, ring)})
	ti := refreshToken("c1", time.Now(), time.Hour)
	if err := s.Create(ctx, ti); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetByAccess(ctx, ti.Access); err != nil || got == nil || got.GetClientID() != "c1" {
		t.Fatalf("GetByAccess = %v, %v; want the token of c1", got, err)
	}
	if err := s.RevokeClient(ctx, "c1"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetByAccess(ctx, ti.Access); err != nil || got != nil {
		t.Fatalf("GetByAccess after RevokeClient = %v, %v; want nothing", got, err)
	}
}

// TestUnreachable checks that with Redis down every operation fails with
// an error, promptly, rather than reporting a token unknown or waiting.
func TestUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // nothing listens there now
	client := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: time.Second})
	t.Cleanup(func() { _ = client.Close() })
	s := New(client, Options{})
	ctx := t.Context()
	ti := ccToken("c1", time.Now(), time.Hour)
	value := ti.Access

	ops := []struct {
		name string
		run  func() error
	}{
		{"Create", func() error { return s.Create(ctx, ti) }},
		{"GetByAccess", func() error { _, err := s.GetByAccess(ctx, value); return err }},
		{"GetByCode", func() error { _, err := s.GetByCode(ctx, value); return err }},
		{"GetByRefresh", func() error { _, err := s.GetByRefresh(ctx, value); return err }},
		{"RemoveByAccess", func() error { return s.RemoveByAccess(ctx, value) }},
		{"RemoveByCode", func() error { return s.RemoveByCode(ctx, value) }},
		{"RemoveByRefresh", func() error { return s.RemoveByRefresh(ctx, value) }},
		{"Consumed", func() error { _, err := s.Consumed(ctx, value); return err }},
		{"ListUser", func() error { _, err := s.ListUser(ctx, "u1"); return err }},
		{"RevokeClient", func() error { return s.RevokeClient(ctx, "c1") }},
		{"Ping", func() error { return s.Ping(ctx) }},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			err := op.run()
			if err == nil || errors.Is(err, tokens.ErrNotFound) {
				t.Fatalf("err = %v, want Redis's failure", err)
			}
			if !strings.Contains(err.Error(), "redisstore") {
				t.Errorf("err = %q, want it to name the store", err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

func TestCheckVersion(t *testing.T) {
	for _, tc := range []struct {
		info string
		ok   bool
	}{
		{"# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\n", true},
		{"# Server\r\nredis_version:8.2.1\r\n", true},
		{"# Server\r\nredis_version:6.2.14\r\n", false},
		{"# Server\r\nredis_version:garbage\r\n", false},
		{"# Server\r\nredis_mode:standalone\r\n", true},
	} {
		err := checkVersion(tc.info)
		if (err == nil) != tc.ok {
			t.Errorf("checkVersion(%q) = %v, want ok %v", tc.info, err, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "7.0 or later") {
			t.Errorf("checkVersion(%q) = %q, want it to name the version needed", tc.info, err)
		}
	}
}

func TestPing(t *testing.T) {
	client := dial(t)
	s := New(client, Options{})
	for range 2 { // the version is checked once, then a PING suffices
		if err := s.Ping(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if !s.versionOK.Load() {
		t.Error("the server's version was not recorded as checked")
	}
}

// clientIndexed counts the members of every index set of a client.
func clientIndexed(t *testing.T, client redis.UniversalClient, s *Store, clientID string) int64 {
	t.Helper()
	var n int64
	for _, key := range scanKeys(t, t.Context(), client, s.prefix+"c") {
		if strings.HasSuffix(key, ":"+clientID) {
			n += client.SCard(t.Context(), key).Val()
		}
	}
	return n
}

// TestClientBuckets checks the layout of a client's index: one set per
// hour its records expire in, living to the end of that hour, and one for
// records that never expire or outlive the horizon; that revoking the
// client finds them all; and that a lone access token stays out of it.
func TestClientBuckets(t *testing.T) {
	client := dial(t)
	ctx := t.Context()
	prefix := testPrefix(t, client)
	now := time.Now()
	s := New(client, Options{Prefix: prefix, Clock: func() time.Time { return now }})

	lives := []time.Duration{time.Minute, time.Hour, 100 * time.Hour, 8000 * time.Hour, horizon + time.Hour, 0}
	var toks []*models.Token
	for _, life := range lives {
		ti := refreshToken("c1", now, life)
		if err := s.Create(ctx, ti); err != nil {
			t.Fatal(err)
		}
		toks = append(toks, ti)
	}
	other := refreshToken("c2", now, time.Hour)
	lone := ccToken("c1", now, time.Hour)
	for _, ti := range []*models.Token{other, lone} {
		if err := s.Create(ctx, ti); err != nil {
			t.Fatal(err)
		}
	}
	for i, life := range lives[:4] {
		key := s.clientBucket("c1", hourOf(now.Add(life)))
		if ok, _ := client.SIsMember(ctx, key, record.Member(mustArtifacts(t, toks[i]))).Result(); !ok {
			t.Errorf("a token living %v is not in %s", life, key)
		}
		end := time.UnixMilli(hourOf(now.Add(life)) * bucketWidth.Milliseconds())
		if ttl := client.PTTL(ctx, key).Val(); ttl <= 0 || ttl > end.Sub(now) || ttl < end.Sub(now)-time.Second {
			t.Errorf("%s TTL %v, want %v, to the end of its hour", key, ttl, end.Sub(now))
		}
	}
	never := s.clientBucket("c1", bucketNever)
	if n := client.SCard(ctx, never).Val(); n != 2 {
		t.Errorf("%s holds %d, want the unexpiring token and the one past the horizon", never, n)
	}
	if ttl := client.PTTL(ctx, never).Val(); ttl < forever-time.Minute {
		t.Errorf("%s TTL %v, want a century", never, ttl)
	}
	if n := clientIndexed(t, client, s, "c1"); n != int64(len(lives)) {
		t.Errorf("c1's index sets hold %d, want %d", n, len(lives))
	}

	if err := s.RevokeClient(ctx, "c1"); err != nil {
		t.Fatal(err)
	}
	for i, ti := range toks {
		if got, err := s.GetByRefresh(ctx, ti.Refresh); err != nil || got != nil {
			t.Errorf("token living %v after RevokeClient: %v, %v; want gone", lives[i], got, err)
		}
	}
	if got, err := s.GetByAccess(ctx, lone.Access); err != nil || got == nil {
		t.Errorf("lone access token after RevokeClient: %v, %v; want it kept until it expires", got, err)
	}
	if n := clientIndexed(t, client, s, "c1"); n != 0 {
		t.Errorf("c1's index sets hold %d after RevokeClient, want 0", n)
	}
	if got, err := s.GetByAccess(ctx, other.Access); err != nil || got == nil {
		t.Errorf("another client's token after RevokeClient: %v, %v; want it kept", got, err)
	}
}

func mustArtifacts(t *testing.T, ti *models.Token) []record.Artifact {
	t.Helper()
	arts, err := record.Artifacts(ti)
	if err != nil {
		t.Fatal(err)
	}
	return arts
}
