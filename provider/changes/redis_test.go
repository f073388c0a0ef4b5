package changes

import (
	"bytes"
	"context"
	"crypto/rand"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// envAddr names the variable that points the tests at a Redis server.
const envAddr = "IDP_TEST_REDIS_ADDR"

// dial returns a client on the test server, closed when the test ends,
// or skips the test when no server is named. Its connections carry name,
// so that a test can find and cut them.
func dial(t *testing.T, name string) *redis.Client {
	t.Helper()
	addr := os.Getenv(envAddr)
	if addr == "" {
		t.Skipf("set %s (e.g. 127.0.0.1:6379) to run the Redis tests", envAddr)
	}
	client := redis.NewClient(&redis.Options{Addr: addr, ClientName: name})
	t.Cleanup(func() { _ = client.Close() })
	if err := client.Ping(t.Context()).Err(); err != nil {
		t.Fatalf("%s=%s: %v", envAddr, addr, err)
	}
	return client
}

// testPrefix is a key prefix of the test's own: the server is shared, and
// a channel under it reaches no one else.
func testPrefix() string { return "t" + rand.Text()[:8] + ":" }

// syncLog collects a feed's log.
type syncLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func TestRedis(t *testing.T) {
	prefix := testPrefix()
	name := "sub" + rand.Text()[:8]
	log := &syncLog{}
	sub := NewRedis(dial(t, name), prefix, slog.New(slog.NewTextHandler(log, nil)))
	pubClient := dial(t, "pub")
	pub := NewRedis(pubClient, prefix, nil)
	other := NewRedis(pubClient, testPrefix(), nil)
	h := newRecorder()
	stop, done := subscribe(t, sub, h)
	if e := h.next(t); !e.reset {
		t.Fatalf("first event %+v, want a reset once subscribed", e)
	}

	ctx := t.Context()
	n := Notice{Client, "web:app"}
	if err := pub.Publish(ctx, n); err != nil {
		t.Fatal(err)
	}
	if e := h.next(t); e.notice != n {
		t.Fatalf("got %+v, want %v", e, n)
	}
	// Another prefix is another deployment.
	if err := other.Publish(ctx, Notice{User, "elsewhere"}); err != nil {
		t.Fatal(err)
	}
	h.none(t)

	// Garbage on the channel is logged and skipped.
	channel := prefix + "changes"
	for _, garbage := range []string{"", "hello", "group:x", "client:", "user:a\x00b", "\xff\xfe"} {
		if err := pubClient.Publish(ctx, channel, garbage).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if err := pub.Publish(ctx, Notice{User, "u1"}); err != nil {
		t.Fatal(err)
	}
	if e := h.next(t); e.notice != (Notice{User, "u1"}) {
		t.Fatalf("after garbage: %+v", e)
	}
	if l := log.String(); strings.Count(l, "malformed record change notice") != 6 {
		t.Errorf("log:\n%s", l)
	}
	if err := pub.Publish(ctx, Notice{Kind: "group", ID: "x"}); err == nil {
		t.Error("a malformed notice was published")
	}

	// A subscriber in the publishing process is told before Publish
	// returns, then again through Redis.
	if err := sub.Publish(ctx, Notice{User, "u2"}); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-h.events:
		if e.notice != (Notice{User, "u2"}) {
			t.Fatalf("got %+v", e)
		}
	default:
		t.Fatal("Publish returned before telling the subscriber in its process")
	}
	if e := h.next(t); e.notice != (Notice{User, "u2"}) {
		t.Fatalf("through Redis: %+v", e)
	}

	// A lost connection is found, the subscription made again, and the
	// subscriber reset: what was published meanwhile is lost.
	killConnections(t, pubClient, name)
	if e := h.next(t); !e.reset {
		t.Fatalf("after the connection was cut: %+v, want a reset", e)
	}
	if err := pub.Publish(ctx, Notice{Client, "after"}); err != nil {
		t.Fatal(err)
	}
	if e := h.next(t); e.notice != (Notice{Client, "after"}) {
		t.Fatalf("after resubscribing: %+v", e)
	}
	if !strings.Contains(log.String(), "subscribed again") {
		t.Errorf("the resubscription was not logged:\n%s", log.String())
	}

	stop()
	if err := <-done; err != nil {
		t.Errorf("Subscribe ended with %v", err)
	}
}

// killConnections cuts every connection of the clients called name.
func killConnections(t *testing.T, admin *redis.Client, name string) {
	t.Helper()
	list, err := admin.ClientList(t.Context()).Result()
	if err != nil {
		t.Fatal(err)
	}
	killed := 0
	for _, line := range strings.Split(list, "\n") {
		fields := map[string]string{}
		for _, f := range strings.Fields(line) {
			k, v, _ := strings.Cut(f, "=")
			fields[k] = v
		}
		if fields["name"] != name {
			continue
		}
		if err := admin.Do(t.Context(), "client", "kill", "id", fields["id"]).Err(); err != nil {
			t.Fatal(err)
		}
		killed++
	}
	if killed == 0 {
		t.Fatalf("no connection named %s", name)
	}
}

// Publishing without a reachable Redis fails, and says so.
func TestRedisPublishFails(t *testing.T) {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: time.Second})
	t.Cleanup(func() { _ = client.Close() })
	if err := NewRedis(client, "tx:", nil).Publish(t.Context(), Notice{Client, "web"}); err == nil {
		t.Fatal("published to nowhere")
	}
}

// A subscription Redis never confirms is retried, and said to be late.
func TestRedisSubscriptionLate(t *testing.T) {
	defer func(d time.Duration) { slowSubscription = d }(slowSubscription)
	slowSubscription = 50 * time.Millisecond
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: time.Second})
	t.Cleanup(func() { _ = client.Close() })
	log := &syncLog{}
	feed := NewRedis(client, "tx:", slog.New(slog.NewTextHandler(log, nil)))
	h := newRecorder()
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	if err := feed.Subscribe(ctx, h); err != nil {
		t.Errorf("Subscribe ended with %v", err)
	}
	if !strings.Contains(log.String(), "not subscribed to record change notices yet") {
		t.Errorf("log:\n%s", log.String())
	}
	h.none(t)
}
