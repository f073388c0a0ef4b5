package redisstore

import (
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/tongxing/tongxing/provider/internal/redistest"
	"github.com/tongxing/tongxing/provider/tokens/conformance"
)

// TestClusterConformance runs the suite on a three-master Redis Cluster
// started for the test, which is what proves that no script or command
// spans two hash slots.
func TestClusterConformance(t *testing.T) {
	addrs := redistest.Cluster(t, 3)
	client := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: addrs})
	t.Cleanup(func() { _ = client.Close() })
	if _, ok := client.(*redis.ClusterClient); !ok {
		t.Fatalf("NewUniversalClient gave a %T, want a cluster client", client)
	}
	if s := New(client, Options{}); s.cmd == s.rdb {
		t.Fatal("the store on a cluster client has no autopipeliner")
	}
	conformance.RunTests(t, backend(client))
}
