package redisstore

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/go-oauth2/oauth2/v4/models"
	"github.com/redis/go-redis/v9"

	"github.com/tongxing/tongxing/provider/tokens"
	"github.com/tongxing/tongxing/provider/tokens/conformance"
)

// sentinelMaster is the name the test's Sentinel monitors its master by.
const sentinelMaster = "txmaster"

// sentinelSetup is a master, its replica and a Sentinel watching them, all
// started for one test.
type sentinelSetup struct {
	sentinel *redis.SentinelClient
	master   string // host:port
	replica  string
	// client reaches the master through the Sentinel, as the provider
	// does with redis.master_name.
	client redis.UniversalClient
}

// TestSentinelConformance runs the suite through Sentinel, the way the
// provider connects when redis.master_name is set.
func TestSentinelConformance(t *testing.T) {
	s := startSentinel(t)
	if _, ok := s.client.(*redis.Client); !ok {
		t.Fatalf("NewUniversalClient with a master name gave a %T, want a failover client", s.client)
	}
	conformance.RunTests(t, backend(s.client))
}

// TestSentinelFailover: after Sentinel promotes the replica, the same
// client finds the tokens written before (replicated) and stores new ones
// on the new master, with no reconfiguration.
func TestSentinelFailover(t *testing.T) {
	s := startSentinel(t)
	ctx := t.Context()
	store := New(s.client, Options{Prefix: testPrefix(t, s.client)})
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
	master := redis.NewClient(&redis.Options{Addr: s.master})
	t.Cleanup(func() { _ = master.Close() })
	if n, err := master.Do(ctx, "wait", 1, 5000).Int(); err != nil || n != 1 {
		t.Fatalf("WAIT for the replica: %d, %v", n, err)
	}

	if err := s.sentinel.Failover(ctx, sentinelMaster).Err(); err != nil {
		t.Fatalf("SENTINEL FAILOVER: %v", err)
	}
	waitFor(t, 30*time.Second, func() error {
		addr, err := s.sentinel.GetMasterAddrByName(ctx, sentinelMaster).Result()
		if err != nil {
			return err
		}
		if got := net.JoinHostPort(addr[0], addr[1]); got != s.replica {
			return fmt.Errorf("master is %s, waiting for %s", got, s.replica)
		}
		return nil
	})

	// The client follows the switch on its own; writes may fail while the
	// old master turns replica (READONLY) and the client reconnects.
	var after *models.Token
	waitFor(t, 30*time.Second, func() error {
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

// startSentinel starts a master, a replica of it and one Sentinel (quorum
// 1) on loopback ports, waits until the Sentinel knows both, and kills
// them when the test ends.
func startSentinel(t *testing.T) *sentinelSetup {
	t.Helper()
	redisAddr(t)
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skipf("redis-server is not on PATH; %s alone does not give a Sentinel to test on", envAddr)
	}
	dir := t.TempDir()
	ctx := t.Context()
	masterPort, replicaPort, sentinelPort := freePort(t), freePort(t), freePort(t)
	startRedisServer(t, bin, dir, "master", masterPort)
	startRedisServer(t, bin, dir, "replica", replicaPort, "--replicaof", "127.0.0.1", strconv.Itoa(masterPort))

	// Sentinel rewrites its configuration file, so it gets one of its own.
	conf := filepath.Join(dir, "sentinel.conf")
	err = os.WriteFile(conf, fmt.Appendf(nil, "bind 127.0.0.1\nport %d\ndir %s\nlogfile %s\n"+
		"sentinel monitor %s 127.0.0.1 %d 1\n"+
		"sentinel down-after-milliseconds %[4]s 1000\n"+
		"sentinel failover-timeout %[4]s 10000\n",
		sentinelPort, dir, filepath.Join(dir, "sentinel.log"), sentinelMaster, masterPort), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, conf, "--sentinel")
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the Sentinel: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	sentinelAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(sentinelPort))
	sc := redis.NewSentinelClient(&redis.Options{Addr: sentinelAddr})
	t.Cleanup(func() { _ = sc.Close() })
	replica := net.JoinHostPort("127.0.0.1", strconv.Itoa(replicaPort))
	// A failover needs a replica the Sentinel has discovered (from the
	// master's INFO) and sees as connected.
	waitFor(t, 30*time.Second, func() error {
		replicas, err := sc.Replicas(ctx, sentinelMaster).Result()
		if err != nil {
			return err
		}
		for _, r := range replicas {
			if net.JoinHostPort(r["ip"], r["port"]) == replica && r["flags"] == "slave" && r["master-link-status"] == "ok" {
				return nil
			}
		}
		return fmt.Errorf("the Sentinel does not see %s as a healthy replica yet: %v", replica, replicas)
	})
	client := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{sentinelAddr}, MasterName: sentinelMaster})
	t.Cleanup(func() { _ = client.Close() })
	waitFor(t, 10*time.Second, func() error { return client.Ping(ctx).Err() })
	return &sentinelSetup{
		sentinel: sc,
		master:   net.JoinHostPort("127.0.0.1", strconv.Itoa(masterPort)),
		replica:  replica,
		client:   client,
	}
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
