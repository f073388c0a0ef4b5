package models

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Store bundles the repositories of one database, as the provider and the
// CLI need them together.
type Store struct {
	Clients    Clients
	Users      Users
	Companies  Companies
	Identities Identities
	Consents   Consents
	Keys       SigningKeys
	Settings   Settings
	Audit      Audit
}

// NewStore returns the gorm repositories over db, which Migrate has
// prepared.
func NewStore(db *gorm.DB) *Store {
	return &Store{
		Clients:    clientRepo{db},
		Users:      userRepo{db},
		Companies:  companyRepo{db},
		Identities: identityRepo{db},
		Consents:   consentRepo{db},
		Keys:       keyRepo{db},
		Settings:   settingRepo{db},
		Audit:      auditRepo{db},
	}
}

// Listing bounds; see Page.
const (
	defaultLimit = 100
	maxLimit     = 1000
)

// window applies Page's defaults and bounds.
func window(p Page) (offset, limit int) {
	offset, limit = max(p.Offset, 0), p.Limit
	switch {
	case limit <= 0:
		limit = defaultLimit
	case limit > maxLimit:
		limit = maxLimit
	}
	return offset, limit
}

// listOrder is the order of every listing: creation time, then ID so rows
// created in the same millisecond page stably.
const listOrder = "created_at, id"

// dbTime is t as stored: UTC, to the millisecond (MySQL's DATETIME(3)), so
// the record in hand equals the one read back.
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// dbTimePtr is dbTime of a nullable time, as a new pointer.
func dbTimePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := dbTime(*t)
	return &u
}

// stamp sets the creation and update times a Create writes: now unless the
// caller gave one (an import keeps its original dates).
func stamp(created, updated *time.Time) {
	t := now()
	for _, p := range []*time.Time{created, updated} {
		if p.IsZero() {
			*p = t
		} else {
			*p = dbTime(*p)
		}
	}
}

// likeEscaper escapes LIKE wildcards with '!', an escape character both
// databases accept in an ESCAPE clause without string-literal quirks.
var likeEscaper = strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")

// contains is a LIKE pattern matching s anywhere; prefix one matching it at
// the start. Use them with "LIKE ? ESCAPE '!'".
func contains(s string) string { return "%" + likeEscaper.Replace(s) + "%" }
func prefix(s string) string   { return likeEscaper.Replace(s) + "%" }

// columns returns rec's table and the value of every column an insert (or
// an update) may write, zero values included. Writing from this map rather
// than from the struct matters: gorm's Create replaces a zero field that
// has a default tag with the default, so a client created disabled would be
// stored enabled, and Updates with a struct skips zero fields.
func columns(ctx context.Context, db *gorm.DB, rec any, forUpdate bool) (string, map[string]any, error) {
	stmt := &gorm.Statement{DB: db}
	if err := stmt.Parse(rec); err != nil {
		return "", nil, err
	}
	v := reflect.ValueOf(rec)
	cols := make(map[string]any, len(stmt.Schema.DBNames))
	for _, f := range stmt.Schema.Fields {
		if f.DBName == "" || (forUpdate && !f.Updatable) || (!forUpdate && !f.Creatable) {
			continue
		}
		cols[f.DBName], _ = f.ValueOf(ctx, v)
	}
	return stmt.Schema.Table, cols, nil
}

// insert writes rec as a new row; a duplicate key is ErrAlreadyExists.
func insert(ctx context.Context, db *gorm.DB, op string, rec any) error {
	table, cols, err := columns(ctx, db, rec, false)
	if err != nil {
		return dbError(op, err)
	}
	return dbError(op, db.WithContext(ctx).Table(table).Create(cols).Error)
}

// update writes every column of a versioned record except its ID and
// creation time, provided the stored version is still *version. It then
// increments *version and sets *updated. No matching row is ErrNotFound if
// the ID is gone, else ErrConflict.
func update(ctx context.Context, db *gorm.DB, op string, rec any, id string, version *int64, updated *time.Time) error {
	table, cols, err := columns(ctx, db, rec, true)
	if err != nil {
		return dbError(op, err)
	}
	t := now()
	delete(cols, "id")
	delete(cols, "created_at")
	cols["updated_at"] = t
	cols["version"] = gorm.Expr("version + 1")
	res := db.WithContext(ctx).Table(table).
		Where("id = ? AND version = ?", id, *version).
		Updates(cols)
	if res.Error != nil {
		return dbError(op, res.Error)
	}
	if res.RowsAffected == 0 {
		found, err := exists(ctx, db, table, id)
		switch {
		case err != nil:
			return dbError(op, err)
		case !found:
			return ErrNotFound
		default:
			return ErrConflict
		}
	}
	*version++
	*updated = t
	return nil
}

// exists reports whether table has a row with the ID.
func exists(ctx context.Context, db *gorm.DB, table, id string) (bool, error) {
	var n int64
	err := db.WithContext(ctx).Table(table).Where("id = ?", id).Count(&n).Error
	return n > 0, err
}

// remove deletes the rows of model's table matching the condition; none is
// ErrNotFound.
func remove(ctx context.Context, db *gorm.DB, op string, model any, query string, args ...any) error {
	res := db.WithContext(ctx).Where(query, args...).Delete(model)
	if res.Error != nil {
		return dbError(op, res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// get reads the row matching the condition into dst; none is ErrNotFound.
func get(ctx context.Context, db *gorm.DB, op string, dst any, query string, args ...any) error {
	return dbError(op, db.WithContext(ctx).Where(query, args...).Take(dst).Error)
}

// list reads one page of q in listing order into dst.
func list(q *gorm.DB, op string, p Page, dst any) error {
	offset, limit := window(p)
	err := q.Order(listOrder).Offset(offset).Limit(limit).Find(dst).Error
	if err != nil {
		return fmt.Errorf("models: %s: %w", op, err)
	}
	return nil
}
