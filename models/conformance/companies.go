package conformance

import (
	"fmt"
	"testing"

	"github.com/tongxing/tongxing/models"
)

var companyTests = []subTest{
	{"CreateGet", testCompanyCreateGet},
	{"CreateDuplicateID", testCompanyCreateDuplicate},
	{"GetMissing", testCompanyGetMissing},
	{"Update", testCompanyUpdate},
	{"UpdateWritesZeroValues", testCompanyUpdateZero},
	{"UpdateStaleVersion", testCompanyUpdateStale},
	{"UpdateMissing", testCompanyUpdateMissing},
	{"Delete", testCompanyDelete},
	{"ListOrderAndPages", testCompanyListOrder},
	{"ListLimits", testCompanyListLimits},
}

// fullCompany is a company with every field set to a non-zero value.
func fullCompany(id string) *models.Company {
	return &models.Company{
		ID:               id,
		Name:             "同行科技 " + id,
		Type:             "1",
		TaxNumber:        "91310000MA1FL0000X",
		Province:         "上海市",
		City:             "上海市",
		Zone:             "浦东新区",
		Address:          "世纪大道 100 号",
		Disable:          "0",
		TelPhone:         "021-12345678",
		LegalPersonPhone: "13800138000",
		LegalPersonName:  "李四",
	}
}

func testCompanyCreateGet(t *testing.T, s *models.Store) {
	c := fullCompany("c1")
	mustFillAll(t, c, "Version", "CreatedAt", "UpdatedAt")
	clk := startClock()
	mustBe(t, "create", s.Companies.Create(t.Context(), c), nil)
	clk.stop()
	if c.Version != 1 {
		t.Fatalf("Version after create = %d, want 1", c.Version)
	}
	clk.within(t, "CreatedAt", c.CreatedAt)
	clk.within(t, "UpdatedAt", c.UpdatedAt)
	got, err := s.Companies.Get(t.Context(), "c1")
	mustBe(t, "get", err, nil)
	want := fullCompany("c1")
	want.Version, want.CreatedAt, want.UpdatedAt = 1, c.CreatedAt, c.UpdatedAt
	mustEqual(t, "stored company", got, want)
}

func testCompanyCreateDuplicate(t *testing.T, s *models.Store) {
	mustBe(t, "create", s.Companies.Create(t.Context(), fullCompany("dup")), nil)
	mustBe(t, "create again", s.Companies.Create(t.Context(), &models.Company{ID: "dup", Name: "x"}), models.ErrAlreadyExists)
	got, err := s.Companies.Get(t.Context(), "dup")
	mustBe(t, "get", err, nil)
	if got.Name != fullCompany("dup").Name {
		t.Fatalf("Name = %q after a refused create", got.Name)
	}
}

func testCompanyGetMissing(t *testing.T, s *models.Store) {
	got, err := s.Companies.Get(t.Context(), "none")
	mustBe(t, "get", err, models.ErrNotFound)
	if got != nil {
		t.Fatalf("get returned %+v with ErrNotFound", got)
	}
}

func testCompanyUpdate(t *testing.T, s *models.Store) {
	c := fullCompany("u")
	mustBe(t, "create", s.Companies.Create(t.Context(), c), nil)
	c.Name, c.City, c.Disable = "Renamed", "杭州市", "1"
	clk := startClock()
	mustBe(t, "update", s.Companies.Update(t.Context(), c), nil)
	clk.stop()
	if c.Version != 2 {
		t.Fatalf("Version after update = %d, want 2", c.Version)
	}
	clk.within(t, "UpdatedAt", c.UpdatedAt)
	got, err := s.Companies.Get(t.Context(), "u")
	mustBe(t, "get", err, nil)
	mustEqual(t, "stored company", got, c)
}

func testCompanyUpdateZero(t *testing.T, s *models.Store) {
	c := fullCompany("z")
	mustBe(t, "create", s.Companies.Create(t.Context(), c), nil)
	zero := &models.Company{ID: "z", Version: 1}
	mustBe(t, "update to zero values", s.Companies.Update(t.Context(), zero), nil)
	got, err := s.Companies.Get(t.Context(), "z")
	mustBe(t, "get", err, nil)
	want := &models.Company{ID: "z", Version: 2, CreatedAt: c.CreatedAt, UpdatedAt: zero.UpdatedAt}
	mustEqual(t, "stored company", got, want)
}

func testCompanyUpdateStale(t *testing.T, s *models.Store) {
	c := fullCompany("s")
	mustBe(t, "create", s.Companies.Create(t.Context(), c), nil)
	stale := *c
	c.Name = "first"
	mustBe(t, "first update", s.Companies.Update(t.Context(), c), nil)
	stale.Name = "second"
	mustBe(t, "stale update", s.Companies.Update(t.Context(), &stale), models.ErrConflict)
	// A version from the future is as wrong as one from the past.
	future := *c
	future.Version = 9
	mustBe(t, "future version", s.Companies.Update(t.Context(), &future), models.ErrConflict)
	got, err := s.Companies.Get(t.Context(), "s")
	mustBe(t, "get", err, nil)
	mustEqual(t, "stored company", got, c)
}

func testCompanyUpdateMissing(t *testing.T, s *models.Store) {
	mustBe(t, "update", s.Companies.Update(t.Context(), &models.Company{ID: "ghost", Version: 1}), models.ErrNotFound)
}

func testCompanyDelete(t *testing.T, s *models.Store) {
	mustBe(t, "create", s.Companies.Create(t.Context(), fullCompany("d")), nil)
	mustBe(t, "delete", s.Companies.Delete(t.Context(), "d"), nil)
	_, err := s.Companies.Get(t.Context(), "d")
	mustBe(t, "get", err, models.ErrNotFound)
	mustBe(t, "delete again", s.Companies.Delete(t.Context(), "d"), models.ErrNotFound)
}

func testCompanyListOrder(t *testing.T, s *models.Store) {
	for _, c := range []struct {
		id  string
		sec int
	}{{"k2", 2}, {"k0", 0}, {"k1", 1}} {
		rec := fullCompany(c.id)
		rec.CreatedAt = at(c.sec)
		mustBe(t, "create "+c.id, s.Companies.Create(t.Context(), rec), nil)
	}
	id := func(c *models.Company) string { return c.ID }
	got, err := s.Companies.List(t.Context(), models.Page{})
	mustBe(t, "list", err, nil)
	mustIDs(t, "list", ids(got, id), []string{"k0", "k1", "k2"})
	want, err := s.Companies.Get(t.Context(), "k0")
	mustBe(t, "get", err, nil)
	mustEqual(t, "listed company", &got[0], want)
	got, err = s.Companies.List(t.Context(), models.Page{Offset: 1, Limit: 1})
	mustBe(t, "list page", err, nil)
	mustIDs(t, "list page", ids(got, id), []string{"k1"})
}

func testCompanyListLimits(t *testing.T, s *models.Store) {
	const n = 1001
	for i := range n {
		rec := &models.Company{ID: fmt.Sprintf("c%04d", i), Name: "c", CreatedAt: at(i)}
		mustBe(t, "create", s.Companies.Create(t.Context(), rec), nil)
	}
	for _, tc := range []struct {
		page   models.Page
		want   int
		firstI int
	}{
		{models.Page{}, 100, 0},
		{models.Page{Limit: -1}, 100, 0},
		{models.Page{Limit: 1000}, 1000, 0},
		{models.Page{Limit: 5000}, 1000, 0},
		{models.Page{Offset: 1000, Limit: 5000}, 1, 1000},
		{models.Page{Offset: 950}, 51, 950},
	} {
		got, err := s.Companies.List(t.Context(), tc.page)
		mustBe(t, "list", err, nil)
		if len(got) != tc.want {
			t.Fatalf("list %s returned %d companies, want %d", pageName(tc.page), len(got), tc.want)
		}
		if first := fmt.Sprintf("c%04d", tc.firstI); got[0].ID != first {
			t.Fatalf("list %s starts at %s, want %s", pageName(tc.page), got[0].ID, first)
		}
	}
}
