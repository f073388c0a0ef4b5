package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// keyRepo is SigningKeys over gorm.
type keyRepo struct{ db *gorm.DB }

// Create stores k; its times are kept as stored (UTC, milliseconds).
func (r keyRepo) Create(ctx context.Context, k *SigningKey) error {
	if k.CreatedAt.IsZero() {
		k.CreatedAt = now()
	} else {
		k.CreatedAt = dbTime(k.CreatedAt)
	}
	k.ActiveFrom = dbTime(k.ActiveFrom)
	k.RetiredAt = dbTimePtr(k.RetiredAt)
	k.ExpiresAt = dbTimePtr(k.ExpiresAt)
	return insert(ctx, r.db, "create signing key", k)
}

// List returns every key, newest first.
func (r keyRepo) List(ctx context.Context) ([]SigningKey, error) {
	out := []SigningKey{}
	err := r.db.WithContext(ctx).Order("created_at DESC, id").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: list signing keys: %w", err)
	}
	return out, nil
}

// Retire sets the retirement and expiry of the current key with the ID.
// A key that is missing or already retired is ErrNotFound, so of two
// concurrent rotations only one retires it.
func (r keyRepo) Retire(ctx context.Context, id string, retiredAt, expiresAt time.Time) error {
	res := r.db.WithContext(ctx).Model(&SigningKey{}).
		Where("id = ? AND retired_at IS NULL", id).
		Updates(map[string]any{
			"retired_at": dbTime(retiredAt),
			"expires_at": dbTime(expiresAt),
		})
	if res.Error != nil {
		return dbError("retire signing key", res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// DeleteExpired removes the keys that expired before now and returns how
// many it removed.
func (r keyRepo) DeleteExpired(ctx context.Context, now time.Time) (int64, error) {
	res := r.db.WithContext(ctx).
		Where("expires_at IS NOT NULL AND expires_at < ?", now.UTC()).
		Delete(&SigningKey{})
	if res.Error != nil {
		return 0, dbError("delete expired signing keys", res.Error)
	}
	return res.RowsAffected, nil
}
