package provider_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/tongxing/tongxing/provider"
	"github.com/tongxing/tongxing/provider/changes"
	"github.com/tongxing/tongxing/provider/clientreg"
)

// watchedFeed is the in-process feed, reporting each reset of its
// subscribers on resets, so a test knows when the provider follows it.
type watchedFeed struct {
	*changes.Local
	resets chan struct{}
}

func newWatchedFeed() *watchedFeed {
	return &watchedFeed{Local: changes.NewLocal(), resets: make(chan struct{}, 10)}
}

func (f *watchedFeed) Subscribe(ctx context.Context, h changes.Handler) error {
	return f.Local.Subscribe(ctx, resetWatch{h, f.resets})
}

type resetWatch struct {
	changes.Handler
	resets chan<- struct{}
}

func (w resetWatch) Reset() {
	w.Handler.Reset()
	w.resets <- struct{}{}
}

// follow runs the provider's Follow until the returned stop, and waits
// until it is subscribed.
func (e *env) follow(feed *watchedFeed) (stop func()) {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.p.Follow(ctx)
	}()
	select {
	case <-feed.resets:
	case <-time.After(10 * time.Second):
		e.t.Fatal("Follow did not subscribe")
	}
	stop = func() { cancel(); <-done }
	e.t.Cleanup(stop)
	return stop
}

// With a change feed, the record caches hold a record until a notice
// names it or a (re)subscription drops them all; the TTL, here longer than
// the test, plays no part.
func TestFollowChanges(t *testing.T) {
	feed := newWatchedFeed()
	e := newEnv(t, func(c *provider.Config) { c.RecordCacheTTL = time.Hour; c.Changes = feed })
	ctx := context.Background()
	webID, webSecret := e.webClient("web")
	svcID, svcSecret := e.client(clientreg.Metadata{ClientID: "svc", ClientName: "svc", GrantTypes: []string{"client_credentials"}, Scope: "api"})
	u := e.user("ivy", "ivy-password")
	tok := e.codeFlow(webID, webSecret, "ivy", "ivy-password").str("access_token")
	cc := func() result {
		return e.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, svcID, svcSecret)
	}
	nickname := func() string {
		t.Helper()
		r := e.get("/userinfo", tok)
		if r.status != http.StatusOK {
			t.Fatalf("userinfo: %d %s", r.status, r.raw)
		}
		return r.str("nickname")
	}
	// Changes made where no notice comes from: directly in the database.
	setNickname := func(name string) {
		t.Helper()
		rec, err := e.records.Users.Get(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		rec.Nickname = name
		if err := e.records.Users.Update(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	setEnabled := func(on bool) {
		t.Helper()
		c, err := e.records.Clients.Get(ctx, svcID)
		if err != nil {
			t.Fatal(err)
		}
		c.Enabled = on
		if err := e.records.Clients.Update(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	// changeUnseen changes the user's nickname and disables the client in
	// the database, then checks that both are still served as cached:
	// the user with the nickname it had, the client still enabled.
	changeUnseen := func(t *testing.T, nick, cachedNick string) {
		t.Helper()
		setNickname(nick)
		setEnabled(false)
		if got := nickname(); got != cachedNick {
			t.Fatalf("the cached user was not used: %q", got)
		}
		if r := cc(); r.status != http.StatusOK {
			t.Fatalf("the cached client was not used: %d %s", r.status, r.raw)
		}
	}
	publish := func(n changes.Notice) {
		t.Helper()
		if err := feed.Publish(ctx, n); err != nil {
			t.Fatal(err)
		}
	}

	// Before the feed is followed, a notice could be missed: every read
	// goes to the database.
	setNickname("before")
	if got := nickname(); got != "before" {
		t.Fatalf("not following yet, userinfo read %q", got)
	}
	stop := e.follow(feed)

	if r := cc(); r.status != http.StatusOK {
		t.Fatalf("client_credentials: %d %s", r.status, r.raw)
	}
	nickname()
	changeUnseen(t, "second", "before")

	t.Run("a notice evicts the record it names", func(t *testing.T) {
		publish(changes.Notice{Kind: changes.User, ID: u.ID})
		if got := nickname(); got != "second" {
			t.Errorf("after the user's notice: %q", got)
		}
		if r := cc(); r.status != http.StatusOK {
			t.Errorf("a user's notice evicted a client: %d %s", r.status, r.raw)
		}
		publish(changes.Notice{Kind: changes.Client, ID: svcID})
		wantError(t, cc(), http.StatusUnauthorized, "invalid_client")
	})

	t.Run("subscribing again drops every record", func(t *testing.T) {
		setEnabled(true)
		if r := cc(); r.status != http.StatusOK {
			t.Fatalf("re-enabled: %d %s", r.status, r.raw)
		}
		changeUnseen(t, "third", "second")
		stop()
		e.follow(feed)
		if got := nickname(); got != "third" {
			t.Errorf("after the reset: %q", got)
		}
		wantError(t, cc(), http.StatusUnauthorized, "invalid_client")
	})
}
