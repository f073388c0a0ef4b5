package conformance

import (
	"testing"
	"time"

	"github.com/tongxing/tongxing/models"
)

var keyTests = []subTest{
	{"CreateList", testKeyCreateList},
	{"CreateDuplicateID", testKeyCreateDuplicate},
	{"ListEmpty", testKeyListEmpty},
	{"Retire", testKeyRetire},
	{"RetireMissingOrRetired", testKeyRetireMissing},
	{"DeleteExpired", testKeyDeleteExpired},
}

// key is a signing key created at base+sec seconds.
func key(id, alg string, sec int) *models.SigningKey {
	return &models.SigningKey{
		ID:         id,
		Alg:        alg,
		Private:    []byte{0x30, 0x82, 0x00, byte(sec), 0xff, 0x00},
		ActiveFrom: base.Add(time.Duration(sec)*time.Second + time.Minute),
		CreatedAt:  base.Add(time.Duration(sec) * time.Second),
	}
}

func testKeyCreateList(t *testing.T, s *models.Store) {
	for _, k := range []*models.SigningKey{
		key("k1", "RS256", 1),
		key("k3", "ES256", 3),
		key("k2b", "RS256", 2),
		key("k2a", "ES256", 2),
	} {
		mustBe(t, "create "+k.ID, s.Keys.Create(t.Context(), k), nil)
	}
	got, err := s.Keys.List(t.Context())
	mustBe(t, "list", err, nil)
	mustIDs(t, "list", ids(got, func(k *models.SigningKey) string { return k.ID }),
		[]string{"k3", "k2a", "k2b", "k1"})

	// Times are kept to the millisecond, in UTC.
	want := key("k3", "ES256", 3)
	want.ActiveFrom = want.ActiveFrom.Truncate(time.Millisecond)
	want.CreatedAt = want.CreatedAt.Truncate(time.Millisecond)
	mustEqual(t, "listed key", &got[0], want)

	retired := key("old", "RS256", 0)
	retired.RetiredAt = ptr(at(10))
	retired.ExpiresAt = ptr(at(20))
	mustFillAll(t, retired)
	mustBe(t, "create retired", s.Keys.Create(t.Context(), retired), nil)
	got, err = s.Keys.List(t.Context())
	mustBe(t, "list", err, nil)
	if last := got[len(got)-1]; last.ID != "old" {
		t.Fatalf("oldest key = %s, want old", last.ID)
	} else {
		mustEqual(t, "retired key", &last, retired)
	}
}

func testKeyCreateDuplicate(t *testing.T, s *models.Store) {
	mustBe(t, "create", s.Keys.Create(t.Context(), key("k", "RS256", 1)), nil)
	mustBe(t, "create again", s.Keys.Create(t.Context(), key("k", "ES256", 2)), models.ErrAlreadyExists)
	got, err := s.Keys.List(t.Context())
	mustBe(t, "list", err, nil)
	if len(got) != 1 || got[0].Alg != "RS256" {
		t.Fatalf("keys after a refused create = %+v, want the RS256 key alone", got)
	}
}

func testKeyListEmpty(t *testing.T, s *models.Store) {
	got, err := s.Keys.List(t.Context())
	mustBe(t, "list", err, nil)
	if len(got) != 0 {
		t.Fatalf("list of an empty store = %+v", got)
	}
}

func testKeyRetire(t *testing.T, s *models.Store) {
	mustBe(t, "create a", s.Keys.Create(t.Context(), key("a", "RS256", 1)), nil)
	mustBe(t, "create b", s.Keys.Create(t.Context(), key("b", "RS256", 2)), nil)
	retiredAt := base.Add(time.Hour)
	expiresAt := base.Add(25 * time.Hour)
	mustBe(t, "retire", s.Keys.Retire(t.Context(), "a", retiredAt, expiresAt), nil)
	got, err := s.Keys.List(t.Context())
	mustBe(t, "list", err, nil)
	byID := map[string]models.SigningKey{}
	for _, k := range got {
		byID[k.ID] = k
	}
	a := byID["a"]
	if a.RetiredAt == nil || !a.RetiredAt.Equal(retiredAt.Truncate(time.Millisecond)) {
		t.Fatalf("RetiredAt = %v, want %s", a.RetiredAt, retiredAt)
	}
	if a.ExpiresAt == nil || !a.ExpiresAt.Equal(expiresAt.Truncate(time.Millisecond)) {
		t.Fatalf("ExpiresAt = %v, want %s", a.ExpiresAt, expiresAt)
	}
	if b := byID["b"]; b.RetiredAt != nil || b.ExpiresAt != nil {
		t.Fatalf("other key retired too: %+v", b)
	}
}

func testKeyRetireMissing(t *testing.T, s *models.Store) {
	mustBe(t, "retire missing", s.Keys.Retire(t.Context(), "none", at(1), at(2)), models.ErrNotFound)
	mustBe(t, "create", s.Keys.Create(t.Context(), key("k", "ES256", 1)), nil)
	mustBe(t, "retire", s.Keys.Retire(t.Context(), "k", at(10), at(20)), nil)
	// Of two rotations racing to retire the same key, the second is told
	// it is no longer current, and the first one's times stay.
	mustBe(t, "retire again", s.Keys.Retire(t.Context(), "k", at(30), at(40)), models.ErrNotFound)
	mustBe(t, "retire again with the same times", s.Keys.Retire(t.Context(), "k", at(10), at(20)), models.ErrNotFound)
	got, err := s.Keys.List(t.Context())
	mustBe(t, "list", err, nil)
	if len(got) != 1 || got[0].RetiredAt == nil || !got[0].RetiredAt.Equal(at(10)) || !got[0].ExpiresAt.Equal(at(20)) {
		t.Fatalf("key after a refused retire = %+v, want retired at %s expiring %s", got, at(10), at(20))
	}
}

func testKeyDeleteExpired(t *testing.T, s *models.Store) {
	now := at(100)
	for _, k := range []struct {
		id      string
		expires *time.Time
	}{
		{"current", nil},
		{"long-gone", ptr(at(1))},
		{"just-gone", ptr(now.Add(-time.Millisecond))},
		{"expires-now", ptr(now)},
		{"later", ptr(at(200))},
	} {
		rec := key(k.id, "RS256", 0)
		if k.expires != nil {
			rec.RetiredAt, rec.ExpiresAt = ptr(at(0)), k.expires
		}
		mustBe(t, "create "+k.id, s.Keys.Create(t.Context(), rec), nil)
	}
	n, err := s.Keys.DeleteExpired(t.Context(), now)
	mustBe(t, "delete expired", err, nil)
	if n != 2 {
		t.Fatalf("deleted %d keys, want 2", n)
	}
	got, err := s.Keys.List(t.Context())
	mustBe(t, "list", err, nil)
	mustIDs(t, "remaining keys", ids(got, func(k *models.SigningKey) string { return k.ID }),
		[]string{"current", "expires-now", "later"})

	// The instant may come in any location.
	n, err = s.Keys.DeleteExpired(t.Context(), now.Add(time.Millisecond).In(time.FixedZone("CST", 8*3600)))
	mustBe(t, "delete expired", err, nil)
	if n != 1 {
		t.Fatalf("deleted %d keys, want 1 (expires-now)", n)
	}
	n, err = s.Keys.DeleteExpired(t.Context(), now.Add(time.Millisecond))
	mustBe(t, "delete expired again", err, nil)
	if n != 0 {
		t.Fatalf("deleted %d keys again, want 0", n)
	}
}
