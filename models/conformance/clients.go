package conformance

import (
	"testing"
	"time"

	"github.com/tongxing/tongxing/models"
)

var clientTests = []subTest{
	{"CreateGet", testClientCreateGet},
	{"CreateKeepsZeroValues", testClientCreateZero},
	{"CreateDuplicateID", testClientCreateDuplicate},
	{"GetMissing", testClientGetMissing},
	{"Update", testClientUpdate},
	{"UpdateWritesZeroValues", testClientUpdateZero},
	{"UpdateStaleVersion", testClientUpdateStale},
	{"UpdateMissing", testClientUpdateMissing},
	{"TimesToTheMillisecond", testClientTimes},
	{"Delete", testClientDelete},
	{"ListOrderAndPages", testClientListOrder},
	{"ListFilters", testClientListFilters},
}

// fullClient is a client with every field set to a non-zero value.
func fullClient(id string) *models.Client {
	return &models.Client{
		ID:                      id,
		SecretHash:              []byte{0x00, 0x01, 0xfe, 0xff, 0x80},
		Name:                    "Client " + id,
		RedirectURIs:            models.StringList{"https://app.example/cb", "com.example.app:/cb"},
		PostLogoutRedirectURIs:  models.StringList{"https://app.example/bye"},
		GrantTypes:              models.StringList{"authorization_code", "refresh_token"},
		Scopes:                  models.StringList{"openid", "profile", "phone"},
		Public:                  true,
		TokenEndpointAuthMethod: models.AuthMethodPost,
		AccessTokenLifetime:     3600,
		RefreshTokenLifetime:    86400 * 30,
		IDTokenLifetime:         600,
		AccessTokenFormat:       models.TokenFormatJWT,
		AccessTokenAlg:          "ES256",
		IDTokenAlg:              "RS256",
		LegacyAPIs:              models.StringList{"partner"},
		Enabled:                 true,
		TokenGeneration:         "g-1",
		PreviousSecretHash:      []byte{0xff, 0x00, 0x10},
		PreviousSecretExpiresAt: ptr(at(3600)),
	}
}

func testClientCreateGet(t *testing.T, s *models.Store) {
	c := fullClient("c1")
	mustFillAll(t, c, "Version", "CreatedAt", "UpdatedAt")
	c.Version = 7 // Create starts every record at version 1
	clk := startClock()
	mustBe(t, "create", s.Clients.Create(t.Context(), c), nil)
	clk.stop()
	if c.Version != 1 {
		t.Fatalf("Version after create = %d, want 1", c.Version)
	}
	clk.within(t, "CreatedAt", c.CreatedAt)
	clk.within(t, "UpdatedAt", c.UpdatedAt)

	got, err := s.Clients.Get(t.Context(), "c1")
	mustBe(t, "get", err, nil)
	want := fullClient("c1")
	want.Version, want.CreatedAt, want.UpdatedAt = 1, c.CreatedAt, c.UpdatedAt
	mustEqual(t, "stored client", got, want)
	clk.within(t, "stored CreatedAt", got.CreatedAt)
}

func testClientCreateZero(t *testing.T, s *models.Store) {
	// Enabled and AccessTokenFormat have column defaults; a zero value
	// given on create must still be what is stored.
	c := &models.Client{ID: "zero", Name: "Zero", TokenEndpointAuthMethod: models.AuthMethodNone}
	mustBe(t, "create", s.Clients.Create(t.Context(), c), nil)
	got, err := s.Clients.Get(t.Context(), "zero")
	mustBe(t, "get", err, nil)
	want := &models.Client{
		ID: "zero", Name: "Zero", TokenEndpointAuthMethod: models.AuthMethodNone,
		Version: 1, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
	mustEqual(t, "stored client", got, want)
	mustEqual(t, "client after create", c, want)

	empty := &models.Client{ID: "empty", Name: "Empty", RedirectURIs: models.StringList{}}
	mustBe(t, "create with an empty list", s.Clients.Create(t.Context(), empty), nil)
	got, err = s.Clients.Get(t.Context(), "empty")
	mustBe(t, "get", err, nil)
	if got.RedirectURIs == nil || len(got.RedirectURIs) != 0 {
		t.Fatalf("RedirectURIs = %#v, want an empty non-nil list", got.RedirectURIs)
	}
}

func testClientCreateDuplicate(t *testing.T, s *models.Store) {
	mustBe(t, "create", s.Clients.Create(t.Context(), fullClient("dup")), nil)
	again := fullClient("dup")
	again.Name = "Other"
	mustBe(t, "create again", s.Clients.Create(t.Context(), again), models.ErrAlreadyExists)
	got, err := s.Clients.Get(t.Context(), "dup")
	mustBe(t, "get", err, nil)
	if got.Name != "Client dup" {
		t.Fatalf("Name = %q after a refused create, want %q", got.Name, "Client dup")
	}
}

func testClientGetMissing(t *testing.T, s *models.Store) {
	got, err := s.Clients.Get(t.Context(), "nobody")
	mustBe(t, "get", err, models.ErrNotFound)
	if got != nil {
		t.Fatalf("get returned %+v with ErrNotFound", got)
	}
}

func testClientUpdate(t *testing.T, s *models.Store) {
	c := fullClient("u1")
	mustBe(t, "create", s.Clients.Create(t.Context(), c), nil)
	created := c.CreatedAt

	c.Name = "Renamed"
	c.Scopes = models.StringList{"openid"}
	c.AccessTokenLifetime = 120
	c.LegacyAPIs = models.StringList{"partner", "sms"}
	clk := startClock()
	mustBe(t, "update", s.Clients.Update(t.Context(), c), nil)
	clk.stop()
	if c.Version != 2 {
		t.Fatalf("Version after update = %d, want 2", c.Version)
	}
	clk.within(t, "UpdatedAt", c.UpdatedAt)
	if !c.CreatedAt.Equal(created) {
		t.Fatalf("CreatedAt changed by update: %s, want %s", c.CreatedAt, created)
	}
	got, err := s.Clients.Get(t.Context(), "u1")
	mustBe(t, "get", err, nil)
	mustEqual(t, "stored client", got, c)

	// A second update from the fresh version succeeds too.
	got.Name = "Again"
	mustBe(t, "second update", s.Clients.Update(t.Context(), got), nil)
	if got.Version != 3 {
		t.Fatalf("Version after second update = %d, want 3", got.Version)
	}
}

func testClientUpdateZero(t *testing.T, s *models.Store) {
	c := fullClient("z1")
	mustBe(t, "create", s.Clients.Create(t.Context(), c), nil)
	zero := &models.Client{ID: "z1", Version: c.Version, CreatedAt: c.CreatedAt}
	mustBe(t, "update to zero values", s.Clients.Update(t.Context(), zero), nil)
	got, err := s.Clients.Get(t.Context(), "z1")
	mustBe(t, "get", err, nil)
	want := &models.Client{ID: "z1", Version: 2, CreatedAt: c.CreatedAt, UpdatedAt: zero.UpdatedAt}
	mustEqual(t, "stored client", got, want)
}

func testClientUpdateStale(t *testing.T, s *models.Store) {
	mustBe(t, "create", s.Clients.Create(t.Context(), fullClient("s1")), nil)
	a, err := s.Clients.Get(t.Context(), "s1")
	mustBe(t, "get", err, nil)
	b, err := s.Clients.Get(t.Context(), "s1")
	mustBe(t, "get", err, nil)

	a.Name = "first writer"
	mustBe(t, "first update", s.Clients.Update(t.Context(), a), nil)
	b.Name = "second writer"
	b.Enabled = false
	mustBe(t, "stale update", s.Clients.Update(t.Context(), b), models.ErrConflict)
	if b.Version != 1 {
		t.Fatalf("Version after a refused update = %d, want 1", b.Version)
	}
	got, err := s.Clients.Get(t.Context(), "s1")
	mustBe(t, "get", err, nil)
	mustEqual(t, "stored client", got, a)
}

func testClientUpdateMissing(t *testing.T, s *models.Store) {
	c := fullClient("ghost")
	c.Version = 1
	mustBe(t, "update", s.Clients.Update(t.Context(), c), models.ErrNotFound)
	_, err := s.Clients.Get(t.Context(), "ghost")
	mustBe(t, "get", err, models.ErrNotFound)
}

func testClientDelete(t *testing.T, s *models.Store) {
	mustBe(t, "create", s.Clients.Create(t.Context(), fullClient("d1")), nil)
	mustBe(t, "create", s.Clients.Create(t.Context(), fullClient("d2")), nil)
	mustBe(t, "delete", s.Clients.Delete(t.Context(), "d1"), nil)
	_, err := s.Clients.Get(t.Context(), "d1")
	mustBe(t, "get deleted", err, models.ErrNotFound)
	_, err = s.Clients.Get(t.Context(), "d2")
	mustBe(t, "get the other", err, nil)
	mustBe(t, "delete again", s.Clients.Delete(t.Context(), "d1"), models.ErrNotFound)
	mustBe(t, "delete missing", s.Clients.Delete(t.Context(), "never"), models.ErrNotFound)
}

func testClientListOrder(t *testing.T, s *models.Store) {
	// Created out of order; "b" and "a" share a creation time, so ID
	// breaks the tie.
	for _, c := range []struct {
		id  string
		sec int
	}{{"e", 40}, {"b", 10}, {"d", 30}, {"a", 10}, {"c", 20}} {
		rec := fullClient(c.id)
		rec.CreatedAt = at(c.sec)
		mustBe(t, "create "+c.id, s.Clients.Create(t.Context(), rec), nil)
	}
	id := func(c *models.Client) string { return c.ID }
	for _, tc := range []struct {
		page models.Page
		want []string
	}{
		{models.Page{}, []string{"a", "b", "c", "d", "e"}},
		{models.Page{Limit: 2}, []string{"a", "b"}},
		{models.Page{Offset: 2, Limit: 2}, []string{"c", "d"}},
		{models.Page{Offset: 4, Limit: 2}, []string{"e"}},
		{models.Page{Offset: 5}, nil},
		{models.Page{Offset: -3, Limit: 1}, []string{"a"}},
	} {
		got, err := s.Clients.List(t.Context(), models.ClientFilter{}, tc.page)
		mustBe(t, "list", err, nil)
		mustIDs(t, "list "+pageName(tc.page), ids(got, id), tc.want)
	}
	got, err := s.Clients.List(t.Context(), models.ClientFilter{}, models.Page{Limit: 1})
	mustBe(t, "list", err, nil)
	want, err := s.Clients.Get(t.Context(), "a")
	mustBe(t, "get", err, nil)
	mustEqual(t, "listed client", &got[0], want)
	if !want.CreatedAt.Equal(at(10)) {
		t.Fatalf("CreatedAt = %s, want the given %s", want.CreatedAt, at(10))
	}
}

func testClientListFilters(t *testing.T, s *models.Store) {
	for i, c := range []struct {
		id, name string
		enabled  bool
		legacy   models.StringList
	}{
		{"alpha", "Alpha Portal", true, models.StringList{"partner"}},
		{"beta", "Beta 100% app", false, models.StringList{"partner_v2", "sms"}},
		{"gamma", "gamma_tool", true, nil},
		{"delta", "Mantra tool", true, models.StringList{"xpartner"}},
		{"epsilon", "Epsilon 1000 app", true, models.StringList{}},
		{"zeta", "Zeta", false, models.StringList{"sms", "partner"}},
	} {
		rec := fullClient(c.id)
		rec.Name, rec.Enabled, rec.LegacyAPIs = c.name, c.enabled, c.legacy
		rec.CreatedAt = at(i)
		mustBe(t, "create "+c.id, s.Clients.Create(t.Context(), rec), nil)
	}
	yes, no := ptr(true), ptr(false)
	id := func(c *models.Client) string { return c.ID }
	for _, tc := range []struct {
		name   string
		filter models.ClientFilter
		want   []string
	}{
		{"none", models.ClientFilter{}, []string{"alpha", "beta", "gamma", "delta", "epsilon", "zeta"}},
		{"name", models.ClientFilter{NameContains: "Portal"}, []string{"alpha"}},
		{"name percent", models.ClientFilter{NameContains: "100%"}, []string{"beta"}},
		{"name underscore", models.ClientFilter{NameContains: "a_t"}, []string{"gamma"}},
		{"name no match", models.ClientFilter{NameContains: "Omega"}, nil},
		{"enabled", models.ClientFilter{Enabled: yes}, []string{"alpha", "gamma", "delta", "epsilon"}},
		{"disabled", models.ClientFilter{Enabled: no}, []string{"beta", "zeta"}},
		{"legacy api", models.ClientFilter{LegacyAPI: "partner"}, []string{"alpha", "zeta"}},
		{"legacy api second", models.ClientFilter{LegacyAPI: "sms"}, []string{"beta", "zeta"}},
		{"legacy api wildcard", models.ClientFilter{LegacyAPI: "partner_v_"}, nil},
		{"legacy api exact", models.ClientFilter{LegacyAPI: "partner_v2"}, []string{"beta"}},
		{"legacy api unknown", models.ClientFilter{LegacyAPI: "billing"}, nil},
		{"enabled and legacy", models.ClientFilter{Enabled: yes, LegacyAPI: "partner"}, []string{"alpha"}},
		{"disabled and name", models.ClientFilter{Enabled: no, NameContains: "app"}, []string{"beta"}},
	} {
		got, err := s.Clients.List(t.Context(), tc.filter, models.Page{})
		mustBe(t, tc.name, err, nil)
		mustIDs(t, tc.name, ids(got, id), tc.want)
	}
	got, err := s.Clients.List(t.Context(), models.ClientFilter{Enabled: yes}, models.Page{Offset: 1, Limit: 2})
	mustBe(t, "filtered page", err, nil)
	mustIDs(t, "filtered page", ids(got, id), []string{"gamma", "delta"})
}

func testClientTimes(t *testing.T, s *models.Store) {
	// A time with a sub-millisecond part is stored as the databases keep
	// it, and the record in hand says so.
	c := fullClient("t1")
	fine := base.Add(2 * time.Hour)
	c.PreviousSecretExpiresAt = &fine
	mustBe(t, "create", s.Clients.Create(t.Context(), c), nil)
	if want := fine.Truncate(time.Millisecond); !c.PreviousSecretExpiresAt.Equal(want) {
		t.Fatalf("PreviousSecretExpiresAt after create = %s, want %s", c.PreviousSecretExpiresAt, want)
	}
	got, err := s.Clients.Get(t.Context(), "t1")
	mustBe(t, "get", err, nil)
	mustEqual(t, "stored client", got, c)

	later := base.Add(3*time.Hour + 999_999)
	got.PreviousSecretExpiresAt = &later
	mustBe(t, "update", s.Clients.Update(t.Context(), got), nil)
	again, err := s.Clients.Get(t.Context(), "t1")
	mustBe(t, "get", err, nil)
	mustEqual(t, "updated client", again, got)

	got.PreviousSecretHash, got.PreviousSecretExpiresAt = nil, nil
	mustBe(t, "clear", s.Clients.Update(t.Context(), got), nil)
	again, err = s.Clients.Get(t.Context(), "t1")
	mustBe(t, "get", err, nil)
	if again.PreviousSecretHash != nil || again.PreviousSecretExpiresAt != nil {
		t.Fatalf("previous secret after clearing: %v %v", again.PreviousSecretHash, again.PreviousSecretExpiresAt)
	}
}
