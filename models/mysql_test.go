package models_test

import (
	"os"
	"testing"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/models/conformance"
	"github.com/tongxing/tongxing/models/modelstest"
)

// skipWithoutMySQL skips once at the top rather than in every subtest.
func skipWithoutMySQL(t *testing.T) {
	if os.Getenv(modelstest.EnvMySQL) == "" {
		t.Skipf("%s is not set: skipping the MySQL/MariaDB tests", modelstest.EnvMySQL)
	}
}

func TestMySQL(t *testing.T) {
	skipWithoutMySQL(t)
	conformance.RunTests(t, func(t *testing.T) *models.Store {
		db := open(t, modelstest.MySQL(t), "")
		migrate(t, db)
		return models.NewStore(db)
	})
}

// TestMySQLTwoProcesses has two independent pools create the same setting
// at once.
func TestMySQLTwoProcesses(t *testing.T) {
	skipWithoutMySQL(t)
	dsn := modelstest.MySQL(t)
	var stores []*models.Store
	for i := range 2 {
		db := open(t, dsn, "")
		if i == 0 {
			migrate(t, db)
		}
		stores = append(stores, models.NewStore(db))
	}
	getOrCreateRace(t, stores)
}

func TestMySQLMigrateTwice(t *testing.T) {
	skipWithoutMySQL(t)
	db := open(t, modelstest.MySQL(t), "")
	migrate(t, db)
	migrate(t, db)
	s := models.NewStore(db)
	if err := s.Clients.Create(t.Context(), &models.Client{ID: "c", Name: "c"}); err != nil {
		t.Fatalf("create after migrating twice: %v", err)
	}
}
