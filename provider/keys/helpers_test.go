package keys_test

import (
	"context"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"gorm.io/gorm"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/models/modelstest"
	"github.com/tongxing/tongxing/provider/keys"
)

// testClock is a settable clock safe for concurrent use.
type testClock struct{ ns atomic.Int64 }

// newClock starts at an instant with sub-millisecond digits, so tests cover
// the truncation of stored times.
func newClock() *testClock {
	c := &testClock{}
	c.ns.Store(time.Date(2030, 1, 2, 3, 4, 5, 123456789, time.UTC).UnixNano())
	return c
}

func (c *testClock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *testClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// backend is a database the tests run against.
type backend struct {
	name string
	// database creates a fresh, migrated database and returns a function
	// that opens a new connection pool to it, as another process would.
	database func(t testing.TB) (open func() models.SigningKeys)
}

// backends lists the databases every behaviour test runs against: the
// embedded SQLite always, MySQL/MariaDB when modelstest.EnvMySQL is set.
func backends() []backend {
	return []backend{
		{"sqlite", func(t testing.TB) func() models.SigningKeys {
			return pools(t, "", t.TempDir())
		}},
		{"mysql", func(t testing.TB) func() models.SigningKeys {
			if os.Getenv(modelstest.EnvMySQL) == "" {
				t.Skipf("%s is not set: skipping MySQL/MariaDB", modelstest.EnvMySQL)
			}
			return pools(t, modelstest.MySQL(t), "")
		}},
	}
}

// pools migrates the database of dsn/dataDir and returns a function that
// opens a new pool to it, closed when the test ends.
func pools(t testing.TB, dsn, dataDir string) func() models.SigningKeys {
	open := func() *gorm.DB {
		db, err := models.Open(dsn, dataDir, nil)
		if err != nil {
			t.Fatalf("open database: %v", err)
		}
		t.Cleanup(func() {
			if sqlDB, err := db.DB(); err == nil {
				sqlDB.Close()
			}
		})
		return db
	}
	if err := models.Migrate(context.Background(), open()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return func() models.SigningKeys { return models.NewStore(open()).Keys }
}

// eachDatabase runs f once per backend with a fresh database.
func eachDatabase(t *testing.T, f func(t *testing.T, open func() models.SigningKeys)) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) { f(t, b.database(t)) })
	}
}

// eachRepo runs f once per backend with a repository over a fresh database.
func eachRepo(t *testing.T, f func(t *testing.T, repo models.SigningKeys)) {
	eachDatabase(t, func(t *testing.T, open func() models.SigningKeys) { f(t, open()) })
}

// newRepo is a repository over a fresh SQLite database, for tests about the
// Set alone.
func newRepo(t testing.TB) models.SigningKeys { return backends()[0].database(t)() }

func newSet(t testing.TB, repo models.SigningKeys, opts keys.Options) *keys.Set {
	t.Helper()
	s, err := keys.New(context.Background(), repo, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// verified parses a compact JWS, verifies it with the key its kid names in
// set's JWKS and returns its protected header and payload.
func verified(t testing.TB, set *keys.Set, token string) (jose.Header, []byte) {
	t.Helper()
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
	if err != nil {
		t.Fatalf("parse %q: %v", token, err)
	}
	h := jws.Signatures[0].Protected
	jwks := set.JWKS()
	found := jwks.Key(h.KeyID)
	if len(found) != 1 {
		t.Fatalf("kid %q: %d keys in JWKS", h.KeyID, len(found))
	}
	payload, err := jws.Verify(&found[0])
	if err != nil {
		t.Fatalf("verify with JWKS key %q: %v", h.KeyID, err)
	}
	return h, payload
}

// signingKID returns the kid that signs alg now.
func signingKID(t testing.TB, set *keys.Set, alg string) string {
	t.Helper()
	tok, err := set.Sign(alg, "JWT", []byte(`{}`))
	if err != nil {
		t.Fatalf("Sign %s: %v", alg, err)
	}
	h, _ := verified(t, set, tok)
	return h.KeyID
}

// kids returns the kids of set's JWKS, newest first.
func kids(set *keys.Set) []string {
	var out []string
	for _, k := range set.JWKS().Keys {
		out = append(out, k.KeyID)
	}
	return out
}

// stored returns the records of repo by ID.
func stored(t testing.TB, repo models.SigningKeys) map[string]models.SigningKey {
	t.Helper()
	recs, err := repo.List(context.Background())
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	out := make(map[string]models.SigningKey, len(recs))
	for _, r := range recs {
		out[r.ID] = r
	}
	return out
}
