package models

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// identityRepo is Identities over gorm.
type identityRepo struct{ db *gorm.DB }

// Create stores i; a linked (Provider, Subject) is ErrAlreadyExists.
func (r identityRepo) Create(ctx context.Context, i *Identity) error {
	if i.CreatedAt.IsZero() {
		i.CreatedAt = now()
	} else {
		i.CreatedAt = dbTime(i.CreatedAt)
	}
	i.ID = 0
	if err := r.db.WithContext(ctx).Create(i).Error; err != nil {
		i.ID = 0
		return dbError("create identity", err)
	}
	return nil
}

// ListByUser returns the user's identities, oldest first.
func (r identityRepo) ListByUser(ctx context.Context, userID string) ([]Identity, error) {
	out := []Identity{}
	err := r.db.WithContext(ctx).Where("user_id = ?", userID).Order("created_at, id").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("models: list identities: %w", err)
	}
	return out, nil
}

// GetBySubject returns the identity of the provider's account subject.
func (r identityRepo) GetBySubject(ctx context.Context, provider, subject string) (*Identity, error) {
	var i Identity
	if err := get(ctx, r.db, "get identity", &i, "provider = ? AND subject = ?", provider, subject); err != nil {
		return nil, err
	}
	return &i, nil
}

// Delete removes the identity with the ID.
func (r identityRepo) Delete(ctx context.Context, id uint64) error {
	return remove(ctx, r.db, "delete identity", &Identity{}, "id = ?", id)
}
