package redisstore

import (
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/go-oauth2/oauth2/v4/models"
	"github.com/redis/go-redis/v9"

	"github.com/tongxing/tongxing/provider/internal/redistest"
	"github.com/tongxing/tongxing/provider/tokens"
	"github.com/tongxing/tongxing/provider/tokens/conformance"
)

// TestSentinelConformance runs the suite through Sentinel, the way the
// provider connects when redis.master_name is set.
func TestSentinelConformance(t *testing.T) {
	client := redistest.StartSentinel(t).Client(t)
	if _, ok := client.(*redis.Client); !ok {
		t.Fatalf("NewUniversalClient with a master name gave a %T, want a failover client", client)
	}
	if s := New(client, Options{}); s.cmd == s.rdb {
		t.Fatal("the store on a failover client has no autopipeliner")
	}
	conformance.RunTests(t, backend(client))
}

// TestSentinelFailover: after Sentinel promotes the replica, the same
// client finds the tokens written before (replicated) and stores new ones
// on the new master, with no reconfiguration.
func TestSentinelFailover(t *testing.T) {
	s := redistest.StartSentinel(t)
	client := s.Client(t)
	ctx := t.Context()
	store := New(client, Options{Prefix: testPrefix(t, client)})
	issue := func() (*models.Token, error) {
		now := time.Now()
		ti := &models.Token{ClientID: "c1", UserID: "u1", Scope: "openid",
			Access: rand.Text(), AccessCreateAt: now, AccessExpiresIn: time.Hour,
			Refresh: rand.Text(), RefreshCreateAt: now, RefreshExpiresIn: 24 * time.Hour}
		return ti, store.Create(ctx, ti)
	}
	before, err := issue()
	if err != nil {
		t.Fatalf("Create before the failover: %v", err)
	}
	// WAIT: the token must be on the replica before it is promoted;
	// asynchronous replication is Redis's, not the store's, guarantee.
	master := redis.NewClient(&redis.Options{Addr: s.Master})
	t.Cleanup(func() { _ = master.Close() })
	if n, err := master.Do(ctx, "wait", 1, 5000).Int(); err != nil || n != 1 {
		t.Fatalf("WAIT for the replica: %d, %v", n, err)
	}

	s.Failover(t)

	// The client follows the switch on its own; writes may fail while the
	// old master turns replica (READONLY) and the client reconnects.
	var after *models.Token
	redistest.WaitFor(t, 30*time.Second, func() error {
		after, err = issue()
		return err
	})
	for name, ti := range map[string]*models.Token{"before": before, "after": after} {
		got, err := store.GetByAccess(ctx, ti.Access)
		if err != nil || got == nil || got.GetRefresh() != tokens.Ref(ti.Refresh) {
			t.Errorf("token issued %s the failover: %v, %v", name, got, err)
		}
	}
	if err := store.RemoveByRefresh(ctx, before.Refresh); err != nil {
		t.Errorf("redeeming on the new master: %v", err)
	}
	if err := store.RemoveByRefresh(ctx, before.Refresh); !errors.Is(err, tokens.ErrNotFound) {
		t.Errorf("second redemption: %v, want ErrNotFound", err)
	}
	if err := store.RevokeUser(ctx, "u1"); err != nil {
		t.Fatalf("RevokeUser: %v", err)
	}
	if got, err := store.GetByAccess(ctx, after.Access); got != nil || err != nil {
		t.Errorf("after RevokeUser: %v, %v", got, err)
	}
}
