// Package conformance is the behaviour every implementation of the models
// repositories must show, run by each backend's tests against a real
// database.
package conformance

import (
	"testing"

	"github.com/tongxing/tongxing/models"
)

// subTest is one behaviour, run against a fresh store.
type subTest struct {
	name string
	run  func(t *testing.T, s *models.Store)
}

// RunTests runs the suite. newStore must return an empty, migrated store,
// a new one per call; it is called once per subtest.
func RunTests(t *testing.T, newStore func(t *testing.T) *models.Store) {
	groups := []struct {
		name  string
		tests []subTest
	}{
		{"Clients", clientTests},
		{"Users", userTests},
		{"Companies", companyTests},
		{"Identities", identityTests},
		{"Consents", consentTests},
		{"SigningKeys", keyTests},
		{"Settings", settingTests},
		{"Audit", auditTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					tc.run(t, newStore(t))
				})
			}
		})
	}
}
