package models_test

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/tongxing/tongxing/models"
)

// open opens a database and closes it when the test ends.
func open(t *testing.T, dsn, dataDir string) *gorm.DB {
	t.Helper()
	db, err := models.Open(dsn, dataDir, nil)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	return db
}

func migrate(t *testing.T, db *gorm.DB) {
	t.Helper()
	if err := models.Migrate(t.Context(), db); err != nil {
		t.Fatalf("migrate: %v", err)
	}
}

func TestOpenCreatesDataDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data")
	db := open(t, "", dir)
	migrate(t, db)
	if _, err := os.Stat(filepath.Join(dir, models.SQLiteFile)); err != nil {
		t.Fatalf("database file: %v", err)
	}
	for _, tc := range []struct{ pragma, want string }{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"busy_timeout", "5000"},
	} {
		var got string
		if err := db.Raw("PRAGMA " + tc.pragma).Scan(&got).Error; err != nil {
			t.Fatalf("PRAGMA %s: %v", tc.pragma, err)
		}
		if strings.ToLower(got) != tc.want {
			t.Errorf("PRAGMA %s = %q, want %q", tc.pragma, got, tc.want)
		}
	}
}

func TestMigrateTwiceKeepsData(t *testing.T) {
	dir := t.TempDir()
	db := open(t, "", dir)
	migrate(t, db)
	s := models.NewStore(db)
	if err := s.Clients.Create(t.Context(), &models.Client{ID: "c", Name: "kept", Enabled: true}); err != nil {
		t.Fatalf("create: %v", err)
	}
	migrate(t, db)

	// And again from a new connection, as a restarted server would.
	db2 := open(t, "", dir)
	migrate(t, db2)
	got, err := models.NewStore(db2).Clients.Get(t.Context(), "c")
	if err != nil {
		t.Fatalf("get after migrating again: %v", err)
	}
	if got.Name != "kept" || !got.Enabled || got.Version != 1 {
		t.Fatalf("client after migrating again = %+v", got)
	}
}

func TestOpenBadMySQLDSN(t *testing.T) {
	_, err := models.Open("not a dsn", "", nil)
	if err == nil {
		t.Fatal("Open accepted a malformed MySQL DSN")
	}
}

func TestOpenRejectsQuestionMarkInDataDir(t *testing.T) {
	_, err := models.Open("", filepath.Join(t.TempDir(), "what?"), nil)
	if err == nil {
		t.Fatal("Open accepted a data folder with '?'")
	}
}

func TestOpenDataDirIsAFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := models.Open("", file, nil)
	if err == nil {
		t.Fatal("Open used a regular file as the data folder")
	}
	var pathErr *os.PathError
	if !errors.As(err, &pathErr) {
		t.Fatalf("error %v does not carry the path error", err)
	}
}

// TestOpenLogsNothingQuick checks the logger stays quiet for ordinary
// statements, including failing ones.
func TestOpenLogsNothingQuick(t *testing.T) {
	var buf bytes.Buffer
	db, err := models.Open("", t.TempDir(), slog.New(slog.NewTextHandler(&buf, nil)))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	}()
	migrate(t, db)
	s := models.NewStore(db)
	_, err = s.Clients.Get(t.Context(), "missing")
	if !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("get: %v", err)
	}
	if buf.Len() != 0 {
		t.Fatalf("logged: %s", buf.String())
	}
}
