package redisstore

import (
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tongxing/tongxing/provider/tokens/conformance"
)

// TestClusterConformance runs the suite on a three-master Redis Cluster
// started for the test, which is what proves that no script or command
// spans two hash slots.
func TestClusterConformance(t *testing.T) {
	addrs := startCluster(t, 3)
	client := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: addrs})
	t.Cleanup(func() { _ = client.Close() })
	if _, ok := client.(*redis.ClusterClient); !ok {
		t.Fatalf("NewUniversalClient gave a %T, want a cluster client", client)
	}
	conformance.RunTests(t, backend(client))
}

// startCluster starts n redis-server processes as the masters of a new
// cluster in t.TempDir, splits the slots between them and waits until the
// cluster is ok. The servers are killed when the test ends.
func startCluster(t *testing.T, n int) []string {
	t.Helper()
	redisAddr(t)
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skipf("redis-server is not on PATH; %s alone does not give a cluster to test on", envAddr)
	}
	dir := t.TempDir()
	ctx := t.Context()
	var addrs []string
	var nodes []*redis.Client
	for i := range n {
		node := startRedisServer(t, bin, dir, fmt.Sprintf("node-%d", i), freeClusterPort(t),
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
		waitFor(t, 30*time.Second, func() error {
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

// startRedisServer runs redis-server from bin on a loopback port, keeping
// nothing on disk but its log in dir, kills it when the test ends, and
// returns a client once it answers.
func startRedisServer(t *testing.T, bin, dir, name string, port int, args ...string) *redis.Client {
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
	waitFor(t, 10*time.Second, func() error { return client.Ping(t.Context()).Err() })
	return client
}

// freeClusterPort returns a loopback port that is free, as is the port
// 10000 above it that Redis Cluster uses for its bus.
func freeClusterPort(t *testing.T) int {
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

// waitFor retries check until it succeeds or d has passed.
func waitFor(t *testing.T, d time.Duration, check func() error) {
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
