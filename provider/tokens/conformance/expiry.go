package conformance

import (
	"errors"
	"testing"
	"time"

	"github.com/tongxing/tongxing/provider/tokens"
)

// testExpiry moves the clock past each artifact's lifetime: an artifact
// expires on its own, siblings keep theirs, and a tombstone lasts as long
// as the artifact would have.
func testExpiry(t *testing.T, newStore Backend) {
	t.Run("code", func(t *testing.T) {
		f := setup(t, newStore)
		in := f.create(f.code("c1", "u1", "fam"))
		f.clock.Advance(codeLife - time.Millisecond)
		f.alive("just before expiry", in)
		f.clock.Advance(time.Millisecond)
		f.gone("at expiry", in)
		if err := f.store.RemoveByCode(f.ctx, in.Code); !errors.Is(err, tokens.ErrNotFound) {
			t.Errorf("RemoveByCode(expired) = %v, want ErrNotFound", err)
		}
		if _, err := f.store.Consumed(f.ctx, in.Code); !errors.Is(err, tokens.ErrNotFound) {
			t.Errorf("Consumed(expired, never redeemed) = %v, want ErrNotFound", err)
		}
	})

	t.Run("access before refresh", func(t *testing.T) {
		f := setup(t, newStore)
		in := f.create(f.pair("c1", "u1", "fam"))
		f.clock.Advance(accessLife)
		if f.live(accessKind, in) {
			t.Error("access token outlived its lifetime")
		}
		got := f.get(refreshKind, in.Refresh)
		if got == nil {
			t.Fatal("refresh token expired with the access token")
		}
		if got.Access != tokens.Ref(in.Access) {
			t.Errorf("record by refresh names access %q, want its Ref", got.Access)
		}
		f.clock.Advance(refreshLife - accessLife)
		f.gone("after refresh lifetime", in)
		if err := f.store.RemoveByRefresh(f.ctx, in.Refresh); !errors.Is(err, tokens.ErrNotFound) {
			t.Errorf("RemoveByRefresh(expired) = %v, want ErrNotFound", err)
		}
	})

	t.Run("client_credentials", func(t *testing.T) {
		f := setup(t, newStore)
		in := f.create(f.access("c1", "", "fam"))
		f.clock.Advance(accessLife - time.Second)
		f.alive("before expiry", in)
		f.clock.Advance(time.Second)
		f.gone("after expiry", in)
	})

	t.Run("zero lifetime never expires", func(t *testing.T) {
		f := setup(t, newStore)
		in := f.pair("c1", "u1", "fam")
		in.AccessExpiresIn, in.RefreshExpiresIn = 0, 0
		f.create(in)
		code := f.code("c1", "u1", "fam")
		code.CodeExpiresIn = 0
		f.create(code)
		f.clock.Advance(10 * 365 * 24 * time.Hour)
		f.alive("pair", in)
		f.alive("code", code)
		if err := f.store.RemoveByRefresh(f.ctx, in.Refresh); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(10 * 365 * 24 * time.Hour)
		if fam, err := f.store.Consumed(f.ctx, in.Refresh); err != nil || fam != "fam" {
			t.Errorf("Consumed = %q, %v; a tombstone of an unexpiring token must stay", fam, err)
		}
	})

	t.Run("created expired", func(t *testing.T) {
		f := setup(t, newStore)
		in := f.pair("c1", "u1", "fam")
		in.AccessCreateAt = f.clock.Now().Add(-2 * accessLife)
		f.create(in)
		if f.live(accessKind, in) {
			t.Error("an access token created already expired is visible")
		}
		if !f.live(refreshKind, in) {
			t.Error("its refresh token is not")
		}
	})

	for _, c := range []struct {
		k    kind
		life time.Duration
	}{{codeKind, codeLife}, {refreshKind, refreshLife}} {
		t.Run(c.k.name+" tombstone", func(t *testing.T) {
			f := setup(t, newStore)
			var in = f.code("c1", "u1", "fam")
			if c.k.name == "refresh" {
				in = f.pair("c1", "u1", "fam")
			}
			f.create(in)
			f.clock.Advance(c.life / 2)
			if err := c.k.remove(f.store, f.ctx, c.k.value(in)); err != nil {
				t.Fatal(err)
			}
			f.clock.Advance(c.life/2 - time.Millisecond)
			if fam, err := f.store.Consumed(f.ctx, c.k.value(in)); err != nil || fam != "fam" {
				t.Errorf("Consumed before the %s would have expired = %q, %v", c.k.name, fam, err)
			}
			f.clock.Advance(time.Millisecond)
			if _, err := f.store.Consumed(f.ctx, c.k.value(in)); !errors.Is(err, tokens.ErrNotFound) {
				t.Errorf("Consumed after the %s would have expired = %v, want ErrNotFound", c.k.name, err)
			}
		})
	}
}
