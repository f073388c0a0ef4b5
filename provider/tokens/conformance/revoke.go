package conformance

import (
	"slices"
	"testing"
	"time"

	"github.com/go-oauth2/oauth2/v4/models"

	"github.com/tongxing/tongxing/provider/tokens"
)

// grants is a population of records across families, clients and users,
// so that each revocation can be checked to hit exactly its own.
type grants struct {
	famACode, famAPair, famARotated *models.Token // family A: client c1, user u1
	famBPair                        *models.Token // family B: client c2, user u1
	ccLone                          *models.Token // client c1, no user, family C
	famDPair                        *models.Token // family D: client c1, user u2
	userLone                        *models.Token // client c3, user u1, family E, lone access
	famAAccess                      *models.Token // family A: an access token redeemed without refresh
}

func (f *fixture) grants() grants {
	return grants{
		famACode:    f.create(f.code("c1", "u1", "fam-a")),
		famAPair:    f.create(f.pair("c1", "u1", "fam-a")),
		famARotated: f.create(f.pair("c1", "u1", "fam-a")),
		famBPair:    f.create(f.pair("c2", "u1", "fam-b")),
		ccLone:      f.create(f.access("c1", "", "fam-c")),
		famDPair:    f.create(f.pair("c1", "u2", "fam-d")),
		userLone:    f.create(f.access("c3", "u1", "fam-e")),
		famAAccess:  f.create(f.access("c1", "u1", "fam-a")),
	}
}

func (g grants) all() map[string]*models.Token {
	return map[string]*models.Token{
		"family A code": g.famACode, "family A pair": g.famAPair, "family A rotated": g.famARotated,
		"family B pair": g.famBPair, "client_credentials": g.ccLone, "family D pair": g.famDPair,
		"user lone access": g.userLone, "family A access": g.famAAccess,
	}
}

// testRevoke revokes by family, client and user and checks that exactly
// the matching records went.
func testRevoke(t *testing.T, newStore Backend) {
	cases := []struct {
		name   string
		revoke func(f *fixture) error
		gone   []string
	}{
		{"family", func(f *fixture) error { return f.store.RevokeFamily(f.ctx, "fam-a") },
			[]string{"family A code", "family A pair", "family A rotated", "family A access"}},
		// A client's lone access tokens are not in its index: they stay
		// until they expire, and the provider refuses them.
		{"client", func(f *fixture) error { return f.store.RevokeClient(f.ctx, "c1") },
			[]string{"family A code", "family A pair", "family A rotated", "family D pair"}},
		{"user", func(f *fixture) error { return f.store.RevokeUser(f.ctx, "u1") },
			[]string{"family A code", "family A pair", "family A rotated", "family A access", "family B pair", "user lone access"}},
		{"unknown family", func(f *fixture) error { return f.store.RevokeFamily(f.ctx, "fam-z") }, nil},
		{"unknown client", func(f *fixture) error { return f.store.RevokeClient(f.ctx, "c9") }, nil},
		{"unknown user", func(f *fixture) error { return f.store.RevokeUser(f.ctx, "u9") }, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := setup(t, newStore)
			g := f.grants()
			if err := c.revoke(f); err != nil {
				t.Fatalf("revoke: %v", err)
			}
			for label, ti := range g.all() {
				if slices.Contains(c.gone, label) {
					f.gone(label, ti)
				} else {
					f.alive(label, ti)
				}
			}
			if err := c.revoke(f); err != nil {
				t.Errorf("revoking again: %v", err)
			}
		})
	}

	t.Run("partly removed and expired", func(t *testing.T) {
		f := setup(t, newStore)
		removed := f.create(f.pair("c1", "u1", "fam-a"))
		short := f.pair("c1", "u1", "fam-a")
		short.AccessExpiresIn = time.Minute
		f.create(short)
		if err := f.store.RemoveByAccess(f.ctx, removed.Access); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(2 * time.Minute)
		if err := f.store.RevokeFamily(f.ctx, "fam-a"); err != nil {
			t.Fatal(err)
		}
		f.gone("removed access", removed)
		f.gone("expired access", short)
	})

	t.Run("index lives on", func(t *testing.T) {
		// Revoking clears an index; later grants of the same family,
		// client and user must be indexed and revocable again.
		f := setup(t, newStore)
		for _, revoke := range []func() error{
			func() error { return f.store.RevokeFamily(f.ctx, "fam-a") },
			func() error { return f.store.RevokeClient(f.ctx, "c1") },
			func() error { return f.store.RevokeUser(f.ctx, "u1") },
		} {
			first := f.create(f.pair("c1", "u1", "fam-a"))
			if err := revoke(); err != nil {
				t.Fatal(err)
			}
			f.gone("first", first)
			second := f.create(f.pair("c1", "u1", "fam-a"))
			if err := revoke(); err != nil {
				t.Fatal(err)
			}
			f.gone("second", second)
		}
	})

	t.Run("many", func(t *testing.T) {
		f := setup(t, newStore)
		var issued []*models.Token
		for range 600 {
			issued = append(issued, f.create(f.pair("c-many", "", "fam")))
		}
		keep := f.create(f.pair("c-other", "", "fam"))
		if err := f.store.RevokeClient(f.ctx, "c-many"); err != nil {
			t.Fatal(err)
		}
		for i, ti := range issued {
			if f.live(accessKind, ti) {
				t.Fatalf("token %d of %d survived RevokeClient", i, len(issued))
			}
		}
		f.alive("other client", keep)
	})
}

// testListUser lists the live grants of a user: one entry per record,
// codes left out, siblings as Refs.
func testListUser(t *testing.T, newStore Backend) {
	f := setup(t, newStore)
	g := f.grants()
	accessGone := f.create(f.pair("c1", "u1", "fam-f"))
	bothGone := f.create(f.pair("c1", "u1", "fam-g"))
	expiring := f.pair("c1", "u1", "fam-h")
	expiring.AccessExpiresIn, expiring.RefreshExpiresIn = time.Minute, time.Minute
	f.create(expiring)
	for _, err := range []error{
		f.store.RemoveByAccess(f.ctx, accessGone.Access),
		f.store.RemoveByAccess(f.ctx, bothGone.Access),
		f.store.RemoveByRefresh(f.ctx, bothGone.Refresh),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	f.clock.Advance(2 * time.Minute)

	want := []*models.Token{g.famAPair, g.famARotated, g.famAAccess, g.famBPair, g.userLone, accessGone}
	list, err := f.store.ListUser(f.ctx, "u1")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != len(want) {
		t.Errorf("ListUser returned %d records, want %d", len(list), len(want))
	}
	seen := map[string]bool{}
	for _, ti := range list {
		m, ok := ti.(*models.Token)
		if !ok {
			t.Fatalf("ListUser returned %T, want *models.Token", ti)
		}
		if m.UserID != "u1" || m.Code != "" {
			t.Errorf("listed record user %q code %q", m.UserID, m.Code)
		}
		for _, v := range []string{m.Access, m.Refresh} {
			if v != "" && !tokens.IsRef(v) {
				t.Errorf("listed record holds a token in clear")
			}
		}
		seen[m.Access] = true
	}
	for _, w := range want {
		if !seen[tokens.Ref(w.Access)] {
			t.Errorf("ListUser misses the grant with family %q", tokens.Family(w))
		}
	}

	for _, user := range []string{"u9", ""} {
		if list, err := f.store.ListUser(f.ctx, user); err != nil || len(list) != 0 {
			t.Errorf("ListUser(%q) = %d records, %v", user, len(list), err)
		}
	}
}
