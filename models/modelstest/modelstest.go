// Package modelstest gives tests a fresh, migrated database of either
// backend, so packages above models test against the real thing.
package modelstest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"testing"

	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"github.com/tongxing/tongxing/models"
)

// EnvMySQL names the variable holding the DSN of a MySQL or MariaDB server
// to test against, without a database name, e.g. root@tcp(127.0.0.1:3306)/.
const EnvMySQL = "IDP_TEST_MYSQL_DSN"

// MySQL creates an empty database with a random name on the server named by
// EnvMySQL, drops it when the test ends, and returns its DSN. The test is
// skipped when the variable is unset.
func MySQL(t testing.TB) (dsn string) {
	t.Helper()
	base := os.Getenv(EnvMySQL)
	if base == "" {
		t.Skipf("%s is not set: skipping the MySQL/MariaDB test", EnvMySQL)
	}
	cfg, err := mysql.ParseDSN(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvMySQL, err)
	}
	cfg.DBName = ""
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatalf("connect to %s: %v", EnvMySQL, err)
	}
	admin.SetMaxOpenConns(1)
	suffix := make([]byte, 6)
	rand.Read(suffix)
	name := "tongxing_test_" + hex.EncodeToString(suffix)
	if _, err := admin.Exec("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4"); err != nil {
		admin.Close()
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec("DROP DATABASE IF EXISTS `" + name + "`"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	cfg.DBName = name
	return cfg.FormatDSN()
}

// SQLite returns a migrated embedded database in a temporary folder, closed
// when the test ends.
func SQLite(t testing.TB) *gorm.DB {
	t.Helper()
	db, err := models.Open("", t.TempDir(), nil)
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	if err := models.Migrate(t.Context(), db); err != nil {
		t.Fatalf("migrate sqlite: %v", err)
	}
	return db
}
