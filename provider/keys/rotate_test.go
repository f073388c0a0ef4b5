package keys_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/keys"
)

func TestRotation(t *testing.T) {
	const (
		delay    = 10 * time.Minute
		lifetime = time.Hour
	)
	// Each step moves the clock to an offset from the rotation (the new
	// key's ActiveFrom less the delay) and checks which key signs and which
	// are published.
	steps := []struct {
		at        time.Duration
		signer    string   // "old" or "new"
		published []string // newest first
	}{
		{time.Millisecond, "old", []string{"new", "old"}},
		{delay - time.Millisecond, "old", []string{"new", "old"}},
		{delay, "new", []string{"new", "old"}},
		{delay + lifetime, "new", []string{"new", "old"}},
		{delay + lifetime + time.Millisecond, "new", []string{"new"}},
	}
	eachRepo(t, func(t *testing.T, repo models.SigningKeys) {
		ctx := context.Background()
		clk := newClock()
		set := newSet(t, repo, keys.Options{Clock: clk.Now, PublishDelay: delay, MaxTokenLifetime: lifetime})
		if err := set.Ensure(ctx, keys.RS256, keys.ES256); err != nil {
			t.Fatal(err)
		}
		esKID := signingKID(t, set, keys.ES256)
		clk.Advance(5 * time.Minute)
		rotatedAt := clk.Now()
		names := map[string]string{"old": signingKID(t, set, keys.RS256)}

		rec, err := set.Rotate(ctx, keys.RS256)
		if err != nil {
			t.Fatalf("Rotate: %v", err)
		}
		names["new"] = rec.ID
		if rec.Alg != keys.RS256 || rec.Private != nil || rec.RetiredAt != nil {
			t.Fatalf("Rotate returned %+v", rec)
		}
		if d := rec.ActiveFrom.Sub(rotatedAt); d > delay || d <= delay-time.Millisecond {
			t.Fatalf("new key active %v after the rotation, want %v", d, delay)
		}
		old := stored(t, repo)[names["old"]]
		if old.RetiredAt == nil || !old.RetiredAt.Equal(rec.ActiveFrom) {
			t.Fatalf("old key retired at %v, want %v", old.RetiredAt, rec.ActiveFrom)
		}
		if old.ExpiresAt == nil || !old.ExpiresAt.Equal(rec.ActiveFrom.Add(lifetime)) {
			t.Fatalf("old key expires at %v, want %v", old.ExpiresAt, rec.ActiveFrom.Add(lifetime))
		}

		for _, st := range steps {
			clk.Advance(rec.ActiveFrom.Add(st.at - delay).Sub(clk.Now()))
			if got := signingKID(t, set, keys.RS256); got != names[st.signer] {
				t.Errorf("+%v: RS256 signed by %s, want the %s key", st.at, got, st.signer)
			}
			var want []string
			for _, n := range st.published {
				want = append(want, names[n])
			}
			got := slices.DeleteFunc(kids(set), func(k string) bool { return k == esKID })
			if !slices.Equal(got, want) {
				t.Errorf("+%v: JWKS %v, want %v", st.at, got, want)
			}
			if _, ok := set.PublicKey(names["old"]); ok != slices.Contains(st.published, "old") {
				t.Errorf("+%v: PublicKey(old) found = %v", st.at, ok)
			}
			if got := signingKID(t, set, keys.ES256); got != esKID {
				t.Errorf("+%v: ES256 key changed to %s", st.at, got)
			}
		}

		// The old key has expired: the next rotation deletes it.
		if _, ok := stored(t, repo)[names["old"]]; !ok {
			t.Fatal("expired key deleted before a rotation")
		}
		if _, err := set.Rotate(ctx, keys.RS256); err != nil {
			t.Fatal(err)
		}
		if _, ok := stored(t, repo)[names["old"]]; ok {
			t.Fatal("Rotate kept an expired key")
		}
		if _, ok := stored(t, repo)[names["new"]]; !ok {
			t.Fatal("Rotate deleted a published key")
		}
	})
}

func TestRotateTwiceBeforeActive(t *testing.T) {
	const delay = 10 * time.Minute
	eachRepo(t, func(t *testing.T, repo models.SigningKeys) {
		ctx := context.Background()
		clk := newClock()
		set := newSet(t, repo, keys.Options{Clock: clk.Now, PublishDelay: delay})
		if err := set.Ensure(ctx, keys.ES256); err != nil {
			t.Fatal(err)
		}
		a := signingKID(t, set, keys.ES256)
		b, err := set.Rotate(ctx, keys.ES256)
		if err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
		c, err := set.Rotate(ctx, keys.ES256)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := kids(set), []string{c.ID, b.ID, a}; !slices.Equal(got, want) {
			t.Fatalf("JWKS %v, want %v", got, want)
		}
		for _, st := range []struct {
			advance time.Duration
			want    string
		}{
			{0, a},
			{delay - time.Minute, b.ID},
			{time.Minute, c.ID},
		} {
			clk.Advance(st.advance)
			if got := signingKID(t, set, keys.ES256); got != st.want {
				t.Errorf("signed by %s, want %s", got, st.want)
			}
		}
	})
}

// TestReloadFollowsOtherSet rotates through a second connection pool, as
// the CLI does while servers run.
func TestReloadFollowsOtherSet(t *testing.T) {
	eachDatabase(t, func(t *testing.T, open func() models.SigningKeys) {
		ctx := context.Background()
		clk := newClock()
		server := newSet(t, open(), keys.Options{Clock: clk.Now})
		if err := server.Ensure(ctx, keys.RS256); err != nil {
			t.Fatal(err)
		}
		old := signingKID(t, server, keys.RS256)
		cli := newSet(t, open(), keys.Options{Clock: clk.Now, PublishDelay: time.Minute})
		rec, err := cli.Rotate(ctx, keys.RS256)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := server.PublicKey(rec.ID); ok {
			t.Fatal("server knows the new key before reloading")
		}
		if err := server.Reload(ctx); err != nil {
			t.Fatal(err)
		}
		if got, want := kids(server), []string{rec.ID, old}; !slices.Equal(got, want) {
			t.Fatalf("JWKS after reload %v, want %v", got, want)
		}
		if got := signingKID(t, server, keys.RS256); got != old {
			t.Fatalf("signed by %s before PublishDelay, want %s", got, old)
		}
		clk.Advance(time.Minute)
		if got := signingKID(t, server, keys.RS256); got != rec.ID {
			t.Fatalf("signed by %s after PublishDelay, want %s", got, rec.ID)
		}
	})
}

func TestRunReloads(t *testing.T) {
	eachDatabase(t, func(t *testing.T, open func() models.SigningKeys) {
		ctx, cancel := context.WithCancel(context.Background())
		server := newSet(t, open(), keys.Options{ReloadInterval: 5 * time.Millisecond})
		done := make(chan struct{})
		go func() { server.Run(ctx); close(done) }()
		defer func() { cancel(); <-done }()

		cli := newSet(t, open(), keys.Options{})
		if err := cli.Ensure(ctx, keys.ES256); err != nil {
			t.Fatal(err)
		}
		rec, err := cli.Rotate(ctx, keys.ES256)
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			if _, ok := server.PublicKey(rec.ID); ok {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("Run never picked up the rotation")
			}
			time.Sleep(5 * time.Millisecond)
		}
		if got := signingKID(t, server, keys.ES256); got != rec.ID {
			t.Fatalf("signed by %s, want %s", got, rec.ID)
		}
	})
}

func TestConcurrentRotate(t *testing.T) {
	eachDatabase(t, func(t *testing.T, open func() models.SigningKeys) {
		ctx := context.Background()
		clk := newClock()
		repo := open()
		a := newSet(t, repo, keys.Options{Clock: clk.Now})
		if err := a.Ensure(ctx, keys.ES256); err != nil {
			t.Fatal(err)
		}
		b := newSet(t, open(), keys.Options{Clock: clk.Now})
		var wg sync.WaitGroup
		for _, s := range []*keys.Set{a, b} {
			wg.Go(func() {
				if _, err := s.Rotate(ctx, keys.ES256); err != nil {
					t.Errorf("Rotate: %v", err)
				}
			})
		}
		wg.Wait()
		for _, s := range []*keys.Set{a, b} {
			if err := s.Reload(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if ka, kb := signingKID(t, a, keys.ES256), signingKID(t, b, keys.ES256); ka != kb {
			t.Fatalf("sets on one repository sign with %s and %s", ka, kb)
		}
		// A later rotation leaves a single key in service.
		rec, err := a.Rotate(ctx, keys.ES256)
		if err != nil {
			t.Fatal(err)
		}
		for id, r := range stored(t, repo) {
			if (r.RetiredAt == nil) != (id == rec.ID) {
				t.Errorf("key %s retired at %v", id, r.RetiredAt)
			}
		}
	})
}

// TestConcurrentSignAndReload is meant for -race: signing, publishing and
// reloading while another Set rotates the same repository.
func TestConcurrentSignAndReload(t *testing.T) {
	eachDatabase(t, func(t *testing.T, open func() models.SigningKeys) {
		ctx := context.Background()
		clk := newClock()
		server := newSet(t, open(), keys.Options{Clock: clk.Now, MaxTokenLifetime: time.Hour})
		if err := server.Ensure(ctx, keys.RS256, keys.ES256); err != nil {
			t.Fatal(err)
		}
		cli := newSet(t, open(), keys.Options{Clock: clk.Now, PublishDelay: time.Minute, MaxTokenLifetime: time.Hour})

		stop := make(chan struct{})
		var wg sync.WaitGroup
		for i := range 4 {
			alg := []string{keys.RS256, keys.ES256}[i%2]
			typ := []string{"JWT", "at+jwt"}[i/2]
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					tok, err := server.Sign(alg, typ, []byte(`{"sub":"u"}`))
					if err != nil {
						t.Errorf("Sign: %v", err)
						return
					}
					verified(t, server, tok)
					_ = server.Algorithms()
				}
			})
		}
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if err := server.Reload(ctx); err != nil {
					t.Errorf("Reload: %v", err)
					return
				}
			}
		})
		for i := range 6 {
			if _, err := cli.Rotate(ctx, []string{keys.RS256, keys.ES256}[i%2]); err != nil {
				t.Errorf("Rotate: %v", err)
			}
			clk.Advance(time.Minute)
		}
		close(stop)
		wg.Wait()
	})
}
