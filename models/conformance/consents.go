package conformance

import (
	"testing"

	"github.com/tongxing/tongxing/models"
)

var consentTests = []subTest{
	{"SaveGet", testConsentSaveGet},
	{"SaveReplaces", testConsentSaveReplaces},
	{"PairsAreIndependent", testConsentPairs},
	{"GetMissing", testConsentGetMissing},
	{"Delete", testConsentDelete},
	{"DeleteClient", testConsentDeleteClient},
}

func testConsentDeleteClient(t *testing.T, s *models.Store) {
	for _, c := range []models.Consent{{UserID: "u1", ClientID: "c"}, {UserID: "u2", ClientID: "c"}, {UserID: "u1", ClientID: "other"}} {
		mustBe(t, "save", s.Consents.Save(t.Context(), &c), nil)
	}
	n, err := s.Consents.DeleteClient(t.Context(), "c")
	mustBe(t, "delete client", err, nil)
	if n != 2 {
		t.Fatalf("deleted %d consents, want 2", n)
	}
	for _, u := range []string{"u1", "u2"} {
		_, err := s.Consents.Get(t.Context(), u, "c")
		mustBe(t, "get "+u, err, models.ErrNotFound)
	}
	_, err = s.Consents.Get(t.Context(), "u1", "other")
	mustBe(t, "another client's consent", err, nil)
	n, err = s.Consents.DeleteClient(t.Context(), "nobody")
	mustBe(t, "delete unknown client", err, nil)
	if n != 0 {
		t.Fatalf("deleted %d consents of an unknown client", n)
	}
}

func testConsentSaveGet(t *testing.T, s *models.Store) {
	c := &models.Consent{UserID: "u", ClientID: "c", Scopes: models.StringList{"openid", "phone"}}
	mustFillAll(t, c, "CreatedAt", "UpdatedAt")
	clk := startClock()
	mustBe(t, "save", s.Consents.Save(t.Context(), c), nil)
	clk.stop()
	clk.within(t, "CreatedAt", c.CreatedAt)
	clk.within(t, "UpdatedAt", c.UpdatedAt)
	got, err := s.Consents.Get(t.Context(), "u", "c")
	mustBe(t, "get", err, nil)
	want := &models.Consent{UserID: "u", ClientID: "c", Scopes: models.StringList{"openid", "phone"},
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	mustEqual(t, "stored consent", got, want)
}

func testConsentSaveReplaces(t *testing.T, s *models.Store) {
	first := &models.Consent{UserID: "u", ClientID: "c", Scopes: models.StringList{"openid", "email", "phone"},
		CreatedAt: at(0)}
	mustBe(t, "save", s.Consents.Save(t.Context(), first), nil)
	second := &models.Consent{UserID: "u", ClientID: "c", Scopes: models.StringList{"openid"}}
	clk := startClock()
	mustBe(t, "save again", s.Consents.Save(t.Context(), second), nil)
	clk.stop()
	clk.within(t, "UpdatedAt", second.UpdatedAt)
	if !second.CreatedAt.Equal(at(0)) {
		t.Fatalf("CreatedAt after replacing = %s, want the first grant's %s", second.CreatedAt, at(0))
	}
	got, err := s.Consents.Get(t.Context(), "u", "c")
	mustBe(t, "get", err, nil)
	mustEqual(t, "stored consent", got, second)

	third := &models.Consent{UserID: "u", ClientID: "c"}
	mustBe(t, "save with no scopes", s.Consents.Save(t.Context(), third), nil)
	got, err = s.Consents.Get(t.Context(), "u", "c")
	mustBe(t, "get", err, nil)
	if len(got.Scopes) != 0 {
		t.Fatalf("Scopes = %q, want none", got.Scopes)
	}
}

func testConsentPairs(t *testing.T, s *models.Store) {
	saves := []*models.Consent{
		{UserID: "u1", ClientID: "c1", Scopes: models.StringList{"a"}},
		{UserID: "u1", ClientID: "c2", Scopes: models.StringList{"b"}},
		{UserID: "u2", ClientID: "c1", Scopes: models.StringList{"c"}},
	}
	for _, c := range saves {
		mustBe(t, "save", s.Consents.Save(t.Context(), c), nil)
	}
	for _, want := range saves {
		got, err := s.Consents.Get(t.Context(), want.UserID, want.ClientID)
		mustBe(t, "get", err, nil)
		mustEqual(t, "consent "+want.UserID+"/"+want.ClientID, got, want)
	}
	mustBe(t, "delete u1/c1", s.Consents.Delete(t.Context(), "u1", "c1"), nil)
	_, err := s.Consents.Get(t.Context(), "u1", "c2")
	mustBe(t, "get u1/c2", err, nil)
	_, err = s.Consents.Get(t.Context(), "u2", "c1")
	mustBe(t, "get u2/c1", err, nil)
}

func testConsentGetMissing(t *testing.T, s *models.Store) {
	mustBe(t, "save", s.Consents.Save(t.Context(), &models.Consent{UserID: "u", ClientID: "c"}), nil)
	for _, tc := range []struct{ user, client string }{{"u", "x"}, {"x", "c"}, {"c", "u"}} {
		got, err := s.Consents.Get(t.Context(), tc.user, tc.client)
		mustBe(t, "get "+tc.user+"/"+tc.client, err, models.ErrNotFound)
		if got != nil {
			t.Fatalf("get returned %+v with ErrNotFound", got)
		}
	}
}

func testConsentDelete(t *testing.T, s *models.Store) {
	mustBe(t, "save", s.Consents.Save(t.Context(), &models.Consent{UserID: "u", ClientID: "c"}), nil)
	mustBe(t, "delete", s.Consents.Delete(t.Context(), "u", "c"), nil)
	_, err := s.Consents.Get(t.Context(), "u", "c")
	mustBe(t, "get", err, models.ErrNotFound)
	mustBe(t, "delete again", s.Consents.Delete(t.Context(), "u", "c"), models.ErrNotFound)
	// Saving after a delete starts a new consent.
	c := &models.Consent{UserID: "u", ClientID: "c", Scopes: models.StringList{"openid"}}
	mustBe(t, "save after delete", s.Consents.Save(t.Context(), c), nil)
	got, err := s.Consents.Get(t.Context(), "u", "c")
	mustBe(t, "get", err, nil)
	mustEqual(t, "stored consent", got, c)
}
