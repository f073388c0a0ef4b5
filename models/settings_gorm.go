package models

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// settingRepo is Settings over gorm.
type settingRepo struct{ db *gorm.DB }

// GetOrCreate returns the value named name, storing create()'s first. The
// insert ignores a row another caller (or process) stored meanwhile and the
// value is then read back, so every caller returns the one stored value.
func (r settingRepo) GetOrCreate(ctx context.Context, name string, create func() ([]byte, error)) ([]byte, error) {
	v, err := r.get(ctx, name)
	if !errors.Is(err, ErrNotFound) {
		return v, err
	}
	v, err = create()
	if err != nil {
		return nil, fmt.Errorf("models: create setting %q: %w", name, err)
	}
	if v == nil {
		v = []byte{}
	}
	err = r.db.WithContext(ctx).
		Clauses(clause.OnConflict{DoNothing: true}).
		Create(&Setting{Name: name, Value: v, CreatedAt: now()}).Error
	if err != nil {
		return nil, dbError("create setting", err)
	}
	v, err = r.get(ctx, name)
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("models: setting %q vanished after it was stored", name)
	}
	return v, err
}

// get returns the stored value named name.
func (r settingRepo) get(ctx context.Context, name string) ([]byte, error) {
	var s Setting
	if err := get(ctx, r.db, "get setting", &s, "name = ?", name); err != nil {
		return nil, err
	}
	return s.Value, nil
}
