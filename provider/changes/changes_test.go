package changes

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestEncoding(t *testing.T) {
	for _, n := range []Notice{{Client, "web-app"}, {User, "u_abc"}, {Client, "urn:example:app"}, {User, "用户"}} {
		got, err := decode(n.encode())
		if err != nil || got != n {
			t.Errorf("%q decodes to %v, %v", n.encode(), got, err)
		}
	}
	if s := (Notice{Client, "web-app"}).encode(); s != "client:web-app" {
		t.Errorf("encoded as %q", s)
	}
	for _, s := range []string{"", "client", "client:", "group:x", "Client:x", ":x", "client:a\x00b", "user:a\nb",
		"user:" + strings.Repeat("x", maxID+1), "user:\xff", "v2|client|x"} {
		if n, err := decode(s); !errors.Is(err, ErrMalformed) {
			t.Errorf("%q decodes to %v, %v", s, n, err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{"client:web-app", "user:u_1", "client:", "x:y", "", "user:a:b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := decode(s)
		if err != nil {
			return
		}
		if again, err := decode(n.encode()); err != nil || again != n || n.encode() != s {
			t.Fatalf("%q decodes to %v, which encodes to %q", s, n, n.encode())
		}
	})
}

// event is what a handler was told: a notice, or a reset.
type event struct {
	reset  bool
	notice Notice
}

// recorder is a Handler that sends what it is told on a channel.
type recorder struct{ events chan event }

func newRecorder() *recorder { return &recorder{events: make(chan event, 100)} }

func (r *recorder) Changed(n Notice) { r.events <- event{notice: n} }
func (r *recorder) Reset()           { r.events <- event{reset: true} }

// next returns the next event, failing the test after a while.
func (r *recorder) next(t *testing.T) event {
	t.Helper()
	select {
	case e := <-r.events:
		return e
	case <-time.After(10 * time.Second):
		t.Fatal("no event")
		return event{}
	}
}

// none checks that nothing else was told.
func (r *recorder) none(t *testing.T) {
	t.Helper()
	select {
	case e := <-r.events:
		t.Fatalf("unexpected %+v", e)
	case <-time.After(50 * time.Millisecond):
	}
}

// subscribe runs feed.Subscribe(h) until the test ends, and returns the
// error it ended with on a channel.
func subscribe(t *testing.T, feed Feed, h Handler) (stop func(), done <-chan error) {
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- feed.Subscribe(ctx, h) }()
	t.Cleanup(cancel)
	return cancel, errc
}

func TestLocal(t *testing.T) {
	ctx := t.Context()
	feed := NewLocal()
	a, b := newRecorder(), newRecorder()
	stopA, doneA := subscribe(t, feed, a)
	subscribe(t, feed, b)
	// Each subscriber is reset once registered.
	if e := a.next(t); !e.reset {
		t.Fatalf("first event %+v", e)
	}
	if e := b.next(t); !e.reset {
		t.Fatalf("first event %+v", e)
	}
	n := Notice{Client, "web"}
	if err := feed.Publish(ctx, n); err != nil {
		t.Fatal(err)
	}
	// Delivered before Publish returned: the events are already there.
	for _, r := range []*recorder{a, b} {
		select {
		case e := <-r.events:
			if e.notice != n {
				t.Fatalf("got %+v", e)
			}
		default:
			t.Fatal("Publish returned before telling every subscriber")
		}
	}
	if err := feed.Publish(ctx, Notice{Kind: "group", ID: "x"}); !errors.Is(err, ErrMalformed) {
		t.Errorf("a malformed notice: %v", err)
	}
	stopA()
	if err := <-doneA; err != nil {
		t.Errorf("Subscribe ended with %v", err)
	}
	if err := feed.Publish(ctx, Notice{User, "u1"}); err != nil {
		t.Fatal(err)
	}
	if e := b.next(t); e.notice != (Notice{User, "u1"}) {
		t.Fatalf("got %+v", e)
	}
	a.none(t)
}

// A handler may publish from within a notice without deadlocking the feed.
func TestLocalReentrant(t *testing.T) {
	feed := NewLocal()
	told := make(chan Notice, 2)
	h := handlerFunc(func(n Notice) {
		told <- n
		if n.ID == "first" {
			_ = feed.Publish(context.Background(), Notice{User, "second"})
		}
	})
	subscribe(t, feed, h)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if err := feed.Publish(t.Context(), Notice{User, "first"}); err != nil {
			t.Fatal(err)
		}
		if len(told) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond) // the subscriber is not registered yet
	}
	if a, b := <-told, <-told; a.ID != "first" || b.ID != "second" {
		t.Fatalf("told %v then %v", a, b)
	}
}

// handlerFunc is a Handler that ignores resets.
type handlerFunc func(Notice)

func (f handlerFunc) Changed(n Notice) { f(n) }
func (handlerFunc) Reset()             {}
