package conformance

import (
	"errors"
	"sync"
	"testing"

	"github.com/go-oauth2/oauth2/v4/models"

	"github.com/tongxing/tongxing/provider/tokens"
)

// testRemove removes each artifact by value and by Ref, twice, and checks
// which removals of unknown values are errors.
func testRemove(t *testing.T, newStore Backend) {
	cases := []struct {
		k        kind
		make     func(f *fixture) *models.Token
		sibling  *kind // what must survive the removal
		repeated error // result of removing it again
	}{
		{codeKind, func(f *fixture) *models.Token { return f.code("c1", "u1", "fam") }, nil, tokens.ErrNotFound},
		{accessKind, func(f *fixture) *models.Token { return f.access("c1", "", "fam") }, nil, nil},
		{accessKind, func(f *fixture) *models.Token { return f.pair("c1", "u1", "fam") }, &refreshKind, nil},
		{refreshKind, func(f *fixture) *models.Token { return f.pair("c1", "u1", "fam") }, &accessKind, tokens.ErrNotFound},
	}
	for _, c := range cases {
		for _, byRef := range []bool{false, true} {
			name := c.k.name
			if c.sibling != nil {
				name += " leaves " + c.sibling.name
			}
			if byRef {
				name += " by ref"
			}
			t.Run(name, func(t *testing.T) {
				f := setup(t, newStore)
				in := f.create(c.make(f))
				other := f.create(c.make(f))
				v := c.k.value(in)
				arg := v
				if byRef {
					arg = tokens.Ref(v)
				}
				if err := c.k.remove(f.store, f.ctx, arg); err != nil {
					t.Fatalf("RemoveBy%s = %v, want nil", c.k.name, err)
				}
				if f.live(c.k, in) {
					t.Errorf("GetBy%s finds the removed token", c.k.name)
				}
				if c.sibling != nil {
					got := f.get(*c.sibling, c.sibling.value(in))
					if got == nil {
						t.Fatalf("removing the %s token removed the %s token", c.k.name, c.sibling.name)
					}
					if c.k.value(got) != tokens.Ref(v) {
						t.Errorf("the surviving record names the removed %s as %q", c.k.name, c.k.value(got))
					}
				}
				f.alive("other record", other)
				for _, again := range []string{v, tokens.Ref(v)} {
					if err := c.k.remove(f.store, f.ctx, again); !errors.Is(err, c.repeated) {
						t.Errorf("RemoveBy%s again = %v, want %v", c.k.name, err, c.repeated)
					}
				}
				if err := c.k.remove(f.store, f.ctx, value("unknown")); !errors.Is(err, c.repeated) {
					t.Errorf("RemoveBy%s(unknown) = %v, want %v", c.k.name, err, c.repeated)
				}
			})
		}
	}

	t.Run("wrong kind", func(t *testing.T) {
		f := setup(t, newStore)
		code := f.create(f.code("c1", "u1", "fam"))
		pair := f.create(f.pair("c1", "u1", "fam"))
		if err := f.store.RemoveByCode(f.ctx, pair.Refresh); !errors.Is(err, tokens.ErrNotFound) {
			t.Errorf("RemoveByCode(refresh token) = %v, want ErrNotFound", err)
		}
		if err := f.store.RemoveByRefresh(f.ctx, code.Code); !errors.Is(err, tokens.ErrNotFound) {
			t.Errorf("RemoveByRefresh(code) = %v, want ErrNotFound", err)
		}
		if err := f.store.RemoveByAccess(f.ctx, pair.Refresh); err != nil {
			t.Errorf("RemoveByAccess(refresh token) = %v, want nil", err)
		}
		f.alive("code", code)
		f.alive("pair", pair)
	})
}

// testConsumed checks the tombstones RemoveByCode and RemoveByRefresh
// leave, and that nothing else leaves one.
func testConsumed(t *testing.T, newStore Backend) {
	cases := []struct {
		k    kind
		make func(f *fixture) *models.Token
	}{
		{codeKind, func(f *fixture) *models.Token { return f.code("c1", "u1", "fam-x") }},
		{refreshKind, func(f *fixture) *models.Token { return f.pair("c1", "u1", "fam-x") }},
	}
	for _, c := range cases {
		t.Run(c.k.name, func(t *testing.T) {
			f := setup(t, newStore)
			in := f.create(c.make(f))
			v := c.k.value(in)
			if _, err := f.store.Consumed(f.ctx, v); !errors.Is(err, tokens.ErrNotFound) {
				t.Errorf("Consumed before removal = %v, want ErrNotFound", err)
			}
			if err := c.k.remove(f.store, f.ctx, v); err != nil {
				t.Fatal(err)
			}
			for _, arg := range []string{v, tokens.Ref(v)} {
				fam, err := f.store.Consumed(f.ctx, arg)
				if err != nil || fam != "fam-x" {
					t.Errorf("Consumed = %q, %v; want fam-x, nil", fam, err)
				}
			}
		})
	}

	t.Run("no family", func(t *testing.T) {
		f := setup(t, newStore)
		in := f.create(f.code("c1", "u1", ""))
		if err := f.store.RemoveByCode(f.ctx, in.Code); err != nil {
			t.Fatal(err)
		}
		if fam, err := f.store.Consumed(f.ctx, in.Code); err != nil || fam != "" {
			t.Errorf("Consumed = %q, %v; want \"\", nil", fam, err)
		}
	})

	t.Run("not by other removals", func(t *testing.T) {
		f := setup(t, newStore)
		pair := f.create(f.pair("c1", "u1", "fam"))
		code := f.create(f.code("c1", "u1", "fam"))
		if err := f.store.RemoveByAccess(f.ctx, pair.Access); err != nil {
			t.Fatal(err)
		}
		if err := f.store.RevokeFamily(f.ctx, "fam"); err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{pair.Access, pair.Refresh, code.Code, value("unknown")} {
			if _, err := f.store.Consumed(f.ctx, v); !errors.Is(err, tokens.ErrNotFound) {
				t.Errorf("Consumed(%s) = %v, want ErrNotFound", v, err)
			}
		}
	})
}

// testSingleUse races many removals of one code or refresh token: exactly
// one may succeed, or a code could be redeemed twice.
func testSingleUse(t *testing.T, newStore Backend) {
	const racers = 16
	for _, c := range []struct {
		k    kind
		make func(f *fixture) *models.Token
	}{
		{codeKind, func(f *fixture) *models.Token { return f.code("c1", "u1", "fam") }},
		{refreshKind, func(f *fixture) *models.Token { return f.pair("c1", "u1", "fam") }},
	} {
		t.Run(c.k.name, func(t *testing.T) {
			f := setup(t, newStore)
			for round := range 5 {
				v := c.k.value(f.create(c.make(f)))
				start := make(chan struct{})
				errs := make([]error, racers)
				var wg sync.WaitGroup
				for i := range racers {
					wg.Go(func() {
						<-start
						errs[i] = c.k.remove(f.store, f.ctx, v)
					})
				}
				close(start)
				wg.Wait()
				winners := 0
				for _, err := range errs {
					switch {
					case err == nil:
						winners++
					case !errors.Is(err, tokens.ErrNotFound):
						t.Errorf("round %d: RemoveBy%s = %v, want nil or ErrNotFound", round, c.k.name, err)
					}
				}
				if winners != 1 {
					t.Errorf("round %d: %d of %d concurrent RemoveBy%s succeeded, want exactly 1", round, winners, racers, c.k.name)
				}
			}
		})
	}
}
