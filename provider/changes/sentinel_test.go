package changes

import (
	"testing"
	"time"

	"github.com/tongxing/tongxing/provider/internal/redistest"
)

// TestRedisSentinelFailover: notices keep flowing between two processes'
// clients (each reaching the master through Sentinel) after the replica is
// promoted, without reconfiguration.
func TestRedisSentinelFailover(t *testing.T) {
	s := redistest.StartSentinel(t)
	prefix := testPrefix()
	sub := NewRedis(s.Client(t), prefix, nil)
	pub := NewRedis(s.Client(t), prefix, nil)
	h := newRecorder()
	subscribe(t, sub, h)
	if e := h.next(t); !e.reset {
		t.Fatalf("first event %+v, want a reset once subscribed", e)
	}
	before := Notice{Client, "before-failover"}
	if err := pub.Publish(t.Context(), before); err != nil {
		t.Fatal(err)
	}
	if e := h.next(t); e.notice != before {
		t.Fatalf("got %+v, want %v", e, before)
	}

	s.Failover(t)

	// A notice sent while either client is still switching may be lost;
	// the subscriber is then reset when it subscribes again. What must
	// hold is that notices flow again, through the new master.
	after := Notice{User, "after-failover"}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if time.Now().After(deadline) {
			t.Fatal("no notice reached the subscriber after the failover")
		}
		_ = pub.Publish(t.Context(), after)
		select {
		case e := <-h.events:
			if e.notice == after {
				return
			}
		case <-time.After(500 * time.Millisecond):
		}
	}
}
