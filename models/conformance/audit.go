package conformance

import (
	"slices"
	"testing"

	"github.com/tongxing/tongxing/models"
)

var auditTests = []subTest{
	{"AppendList", testAuditAppendList},
	{"Filters", testAuditFilters},
	{"Page", testAuditPage},
}

func testAuditAppendList(t *testing.T, s *models.Store) {
	e := &models.AuditEvent{Actor: "admin", Action: "client.update", Target: "client:c1", Source: "127.0.0.1",
		Detail: "renamed", Before: `{"name":"a"}`, After: `{"name":"b"}`}
	clk := startClock()
	mustBe(t, "append", s.Audit.Append(t.Context(), e), nil)
	clk.stop()
	clk.within(t, "Time", e.Time)
	if e.ID == 0 {
		t.Fatal("Append set no ID")
	}
	got, err := s.Audit.List(t.Context(), models.AuditFilter{}, models.Page{})
	mustBe(t, "list", err, nil)
	if len(got) != 1 {
		t.Fatalf("listed %d events, want 1", len(got))
	}
	mustEqual(t, "stored event", &got[0], e)
}

func testAuditFilters(t *testing.T, s *models.Store) {
	events := []models.AuditEvent{
		{Time: at(0), Actor: "a", Action: "login_failed", Target: "user:x"},
		{Time: at(1), Actor: "b", Action: "login_failed", Target: "user:y"},
		{Time: at(2), Actor: "a", Action: "token_revoked", Target: "client:c"},
	}
	for i := range events {
		mustBe(t, "append", s.Audit.Append(t.Context(), &events[i]), nil)
	}
	tests := []struct {
		name string
		f    models.AuditFilter
		want []uint64
	}{
		{"all, newest first", models.AuditFilter{}, []uint64{events[2].ID, events[1].ID, events[0].ID}},
		{"actor", models.AuditFilter{Actor: "a"}, []uint64{events[2].ID, events[0].ID}},
		{"action", models.AuditFilter{Action: "login_failed"}, []uint64{events[1].ID, events[0].ID}},
		{"target", models.AuditFilter{Target: "client:c"}, []uint64{events[2].ID}},
		{"since inclusive", models.AuditFilter{Since: at(1)}, []uint64{events[2].ID, events[1].ID}},
		{"until exclusive", models.AuditFilter{Until: at(1)}, []uint64{events[0].ID}},
		{"window", models.AuditFilter{Since: at(1), Until: at(2)}, []uint64{events[1].ID}},
		{"nothing", models.AuditFilter{Actor: "nobody"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Audit.List(t.Context(), tt.f, models.Page{})
			mustBe(t, "list", err, nil)
			var ids []uint64
			for _, e := range got {
				ids = append(ids, e.ID)
			}
			if !slices.Equal(ids, tt.want) {
				t.Fatalf("ids = %v, want %v", ids, tt.want)
			}
		})
	}
}

func testAuditPage(t *testing.T, s *models.Store) {
	for i := range 5 {
		mustBe(t, "append", s.Audit.Append(t.Context(), &models.AuditEvent{Time: at(i), Action: "x"}), nil)
	}
	got, err := s.Audit.List(t.Context(), models.AuditFilter{}, models.Page{Offset: 1, Limit: 2})
	mustBe(t, "list", err, nil)
	if len(got) != 2 || !got[0].Time.Equal(at(3)) || !got[1].Time.Equal(at(2)) {
		t.Fatalf("page = %+v", got)
	}
}
