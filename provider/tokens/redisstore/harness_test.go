package redisstore

import (
	"context"
	"crypto/rand"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/tongxing/tongxing/provider/internal/redistest"
	"github.com/tongxing/tongxing/provider/tokens"
	"github.com/tongxing/tongxing/provider/tokens/conformance"
)

// dial returns a client on the test server, closed when the test ends.
func dial(t *testing.T) *redis.Client {
	t.Helper()
	client := redis.NewClient(&redis.Options{Addr: redistest.Addr(t)})
	t.Cleanup(func() { _ = client.Close() })
	if err := client.Ping(t.Context()).Err(); err != nil {
		t.Fatalf("%s=%s: %v", redistest.EnvAddr, client.Options().Addr, err)
	}
	return client
}

// testPrefix returns a key namespace of its own for one test and deletes
// every key in it when the test ends; the server is shared, so nothing
// else is touched.
func testPrefix(t *testing.T, client redis.UniversalClient) string {
	t.Helper()
	prefix := "t" + rand.Text()[:8] + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		for _, key := range scanKeys(t, ctx, client, prefix) {
			if err := client.Del(ctx, key).Err(); err != nil {
				t.Errorf("deleting %s: %v", key, err)
			}
		}
	})
	return prefix
}

// scanKeys returns every key under prefix, on every master of a cluster.
func scanKeys(t *testing.T, ctx context.Context, client redis.UniversalClient, prefix string) []string {
	t.Helper()
	var mu sync.Mutex
	var keys []string
	scan := func(ctx context.Context, c redis.Cmdable) error {
		iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			mu.Lock()
			keys = append(keys, iter.Val())
			mu.Unlock()
		}
		return iter.Err()
	}
	var err error
	if cc, ok := client.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return scan(ctx, c) })
	} else {
		err = scan(ctx, client)
	}
	if err != nil {
		t.Fatalf("scanning %s*: %v", prefix, err)
	}
	return keys
}

// backend opens stores on client, each in a namespace of its own.
func backend(client redis.UniversalClient) conformance.Backend {
	return func(t *testing.T, clock *conformance.Clock) (tokens.Store, conformance.Dump) {
		prefix := testPrefix(t, client)
		s := New(client, Options{Prefix: prefix, Clock: clock.Now})
		t.Cleanup(func() { _ = s.Close() })
		return s, func(t *testing.T) []byte { return dump(t, client, prefix) }
	}
}

// dump returns every key under prefix and its value: strings as stored,
// sets and sorted sets as their members.
func dump(t *testing.T, client redis.UniversalClient, prefix string) []byte {
	t.Helper()
	ctx := t.Context()
	var out []byte
	for _, key := range scanKeys(t, ctx, client, prefix) {
		out = append(out, key...)
		typ, err := client.Type(ctx, key).Result()
		if err != nil {
			t.Fatal(err)
		}
		switch typ {
		case "string":
			v, err := client.Get(ctx, key).Bytes()
			if err != nil && err != redis.Nil {
				t.Fatal(err)
			}
			out = append(out, v...)
		case "zset":
			members, err := client.ZRange(ctx, key, 0, -1).Result()
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range members {
				out = append(out, m...)
			}
		case "set":
			members, err := client.SMembers(ctx, key).Result()
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range members {
				out = append(out, m...)
			}
		case "none":
		default:
			t.Fatalf("key %s is a %s; the store writes only strings, sets and sorted sets", key, typ)
		}
	}
	return out
}

func TestConformance(t *testing.T) {
	conformance.RunTests(t, backend(dial(t)))
}
