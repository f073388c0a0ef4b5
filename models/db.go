package models

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
)

// SQLiteFile is the name of the embedded database inside the data folder.
const SQLiteFile = "tongxing.db"

// slowQuery is how long a statement may run before it is logged.
const slowQuery = 500 * time.Millisecond

// Open connects to the database: MySQL/MariaDB when dsn is set, otherwise
// the embedded SQLite file in dataDir, created with the folder if missing.
// log receives slow statements only; nil discards them.
func Open(dsn, dataDir string, log *slog.Logger) (*gorm.DB, error) {
	cfg := &gorm.Config{
		Logger:  newSlowLogger(log, slowQuery),
		NowFunc: now,
		// Every write goes through a repository, which needs no implicit
		// transaction around single statements.
		SkipDefaultTransaction: true,
	}
	if dsn == "" {
		return openSQLite(dataDir, cfg)
	}
	return openMySQL(dsn, cfg)
}

// now is the clock reading written to records: UTC, to the millisecond, the
// precision every supported database keeps, so a record reads back equal to
// what was written.
func now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

// openSQLite opens <dataDir>/tongxing.db in WAL mode. The pool holds one
// connection: SQLite has a single writer anyway, and serialising in the
// process avoids SQLITE_BUSY between our own connections; the busy timeout
// covers other processes (the CLI) writing the same file. A transaction
// holds that connection, so code inside one must use only its handle.
func openSQLite(dataDir string, cfg *gorm.Config) (*gorm.DB, error) {
	if dataDir == "" {
		dataDir = "."
	}
	if strings.ContainsRune(dataDir, '?') {
		return nil, fmt.Errorf("models: data folder %q: '?' is not allowed in the path", dataDir)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("models: create data folder: %w", err)
	}
	dsn := filepath.Join(dataDir, SQLiteFile) +
		"?_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(NORMAL)" +
		"&_pragma=busy_timeout(5000)" +
		"&_pragma=foreign_keys(1)" +
		"&_txlock=immediate"
	db, err := gorm.Open(sqlite.Open(dsn), cfg)
	if err != nil {
		return nil, fmt.Errorf("models: open sqlite: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("models: open sqlite: %w", err)
	}
	sqlDB.SetMaxOpenConns(1)
	sqlDB.SetMaxIdleConns(1)
	sqlDB.SetConnMaxLifetime(0)
	return db, nil
}

// openMySQL opens a MySQL or MariaDB database. RETURNING is disabled so both
// servers are sent the same statements.
func openMySQL(dsn string, cfg *gorm.Config) (*gorm.DB, error) {
	dsn, err := mysqlDSN(dsn)
	if err != nil {
		return nil, err
	}
	db, err := gorm.Open(mysql.New(mysql.Config{
		DSN:                  dsn,
		DisableWithReturning: true,
	}), cfg)
	if err != nil {
		return nil, fmt.Errorf("models: open mysql: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("models: open mysql: %w", err)
	}
	sqlDB.SetMaxOpenConns(25)
	sqlDB.SetMaxIdleConns(10)
	sqlDB.SetConnMaxLifetime(30 * time.Minute)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	return db, nil
}

// mysqlDSN adds what the repositories rely on to an operator's DSN: times
// parsed as UTC time.Time, a utf8mb4 connection, and parameters
// interpolated by the driver. Without interpolation every query with
// arguments costs three round trips (prepare, execute, close) instead of
// one, and record reads are on the path of every token request; the
// driver escapes by the connection's charset and refuses the collations
// where that would be unsafe.
func mysqlDSN(dsn string) (string, error) {
	c, err := mysqldriver.ParseDSN(dsn)
	if err != nil {
		return "", fmt.Errorf("models: mysql dsn: %w", err)
	}
	c.ParseTime = true
	c.Loc = time.UTC
	c.InterpolateParams = true
	if c.Params == nil {
		c.Params = map[string]string{}
	}
	if c.Params["charset"] == "" {
		c.Params["charset"] = "utf8mb4"
	}
	return c.FormatDSN(), nil
}

// Migrate creates the tables of every record, or upgrades them to the
// current record types. Running it again changes nothing.
func Migrate(ctx context.Context, db *gorm.DB) error {
	err := db.WithContext(ctx).AutoMigrate(
		&Client{},
		&User{},
		&Company{},
		&Identity{},
		&Consent{},
		&SigningKey{},
		&Setting{},
		&AuditEvent{},
	)
	if err != nil {
		return fmt.Errorf("models: migrate: %w", err)
	}
	return nil
}
