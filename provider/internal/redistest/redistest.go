// Package redistest starts Redis deployments for tests: single servers, a
// Cluster and a Sentinel-watched master with its replica, each from the
// redis-server binary on loopback ports, killed when the test ends.
//
// The tests that use it run only when IDP_TEST_REDIS_ADDR names a Redis
// (the integration run), and skip when redis-server is not on PATH.
package redistest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// EnvAddr names the variable that points the tests at a Redis server.
const EnvAddr = "IDP_TEST_REDIS_ADDR"

// Addr returns the server the tests may use, or skips the test.
func Addr(t testing.TB) string {
	t.Helper()
	addr := os.Getenv(EnvAddr)
	if addr == "" {
		t.Skipf("set %s (e.g. 127.0.0.1:6379) to run the Redis tests", EnvAddr)
	}
	return addr
}

// binary returns the redis-server to start, or skips the test: it runs
// in the integration run only, and needs the binary as well.
func binary(t testing.TB, what string) string {
	t.Helper()
	Addr(t)
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skipf("redis-server is not on PATH; %s alone does not give %s to test on", EnvAddr, what)
	}
	return bin
}

// Server runs redis-server from bin on a loopback port, keeping nothing
// on disk but its log in dir, kills it when the test ends, and returns a
// client once it answers.
func Server(t testing.TB, bin, dir, name string, port int, args ...string) *redis.Client {
	t.Helper()
	cmd := exec.Command(bin, append([]string{
		"--bind", "127.0.0.1", "--port", strconv.Itoa(port),
		"--dir", dir, "--logfile", filepath.Join(dir, name+".log"),
		"--save", "", "--appendonly", "no", "--daemonize", "no"}, args...)...)
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting redis-server: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	client := redis.NewClient(&redis.Options{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port))})
	t.Cleanup(func() { _ = client.Close() })
	WaitFor(t, 10*time.Second, func() error { return client.Ping(t.Context()).Err() })
	return client
}

// Private starts a redis-server of the test's own, for measurements a
// shared server would disturb, and returns a client on it.
func Private(t testing.TB, name string) *redis.Client {
	t.Helper()
	return Server(t, binary(t, "a private server"), t.TempDir(), name, freePort(t))
}

// Cluster starts n redis-server processes as the masters of a new
// cluster, splits the slots between them and waits until the cluster is
// ok. It returns their addresses.
func Cluster(t testing.TB, n int) []string {
	t.Helper()
	bin := binary(t, "a cluster")
	dir := t.TempDir()
	ctx := t.Context()
	var addrs []string
	var nodes []*redis.Client
	for i := range n {
		node := Server(t, bin, dir, fmt.Sprintf("node-%d", i), freeClusterPort(t),
			"--cluster-enabled", "yes", "--cluster-config-file", filepath.Join(dir, fmt.Sprintf("nodes-%d.conf", i)))
		addrs, nodes = append(addrs, node.Options().Addr), append(nodes, node)
	}
	const slots = 16384
	for i, node := range nodes {
		first, last := i*slots/n, (i+1)*slots/n-1
		if err := node.Do(ctx, "cluster", "set-config-epoch", i+1).Err(); err != nil {
			t.Fatalf("set-config-epoch on %s: %v", addrs[i], err)
		}
		if err := node.Do(ctx, "cluster", "addslotsrange", first, last).Err(); err != nil {
			t.Fatalf("addslotsrange on %s: %v", addrs[i], err)
		}
	}
	for _, addr := range addrs[1:] {
		host, port, _ := net.SplitHostPort(addr)
		if err := nodes[0].Do(ctx, "cluster", "meet", host, port).Err(); err != nil {
			t.Fatalf("cluster meet %s: %v", addr, err)
		}
	}
	for _, node := range nodes {
		WaitFor(t, 30*time.Second, func() error {
			info, err := node.ClusterInfo(ctx).Result()
			if err != nil {
				return err
			}
			if !strings.Contains(info, "cluster_state:ok") || !strings.Contains(info, fmt.Sprintf("cluster_known_nodes:%d", n)) {
				return fmt.Errorf("cluster not ready:\n%s", info)
			}
			return nil
		})
	}
	return addrs
}

// SentinelMaster is the name the Sentinel monitors its master by.
const SentinelMaster = "txmaster"

// Sentinel is a master, its replica and one Sentinel watching them.
type Sentinel struct {
	Sentinel *redis.SentinelClient
	Addr     string // the Sentinel's host:port
	Master   string // host:port
	Replica  string
}

// Client returns a client that reaches the master through the Sentinel,
// as the provider does with redis.master_name; closed when the test ends.
func (s *Sentinel) Client(t testing.TB) redis.UniversalClient {
	t.Helper()
	client := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{s.Addr}, MasterName: SentinelMaster})
	t.Cleanup(func() { _ = client.Close() })
	WaitFor(t, 10*time.Second, func() error { return client.Ping(t.Context()).Err() })
	return client
}

// Failover has the Sentinel promote the replica, and waits until it
// names the replica as the master.
func (s *Sentinel) Failover(t testing.TB) {
	t.Helper()
	ctx := t.Context()
	if err := s.Sentinel.Failover(ctx, SentinelMaster).Err(); err != nil {
		t.Fatalf("SENTINEL FAILOVER: %v", err)
	}
	WaitFor(t, 30*time.Second, func() error {
		addr, err := s.Sentinel.GetMasterAddrByName(ctx, SentinelMaster).Result()
		if err != nil {
			return err
		}
		if got := net.JoinHostPort(addr[0], addr[1]); got != s.Replica {
			return fmt.Errorf("master is %s, waiting for %s", got, s.Replica)
		}
		return nil
	})
}

// StartSentinel starts a master, a replica of it and one Sentinel (quorum
// 1), and waits until the Sentinel knows both.
func StartSentinel(t testing.TB) *Sentinel {
	t.Helper()
	bin := binary(t, "a Sentinel")
	dir := t.TempDir()
	ctx := t.Context()
	masterPort, replicaPort, sentinelPort := freePort(t), freePort(t), freePort(t)
	Server(t, bin, dir, "master", masterPort)
	Server(t, bin, dir, "replica", replicaPort, "--replicaof", "127.0.0.1", strconv.Itoa(masterPort))

	// Sentinel rewrites its configuration file, so it gets one of its own.
	conf := filepath.Join(dir, "sentinel.conf")
	err := os.WriteFile(conf, fmt.Appendf(nil, "bind 127.0.0.1\nport %d\ndir %s\nlogfile %s\n"+
		"sentinel monitor %s 127.0.0.1 %d 1\n"+
		"sentinel down-after-milliseconds %[4]s 1000\n"+
		"sentinel failover-timeout %[4]s 10000\n",
		sentinelPort, dir, filepath.Join(dir, "sentinel.log"), SentinelMaster, masterPort), 0o600)
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
	s := &Sentinel{
		Addr:    net.JoinHostPort("127.0.0.1", strconv.Itoa(sentinelPort)),
		Master:  net.JoinHostPort("127.0.0.1", strconv.Itoa(masterPort)),
		Replica: net.JoinHostPort("127.0.0.1", strconv.Itoa(replicaPort)),
	}
	s.Sentinel = redis.NewSentinelClient(&redis.Options{Addr: s.Addr})
	t.Cleanup(func() { _ = s.Sentinel.Close() })
	// A failover needs a replica the Sentinel has discovered (from the
	// master's INFO) and sees as connected.
	WaitFor(t, 30*time.Second, func() error {
		replicas, err := s.Sentinel.Replicas(ctx, SentinelMaster).Result()
		if err != nil {
			return err
		}
		for _, r := range replicas {
			if net.JoinHostPort(r["ip"], r["port"]) == s.Replica && r["flags"] == "slave" && r["master-link-status"] == "ok" {
				return nil
			}
		}
		return fmt.Errorf("the Sentinel does not see %s as a healthy replica yet: %v", s.Replica, replicas)
	})
	return s
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// freeClusterPort returns a loopback port that is free, as is the port
// 10000 above it that Redis Cluster uses for its bus.
func freeClusterPort(t testing.TB) int {
	t.Helper()
	for range 100 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		if port+10000 > 65535 {
			_ = l.Close()
			continue
		}
		bus, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port+10000)))
		_ = l.Close()
		if err != nil {
			continue
		}
		_ = bus.Close()
		return port
	}
	t.Fatal("no free port pair for a cluster node")
	return 0
}

// WaitFor retries check until it succeeds or d has passed.
func WaitFor(t testing.TB, d time.Duration, check func() error) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %v: %v", d, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
