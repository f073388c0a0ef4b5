package models

import (
	"errors"
	"fmt"
	"strings"

	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
)

// Driver error codes that mean a duplicate key.
const (
	mysqlDuplicateEntry     = 1062 // ER_DUP_ENTRY
	sqliteConstraint        = 19   // SQLITE_CONSTRAINT
	sqliteConstraintPrimary = 1555 // SQLITE_CONSTRAINT_PRIMARYKEY
	sqliteConstraintUnique  = 2067 // SQLITE_CONSTRAINT_UNIQUE
)

// dbError turns a gorm or driver error into the package's sentinels, so
// callers never see a driver type; other errors are wrapped with op.
func dbError(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return ErrNotFound
	case isDuplicate(err):
		return ErrAlreadyExists
	default:
		return fmt.Errorf("models: %s: %w", op, err)
	}
}

// isDuplicate reports whether err is a primary key or unique index
// violation of either database.
func isDuplicate(err error) bool {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	var my *mysqldriver.MySQLError
	if errors.As(err, &my) {
		return my.Number == mysqlDuplicateEntry
	}
	// The SQLite driver's error type carries the result code.
	var lite interface{ Code() int }
	if errors.As(err, &lite) {
		switch lite.Code() {
		case sqliteConstraintPrimary, sqliteConstraintUnique:
			return true
		case sqliteConstraint:
			return strings.Contains(err.Error(), "UNIQUE constraint failed")
		}
	}
	return false
}
