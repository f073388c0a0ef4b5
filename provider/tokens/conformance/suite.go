package conformance

import (
	"context"
	"crypto/rand"
	"net/url"
	"testing"
	"time"

	"github.com/go-oauth2/oauth2/v4"
	"github.com/go-oauth2/oauth2/v4/models"

	"github.com/tongxing/tongxing/provider/tokens"
)

// Backend opens an empty store for one test, reading time from clock, and
// returns it with a Dump of what it holds. It registers the store's
// cleanup with t.
type Backend func(t *testing.T, clock *Clock) (tokens.Store, Dump)

// Dump returns every key and value a store holds, as stored, so the suite
// can check that no token value is kept in clear.
type Dump func(t *testing.T) []byte

// Lifetimes of the tokens the suite creates, close to a provider's.
const (
	codeLife    = 10 * time.Minute
	accessLife  = time.Hour
	refreshLife = 24 * time.Hour
)

// RunTests runs the whole suite against the stores newStore opens.
func RunTests(t *testing.T, newStore Backend) {
	t.Run("Create", func(t *testing.T) { testCreate(t, newStore) })
	t.Run("Remove", func(t *testing.T) { testRemove(t, newStore) })
	t.Run("Consumed", func(t *testing.T) { testConsumed(t, newStore) })
	t.Run("SingleUse", func(t *testing.T) { testSingleUse(t, newStore) })
	t.Run("Expiry", func(t *testing.T) { testExpiry(t, newStore) })
	t.Run("Revoke", func(t *testing.T) { testRevoke(t, newStore) })
	t.Run("ListUser", func(t *testing.T) { testListUser(t, newStore) })
	t.Run("NoClearValues", func(t *testing.T) { testNoClearValues(t, newStore) })
	t.Run("Manager", func(t *testing.T) { testManager(t, newStore) })
}

// fixture is one store under test and the clock it reads.
type fixture struct {
	t     *testing.T
	ctx   context.Context
	clock *Clock
	store tokens.Store
	dump  Dump
}

func setup(t *testing.T, newStore Backend) *fixture {
	t.Helper()
	clock := NewClock(time.Now().Truncate(time.Millisecond))
	s, dump := newStore(t, clock)
	return &fixture{t: t, ctx: t.Context(), clock: clock, store: s, dump: dump}
}

// value returns a fresh random token value.
func value(kind string) string { return kind + "-" + rand.Text() }

func extension(fam string) url.Values {
	ext := url.Values{}
	if fam != "" {
		ext.Set(tokens.ExtFamily, fam)
	}
	ext.Set(tokens.ExtNonce, "nonce-"+fam)
	return ext
}

// code returns a code record as the authorization endpoint creates it.
func (f *fixture) code(client, user, fam string) *models.Token {
	return &models.Token{
		ClientID: client, UserID: user, RedirectURI: "https://rp.example/cb", Scope: "openid profile",
		Code: value("code"), CodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		CodeChallengeMethod: "S256", CodeCreateAt: f.clock.Now(), CodeExpiresIn: codeLife,
		Extension: extension(fam),
	}
}

// access returns a lone access token: client_credentials when user is
// empty, an implicit grant otherwise.
func (f *fixture) access(client, user, fam string) *models.Token {
	return &models.Token{
		ClientID: client, UserID: user, Scope: "api",
		Access: value("access"), AccessCreateAt: f.clock.Now(), AccessExpiresIn: accessLife,
		Extension: extension(fam),
	}
}

// pair returns an access and refresh token, as a code exchange or a
// refresh creates them.
func (f *fixture) pair(client, user, fam string) *models.Token {
	now := f.clock.Now()
	return &models.Token{
		ClientID: client, UserID: user, RedirectURI: "https://rp.example/cb", Scope: "openid offline_access",
		Access: value("access"), AccessCreateAt: now, AccessExpiresIn: accessLife,
		Refresh: value("refresh"), RefreshCreateAt: now, RefreshExpiresIn: refreshLife,
		Extension: extension(fam),
	}
}

// create stores ti and returns it.
func (f *fixture) create(ti *models.Token) *models.Token {
	f.t.Helper()
	if err := f.store.Create(f.ctx, ti); err != nil {
		f.t.Fatalf("Create: %v", err)
	}
	return ti
}

// kind is one artifact of a record, with the store methods that reach it.
type kind struct {
	name   string
	value  func(*models.Token) string
	get    func(tokens.Store, context.Context, string) (oauth2.TokenInfo, error)
	remove func(tokens.Store, context.Context, string) error
}

var (
	codeKind = kind{"code", (*models.Token).GetCode,
		tokens.Store.GetByCode, tokens.Store.RemoveByCode}
	accessKind = kind{"access", (*models.Token).GetAccess,
		tokens.Store.GetByAccess, tokens.Store.RemoveByAccess}
	refreshKind = kind{"refresh", (*models.Token).GetRefresh,
		tokens.Store.GetByRefresh, tokens.Store.RemoveByRefresh}
	kinds = []kind{codeKind, accessKind, refreshKind}
)

// get looks ti up by its k artifact and returns what the store gives,
// failing the test on an error or on a record of another type.
func (f *fixture) get(k kind, v string) *models.Token {
	f.t.Helper()
	ti, err := k.get(f.store, f.ctx, v)
	if err != nil {
		f.t.Fatalf("GetBy%s: %v", k.name, err)
	}
	if ti == nil {
		return nil
	}
	m, ok := ti.(*models.Token)
	if !ok {
		f.t.Fatalf("GetBy%s returned %T, want *models.Token", k.name, ti)
	}
	if m == nil {
		f.t.Fatalf("GetBy%s returned a typed nil", k.name)
	}
	return m
}

// live reports whether ti can be found by its k artifact.
func (f *fixture) live(k kind, ti *models.Token) bool {
	f.t.Helper()
	return f.get(k, k.value(ti)) != nil
}

// alive fails the test unless every artifact of ti can be found.
func (f *fixture) alive(label string, ti *models.Token) {
	f.t.Helper()
	for _, k := range kinds {
		if k.value(ti) != "" && !f.live(k, ti) {
			f.t.Errorf("%s: %s gone, want it live", label, k.name)
		}
	}
}

// gone fails the test unless no artifact of ti can be found.
func (f *fixture) gone(label string, ti *models.Token) {
	f.t.Helper()
	for _, k := range kinds {
		if k.value(ti) != "" && f.live(k, ti) {
			f.t.Errorf("%s: %s still live, want it gone", label, k.name)
		}
	}
}
