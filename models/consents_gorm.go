package models

import (
	"context"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// consentRepo is Consents over gorm.
type consentRepo struct{ db *gorm.DB }

// Get returns what the user granted the client.
func (r consentRepo) Get(ctx context.Context, userID, clientID string) (*Consent, error) {
	var c Consent
	err := get(ctx, r.db, "get consent", &c, "user_id = ? AND client_id = ?", userID, clientID)
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// Save stores c, replacing the scopes of an earlier consent of the same
// user and client. The first grant's CreatedAt is kept and copied into c.
func (r consentRepo) Save(ctx context.Context, c *Consent) error {
	c.UpdatedAt = now()
	if c.CreatedAt.IsZero() {
		c.CreatedAt = c.UpdatedAt
	}
	c.CreatedAt = dbTime(c.CreatedAt)
	db := r.db.WithContext(ctx)
	err := db.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "user_id"}, {Name: "client_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"scopes", "updated_at"}),
	}).Create(c).Error
	if err != nil {
		return dbError("save consent", err)
	}
	var stored Consent
	err = db.Select("created_at").
		Where("user_id = ? AND client_id = ?", c.UserID, c.ClientID).
		Take(&stored).Error
	if err != nil {
		return dbError("save consent", err)
	}
	c.CreatedAt = stored.CreatedAt
	return nil
}

// DeleteClient removes every consent given to the client.
func (r consentRepo) DeleteClient(ctx context.Context, clientID string) (int64, error) {
	res := r.db.WithContext(ctx).Where("client_id = ?", clientID).Delete(&Consent{})
	if res.Error != nil {
		return 0, dbError("delete consents of client", res.Error)
	}
	return res.RowsAffected, nil
}

// Delete removes what the user granted the client.
func (r consentRepo) Delete(ctx context.Context, userID, clientID string) error {
	return remove(ctx, r.db, "delete consent", &Consent{}, "user_id = ? AND client_id = ?", userID, clientID)
}
