package conformance

import (
	"testing"
	"time"

	"github.com/tongxing/tongxing/models"
)

var userTests = []subTest{
	{"CreateGet", testUserCreateGet},
	{"CreateKeepsZeroValues", testUserCreateZero},
	{"CreateDuplicates", testUserCreateDuplicates},
	{"NullPhoneAndEmailRepeat", testUserNullUniques},
	{"GetMissing", testUserGetMissing},
	{"Update", testUserUpdate},
	{"UpdateWritesZeroValues", testUserUpdateZero},
	{"UpdateTakenUsername", testUserUpdateTaken},
	{"UpdateStaleVersion", testUserUpdateStale},
	{"UpdateMissing", testUserUpdateMissing},
	{"TimesToTheMillisecond", testUserTimes},
	{"Delete", testUserDelete},
	{"ListOrderAndPages", testUserListOrder},
	{"ListFilters", testUserListFilters},
}

// fullUser is a user with every field set to a non-zero value.
func fullUser(id string) *models.User {
	return &models.User{
		ID:                id,
		Username:          "user-" + id,
		PasswordHash:      "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
		Phone:             ptr("+86-138-" + id),
		Email:             ptr(id + "@example.com"),
		Nickname:          "小" + id,
		RealName:          "张三" + id,
		Avatar:            "https://cdn.example/" + id + ".png",
		Sex:               2,
		IsAdmin:           true,
		Disabled:          true,
		CompanyID:         ptr("co-" + id),
		SessionsNotBefore: ptr(at(60)),
	}
}

func testUserCreateGet(t *testing.T, s *models.Store) {
	u := fullUser("u1")
	mustFillAll(t, u, "Version", "CreatedAt", "UpdatedAt")
	clk := startClock()
	mustBe(t, "create", s.Users.Create(t.Context(), u), nil)
	clk.stop()
	if u.Version != 1 {
		t.Fatalf("Version after create = %d, want 1", u.Version)
	}
	clk.within(t, "CreatedAt", u.CreatedAt)
	clk.within(t, "UpdatedAt", u.UpdatedAt)

	want := fullUser("u1")
	want.Version, want.CreatedAt, want.UpdatedAt = 1, u.CreatedAt, u.UpdatedAt
	for _, get := range []struct {
		name string
		get  func() (*models.User, error)
	}{
		{"Get", func() (*models.User, error) { return s.Users.Get(t.Context(), "u1") }},
		{"GetByUsername", func() (*models.User, error) { return s.Users.GetByUsername(t.Context(), "user-u1") }},
		{"GetByPhone", func() (*models.User, error) { return s.Users.GetByPhone(t.Context(), "+86-138-u1") }},
	} {
		got, err := get.get()
		mustBe(t, get.name, err, nil)
		mustEqual(t, get.name, got, want)
	}
}

func testUserCreateZero(t *testing.T, s *models.Store) {
	u := &models.User{ID: "z", Username: "zero"}
	mustBe(t, "create", s.Users.Create(t.Context(), u), nil)
	got, err := s.Users.Get(t.Context(), "z")
	mustBe(t, "get", err, nil)
	want := &models.User{ID: "z", Username: "zero", Version: 1, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
	mustEqual(t, "stored user", got, want)
}

func testUserCreateDuplicates(t *testing.T, s *models.Store) {
	mustBe(t, "create", s.Users.Create(t.Context(), fullUser("a")), nil)
	for _, tc := range []struct {
		name string
		user *models.User
	}{
		{"same id", &models.User{ID: "a", Username: "fresh"}},
		{"same username", &models.User{ID: "b", Username: "user-a"}},
		{"same phone", &models.User{ID: "c", Username: "c", Phone: ptr("+86-138-a")}},
		{"same email", &models.User{ID: "d", Username: "d", Email: ptr("a@example.com")}},
	} {
		mustBe(t, tc.name, s.Users.Create(t.Context(), tc.user), models.ErrAlreadyExists)
		if tc.user.ID != "a" {
			_, err := s.Users.Get(t.Context(), tc.user.ID)
			mustBe(t, tc.name+": get refused user", err, models.ErrNotFound)
		}
	}
	got, err := s.Users.Get(t.Context(), "a")
	mustBe(t, "get", err, nil)
	if got.Username != "user-a" {
		t.Fatalf("Username = %q after refused creates, want %q", got.Username, "user-a")
	}
}

func testUserNullUniques(t *testing.T, s *models.Store) {
	for _, id := range []string{"n1", "n2", "n3"} {
		mustBe(t, "create "+id, s.Users.Create(t.Context(), &models.User{ID: id, Username: id}), nil)
	}
	for _, id := range []string{"n1", "n2", "n3"} {
		got, err := s.Users.Get(t.Context(), id)
		mustBe(t, "get "+id, err, nil)
		if got.Phone != nil || got.Email != nil {
			t.Fatalf("user %s: Phone %v, Email %v, want both nil", id, got.Phone, got.Email)
		}
	}
}

func testUserGetMissing(t *testing.T, s *models.Store) {
	mustBe(t, "create", s.Users.Create(t.Context(), fullUser("p")), nil)
	for _, tc := range []struct {
		name string
		get  func() (*models.User, error)
	}{
		{"Get", func() (*models.User, error) { return s.Users.Get(t.Context(), "q") }},
		{"GetByUsername", func() (*models.User, error) { return s.Users.GetByUsername(t.Context(), "user-q") }},
		{"GetByUsername prefix", func() (*models.User, error) { return s.Users.GetByUsername(t.Context(), "user-") }},
		{"GetByUsername wildcard", func() (*models.User, error) { return s.Users.GetByUsername(t.Context(), "user-%") }},
		{"GetByPhone", func() (*models.User, error) { return s.Users.GetByPhone(t.Context(), "+86-139-p") }},
		{"GetByPhone prefix", func() (*models.User, error) { return s.Users.GetByPhone(t.Context(), "+86-138") }},
		{"GetByPhone empty", func() (*models.User, error) { return s.Users.GetByPhone(t.Context(), "") }},
	} {
		got, err := tc.get()
		mustBe(t, tc.name, err, models.ErrNotFound)
		if got != nil {
			t.Fatalf("%s returned %+v with ErrNotFound", tc.name, got)
		}
	}
}

func testUserUpdate(t *testing.T, s *models.Store) {
	u := fullUser("u")
	mustBe(t, "create", s.Users.Create(t.Context(), u), nil)
	u.Username = "renamed"
	u.Phone = ptr("+86-139-0000")
	u.Email = nil
	u.Sex = 7
	clk := startClock()
	mustBe(t, "update", s.Users.Update(t.Context(), u), nil)
	clk.stop()
	if u.Version != 2 {
		t.Fatalf("Version after update = %d, want 2", u.Version)
	}
	clk.within(t, "UpdatedAt", u.UpdatedAt)
	got, err := s.Users.GetByUsername(t.Context(), "renamed")
	mustBe(t, "get by new username", err, nil)
	mustEqual(t, "stored user", got, u)
	_, err = s.Users.GetByUsername(t.Context(), "user-u")
	mustBe(t, "get by old username", err, models.ErrNotFound)
	_, err = s.Users.GetByPhone(t.Context(), "+86-138-u")
	mustBe(t, "get by old phone", err, models.ErrNotFound)
	got, err = s.Users.GetByPhone(t.Context(), "+86-139-0000")
	mustBe(t, "get by new phone", err, nil)
	mustEqual(t, "stored user", got, u)
}

func testUserUpdateZero(t *testing.T, s *models.Store) {
	u := fullUser("z")
	mustBe(t, "create", s.Users.Create(t.Context(), u), nil)
	zero := &models.User{ID: "z", Username: "z", Version: 1}
	mustBe(t, "update to zero values", s.Users.Update(t.Context(), zero), nil)
	got, err := s.Users.Get(t.Context(), "z")
	mustBe(t, "get", err, nil)
	want := &models.User{ID: "z", Username: "z", Version: 2, CreatedAt: u.CreatedAt, UpdatedAt: zero.UpdatedAt}
	mustEqual(t, "stored user", got, want)
	// The phone and email it released are free again.
	mustBe(t, "reuse phone and email", s.Users.Create(t.Context(), fullUser("z2")), nil)
	other := fullUser("z2")
	other.ID, other.Username = "z3", "z3"
	other.Phone, other.Email = ptr("+86-138-z"), ptr("z@example.com")
	mustBe(t, "take released values", s.Users.Create(t.Context(), other), nil)
}

func testUserUpdateTaken(t *testing.T, s *models.Store) {
	mustBe(t, "create a", s.Users.Create(t.Context(), fullUser("a")), nil)
	b := fullUser("b")
	mustBe(t, "create b", s.Users.Create(t.Context(), b), nil)
	for _, tc := range []struct {
		name   string
		change func(u *models.User)
	}{
		{"username", func(u *models.User) { u.Username = "user-a" }},
		{"phone", func(u *models.User) { u.Phone = ptr("+86-138-a") }},
		{"email", func(u *models.User) { u.Email = ptr("a@example.com") }},
	} {
		u := *b
		tc.change(&u)
		mustBe(t, tc.name, s.Users.Update(t.Context(), &u), models.ErrAlreadyExists)
		if u.Version != 1 {
			t.Fatalf("%s: Version after a refused update = %d, want 1", tc.name, u.Version)
		}
	}
	got, err := s.Users.Get(t.Context(), "b")
	mustBe(t, "get", err, nil)
	mustEqual(t, "stored user", got, b)
}

func testUserUpdateStale(t *testing.T, s *models.Store) {
	mustBe(t, "create", s.Users.Create(t.Context(), fullUser("s")), nil)
	a, err := s.Users.Get(t.Context(), "s")
	mustBe(t, "get", err, nil)
	b := *a
	a.Nickname = "first"
	mustBe(t, "first update", s.Users.Update(t.Context(), a), nil)
	b.Nickname = "second"
	mustBe(t, "stale update", s.Users.Update(t.Context(), &b), models.ErrConflict)
	got, err := s.Users.Get(t.Context(), "s")
	mustBe(t, "get", err, nil)
	mustEqual(t, "stored user", got, a)
	// Re-reading and retrying succeeds.
	got.Nickname = "second"
	mustBe(t, "retry", s.Users.Update(t.Context(), got), nil)
	if got.Version != 3 {
		t.Fatalf("Version after retry = %d, want 3", got.Version)
	}
}

func testUserUpdateMissing(t *testing.T, s *models.Store) {
	u := fullUser("ghost")
	u.Version = 1
	mustBe(t, "update", s.Users.Update(t.Context(), u), models.ErrNotFound)
}

func testUserDelete(t *testing.T, s *models.Store) {
	mustBe(t, "create", s.Users.Create(t.Context(), fullUser("d")), nil)
	mustBe(t, "delete", s.Users.Delete(t.Context(), "d"), nil)
	_, err := s.Users.Get(t.Context(), "d")
	mustBe(t, "get", err, models.ErrNotFound)
	_, err = s.Users.GetByUsername(t.Context(), "user-d")
	mustBe(t, "get by username", err, models.ErrNotFound)
	mustBe(t, "delete again", s.Users.Delete(t.Context(), "d"), models.ErrNotFound)
	// Its username, phone and email can be used again.
	mustBe(t, "create again", s.Users.Create(t.Context(), fullUser("d")), nil)
}

func testUserListOrder(t *testing.T, s *models.Store) {
	for _, u := range []struct {
		id  string
		sec int
	}{{"u3", 3}, {"u1", 1}, {"u2b", 2}, {"u2a", 2}} {
		rec := &models.User{ID: u.id, Username: u.id, CreatedAt: at(u.sec)}
		mustBe(t, "create "+u.id, s.Users.Create(t.Context(), rec), nil)
	}
	id := func(u *models.User) string { return u.ID }
	for _, tc := range []struct {
		page models.Page
		want []string
	}{
		{models.Page{}, []string{"u1", "u2a", "u2b", "u3"}},
		{models.Page{Offset: 1, Limit: 2}, []string{"u2a", "u2b"}},
		{models.Page{Offset: 3, Limit: 10}, []string{"u3"}},
		{models.Page{Offset: 9}, nil},
	} {
		got, err := s.Users.List(t.Context(), models.UserFilter{}, tc.page)
		mustBe(t, "list", err, nil)
		mustIDs(t, "list "+pageName(tc.page), ids(got, id), tc.want)
	}
}

func testUserListFilters(t *testing.T, s *models.Store) {
	for i, u := range []struct {
		id, username string
		phone        *string
		company      *string
	}{
		{"1", "alice", ptr("13700000001"), ptr("acme")},
		{"2", "alicia", nil, ptr("acme")},
		{"3", "bob", ptr("13800138000"), ptr("globex")},
		{"4", "carol", ptr("13900000000"), nil},
		{"5", "%admin", nil, ptr("acme")},
		{"6", "dave_x", ptr("alice-phone"), nil},
		{"7", "davexx", nil, nil},
	} {
		rec := &models.User{ID: u.id, Username: u.username, Phone: u.phone, CompanyID: u.company, CreatedAt: at(i)}
		mustBe(t, "create "+u.username, s.Users.Create(t.Context(), rec), nil)
	}
	id := func(u *models.User) string { return u.ID }
	for _, tc := range []struct {
		name   string
		filter models.UserFilter
		want   []string
	}{
		{"none", models.UserFilter{}, []string{"1", "2", "3", "4", "5", "6", "7"}},
		{"username prefix", models.UserFilter{Query: "ali"}, []string{"1", "2", "6"}},
		{"full username", models.UserFilter{Query: "alicia"}, []string{"2"}},
		{"not a prefix", models.UserFilter{Query: "lice"}, nil},
		{"phone prefix", models.UserFilter{Query: "138"}, []string{"3"}},
		{"phones", models.UserFilter{Query: "13"}, []string{"1", "3", "4"}},
		{"percent", models.UserFilter{Query: "%"}, []string{"5"}},
		{"underscore", models.UserFilter{Query: "dave_"}, []string{"6"}},
		{"company", models.UserFilter{CompanyID: "acme"}, []string{"1", "2", "5"}},
		{"company none", models.UserFilter{CompanyID: "initech"}, nil},
		{"query and company", models.UserFilter{Query: "ali", CompanyID: "acme"}, []string{"1", "2"}},
	} {
		got, err := s.Users.List(t.Context(), tc.filter, models.Page{})
		mustBe(t, tc.name, err, nil)
		mustIDs(t, tc.name, ids(got, id), tc.want)
	}
	got, err := s.Users.List(t.Context(), models.UserFilter{Query: "13"}, models.Page{Offset: 1, Limit: 1})
	mustBe(t, "filtered page", err, nil)
	mustIDs(t, "filtered page", ids(got, id), []string{"3"})
}

func testUserTimes(t *testing.T, s *models.Store) {
	u := fullUser("t")
	fine := base.Add(time.Minute + 999_999)
	u.SessionsNotBefore = &fine
	mustBe(t, "create", s.Users.Create(t.Context(), u), nil)
	if want := fine.Truncate(time.Millisecond); !u.SessionsNotBefore.Equal(want) {
		t.Fatalf("SessionsNotBefore after create = %s, want %s", u.SessionsNotBefore, want)
	}
	got, err := s.Users.Get(t.Context(), "t")
	mustBe(t, "get", err, nil)
	mustEqual(t, "stored user", got, u)

	later := base.Add(time.Hour + 1)
	got.SessionsNotBefore = &later
	mustBe(t, "update", s.Users.Update(t.Context(), got), nil)
	again, err := s.Users.Get(t.Context(), "t")
	mustBe(t, "get", err, nil)
	mustEqual(t, "updated user", again, got)
}
