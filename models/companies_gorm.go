package models

import (
	"context"

	"gorm.io/gorm"
)

// companyRepo is Companies over gorm.
type companyRepo struct{ db *gorm.DB }

// Create stores c as version 1.
func (r companyRepo) Create(ctx context.Context, c *Company) error {
	stamp(&c.CreatedAt, &c.UpdatedAt)
	c.Version = 1
	return insert(ctx, r.db, "create company", c)
}

// Get returns the company with the ID.
func (r companyRepo) Get(ctx context.Context, id string) (*Company, error) {
	var c Company
	if err := get(ctx, r.db, "get company", &c, "id = ?", id); err != nil {
		return nil, err
	}
	return &c, nil
}

// Update writes c if its Version is the stored one.
func (r companyRepo) Update(ctx context.Context, c *Company) error {
	return update(ctx, r.db, "update company", c, c.ID, &c.Version, &c.UpdatedAt)
}

// Delete removes the company with the ID.
func (r companyRepo) Delete(ctx context.Context, id string) error {
	return remove(ctx, r.db, "delete company", &Company{}, "id = ?", id)
}

// List returns one page of all companies.
func (r companyRepo) List(ctx context.Context, p Page) ([]Company, error) {
	out := []Company{}
	if err := list(r.db.WithContext(ctx).Model(&Company{}), "list companies", p, &out); err != nil {
		return nil, err
	}
	return out, nil
}
