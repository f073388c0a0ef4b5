package conformance

import (
	"testing"

	"github.com/tongxing/tongxing/models"
)

var identityTests = []subTest{
	{"CreateGet", testIdentityCreateGet},
	{"OneUserPerAccount", testIdentityUnique},
	{"GetMissing", testIdentityGetMissing},
	{"ListByUser", testIdentityList},
	{"Delete", testIdentityDelete},
}

func fullIdentity(user, provider, subject string) *models.Identity {
	return &models.Identity{UserID: user, Provider: provider, Subject: subject, ClientID: "app-" + user}
}

func testIdentityCreateGet(t *testing.T, s *models.Store) {
	i := fullIdentity("u1", models.IdentityWxApp, "oAbC-123")
	clk := startClock()
	mustBe(t, "create", s.Identities.Create(t.Context(), i), nil)
	clk.stop()
	if i.ID == 0 {
		t.Fatal("Create set no ID")
	}
	clk.within(t, "CreatedAt", i.CreatedAt)
	mustFillAll(t, i)
	got, err := s.Identities.GetBySubject(t.Context(), models.IdentityWxApp, "oAbC-123")
	mustBe(t, "get", err, nil)
	mustEqual(t, "stored identity", got, i)

	second := fullIdentity("u1", models.IdentityApple, "001234.abcd")
	second.CreatedAt = base
	mustBe(t, "create with a time", s.Identities.Create(t.Context(), second), nil)
	if second.ID == i.ID {
		t.Fatalf("two identities share ID %d", i.ID)
	}
	if !second.CreatedAt.Equal(at(0)) {
		t.Fatalf("CreatedAt = %s, want the given time to the millisecond %s", second.CreatedAt, at(0))
	}
}

func testIdentityUnique(t *testing.T, s *models.Store) {
	mustBe(t, "create", s.Identities.Create(t.Context(), fullIdentity("u1", models.IdentityQQ, "same")), nil)
	taken := fullIdentity("u2", models.IdentityQQ, "same")
	mustBe(t, "same account for another user", s.Identities.Create(t.Context(), taken), models.ErrAlreadyExists)
	if taken.ID != 0 {
		t.Fatalf("a refused create left ID %d", taken.ID)
	}
	// The same subject at another provider is another account.
	mustBe(t, "other provider", s.Identities.Create(t.Context(), fullIdentity("u2", models.IdentityWeibo, "same")), nil)
	got, err := s.Identities.GetBySubject(t.Context(), models.IdentityQQ, "same")
	mustBe(t, "get", err, nil)
	if got.UserID != "u1" {
		t.Fatalf("the account belongs to %s, want u1", got.UserID)
	}
}

func testIdentityGetMissing(t *testing.T, s *models.Store) {
	mustBe(t, "create", s.Identities.Create(t.Context(), fullIdentity("u1", models.IdentityWxPublic, "sub")), nil)
	for _, tc := range []struct{ name, provider, subject string }{
		{"other subject", models.IdentityWxPublic, "other"},
		{"other provider", models.IdentityWxSmall, "sub"},
		{"prefix", models.IdentityWxPublic, "su"},
	} {
		got, err := s.Identities.GetBySubject(t.Context(), tc.provider, tc.subject)
		mustBe(t, tc.name, err, models.ErrNotFound)
		if got != nil {
			t.Fatalf("%s returned %+v with ErrNotFound", tc.name, got)
		}
	}
}

func testIdentityList(t *testing.T, s *models.Store) {
	for i, rec := range []*models.Identity{
		fullIdentity("u1", models.IdentityWxSmall, "c"),
		fullIdentity("u2", models.IdentityWxSmall, "x"),
		fullIdentity("u1", models.IdentityWxApp, "a"),
		fullIdentity("u1", models.IdentityApple, "b"),
	} {
		rec.CreatedAt = at([]int{3, 1, 1, 2}[i])
		mustBe(t, "create", s.Identities.Create(t.Context(), rec), nil)
	}
	subject := func(i *models.Identity) string { return i.Subject }
	got, err := s.Identities.ListByUser(t.Context(), "u1")
	mustBe(t, "list", err, nil)
	mustIDs(t, "identities of u1", ids(got, subject), []string{"a", "b", "c"})
	got, err = s.Identities.ListByUser(t.Context(), "nobody")
	mustBe(t, "list", err, nil)
	if got == nil || len(got) != 0 {
		t.Fatalf("identities of an unknown user = %#v, want an empty list", got)
	}
}

func testIdentityDelete(t *testing.T, s *models.Store) {
	a := fullIdentity("u1", models.IdentityWxApp, "a")
	b := fullIdentity("u1", models.IdentityWxApp, "b")
	mustBe(t, "create a", s.Identities.Create(t.Context(), a), nil)
	mustBe(t, "create b", s.Identities.Create(t.Context(), b), nil)
	mustBe(t, "delete", s.Identities.Delete(t.Context(), a.ID), nil)
	_, err := s.Identities.GetBySubject(t.Context(), models.IdentityWxApp, "a")
	mustBe(t, "get deleted", err, models.ErrNotFound)
	_, err = s.Identities.GetBySubject(t.Context(), models.IdentityWxApp, "b")
	mustBe(t, "get the other", err, nil)
	mustBe(t, "delete again", s.Identities.Delete(t.Context(), a.ID), models.ErrNotFound)
	// The account can be linked again, to anyone.
	mustBe(t, "link again", s.Identities.Create(t.Context(), fullIdentity("u9", models.IdentityWxApp, "a")), nil)
}
