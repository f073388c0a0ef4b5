package conformance

import (
	"net/url"
	"strconv"
	"sync"
	"testing"

	"github.com/go-oauth2/oauth2/v4/models"

	"github.com/tongxing/tongxing/provider/tokens"
)

// testCreate stores each shape go-oauth2 creates and looks it up by each
// artifact it has, and by the artifacts it lacks.
func testCreate(t *testing.T, newStore Backend) {
	shapes := []struct {
		name string
		make func(f *fixture) *models.Token
	}{
		{"authorization code", func(f *fixture) *models.Token { return f.code("c1", "u1", "fam-code") }},
		{"client_credentials", func(f *fixture) *models.Token { return f.access("c1", "", "fam-cc") }},
		{"implicit access", func(f *fixture) *models.Token { return f.access("c1", "u1", "fam-imp") }},
		{"access and refresh", func(f *fixture) *models.Token { return f.pair("c1", "u1", "fam-pair") }},
		{"no family", func(f *fixture) *models.Token { return f.pair("c1", "u1", "") }},
	}
	for _, sh := range shapes {
		t.Run(sh.name, func(t *testing.T) {
			f := setup(t, newStore)
			in := f.create(sh.make(f))
			for _, k := range kinds {
				v := k.value(in)
				if v == "" {
					continue
				}
				got := f.get(k, v)
				if got == nil {
					t.Fatalf("GetBy%s = nil after Create", k.name)
				}
				checkRecord(t, k, in, got)
				for _, other := range kinds {
					if other.name != k.name && f.get(other, v) != nil {
						t.Errorf("GetBy%s finds the %s token", other.name, k.name)
					}
				}
			}
		})
	}

	t.Run("unknown", func(t *testing.T) {
		f := setup(t, newStore)
		f.create(f.pair("c1", "u1", "fam"))
		for _, k := range kinds {
			for _, v := range []string{value("unknown"), tokens.Ref(value("unknown"))} {
				ti, err := k.get(f.store, f.ctx, v)
				if ti != nil || err != nil {
					t.Errorf("GetBy%s(unknown) = %v, %v; want nil, nil", k.name, ti, err)
				}
			}
		}
	})

	t.Run("fresh copies", func(t *testing.T) {
		f := setup(t, newStore)
		in := f.create(f.pair("c1", "u1", "fam"))
		a := f.get(accessKind, in.Access)
		a.Scope = "changed"
		a.Extension.Set(tokens.ExtFamily, "changed")
		b := f.get(accessKind, in.Access)
		if b.Scope != in.Scope || tokens.Family(b) != "fam" {
			t.Error("changing a returned record changed the stored one")
		}
	})

	t.Run("concurrent creates", func(t *testing.T) {
		// Stores may gather concurrent writes into one commit; each
		// caller must still see its own token stored and indexed when
		// Create returns, and the others' outcome must not leak into it.
		f := setup(t, newStore)
		const n = 64
		issued := make([]*models.Token, n)
		errs := make(chan error, n)
		var wg sync.WaitGroup
		for i := range issued {
			issued[i] = f.pair("c-concurrent", "u-concurrent", "fam-"+strconv.Itoa(i))
			wg.Go(func() { errs <- f.store.Create(f.ctx, issued[i]) })
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
		}
		for i, in := range issued {
			if got := f.get(accessKind, in.Access); got == nil || tokens.Family(got) != "fam-"+strconv.Itoa(i) {
				t.Fatalf("token %d: GetByAccess = %+v", i, got)
			}
		}
		listed, err := f.store.ListUser(f.ctx, "u-concurrent")
		if err != nil || len(listed) != n {
			t.Fatalf("ListUser = %d records, %v; want %d", len(listed), err, n)
		}
	})

	t.Run("create again replaces", func(t *testing.T) {
		// A refresh without rotation stores the record again under the
		// same refresh token with a new access token.
		f := setup(t, newStore)
		in := f.create(f.pair("c1", "u1", "fam"))
		oldAccess := in.Access
		again := *in
		again.Access = value("access")
		again.Scope = "narrower"
		f.create(&again)
		if got := f.get(refreshKind, in.Refresh); got == nil || got.Access != tokens.Ref(again.Access) || got.Scope != "narrower" {
			t.Errorf("GetByRefresh after second Create = %+v", got)
		}
		if f.get(accessKind, oldAccess) == nil {
			t.Error("the first access token is gone; only RemoveByAccess removes it")
		}
	})
}

// checkRecord compares a record found by its k artifact with what was
// created: the value looked up by in clear, its siblings as Refs, every
// other field as created (times to the millisecond).
func checkRecord(t *testing.T, k kind, in, got *models.Token) {
	t.Helper()
	for _, sib := range kinds {
		want := sib.value(in)
		if sib.name != k.name && want != "" {
			want = tokens.Ref(want)
		}
		if have := sib.value(got); have != want {
			t.Errorf("by %s: %s = %q, want %q", k.name, sib.name, have, want)
		}
	}
	same := got.ClientID == in.ClientID && got.UserID == in.UserID && got.RedirectURI == in.RedirectURI &&
		got.Scope == in.Scope && got.CodeChallenge == in.CodeChallenge &&
		got.CodeChallengeMethod == in.CodeChallengeMethod &&
		got.CodeExpiresIn == in.CodeExpiresIn && got.AccessExpiresIn == in.AccessExpiresIn &&
		got.RefreshExpiresIn == in.RefreshExpiresIn &&
		got.CodeCreateAt.UnixMilli() == in.CodeCreateAt.UnixMilli() &&
		got.AccessCreateAt.UnixMilli() == in.AccessCreateAt.UnixMilli() &&
		got.RefreshCreateAt.UnixMilli() == in.RefreshCreateAt.UnixMilli() &&
		url.Values(got.Extension).Encode() == url.Values(in.Extension).Encode()
	if !same {
		t.Errorf("by %s: record differs:\n got %+v\nwant %+v", k.name, got, in)
	}
	if got.Extension == nil {
		t.Errorf("by %s: Extension is nil; go-oauth2 writes into it", k.name)
	}
}
