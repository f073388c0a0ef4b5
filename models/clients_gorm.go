package models

import (
	"context"
	"encoding/json"

	"gorm.io/gorm"
)

// clientRepo is Clients over gorm.
type clientRepo struct{ db *gorm.DB }

// Create stores c as version 1.
func (r clientRepo) Create(ctx context.Context, c *Client) error {
	stamp(&c.CreatedAt, &c.UpdatedAt)
	c.PreviousSecretExpiresAt = dbTimePtr(c.PreviousSecretExpiresAt)
	c.Version = 1
	return insert(ctx, r.db, "create client", c)
}

// Get returns the client with the ID.
func (r clientRepo) Get(ctx context.Context, id string) (*Client, error) {
	var c Client
	if err := get(ctx, r.db, "get client", &c, "id = ?", id); err != nil {
		return nil, err
	}
	return &c, nil
}

// Update writes c if its Version is the stored one.
func (r clientRepo) Update(ctx context.Context, c *Client) error {
	c.PreviousSecretExpiresAt = dbTimePtr(c.PreviousSecretExpiresAt)
	return update(ctx, r.db, "update client", c, c.ID, &c.Version, &c.UpdatedAt)
}

// Delete removes the client with the ID.
func (r clientRepo) Delete(ctx context.Context, id string) error {
	return remove(ctx, r.db, "delete client", &Client{}, "id = ?", id)
}

// List returns one page of the clients matching f.
func (r clientRepo) List(ctx context.Context, f ClientFilter, p Page) ([]Client, error) {
	q := r.db.WithContext(ctx).Model(&Client{})
	if f.NameContains != "" {
		q = q.Where("name LIKE ? ESCAPE '!'", contains(f.NameContains))
	}
	if f.Enabled != nil {
		q = q.Where("enabled = ?", *f.Enabled)
	}
	if f.LegacyAPI != "" {
		// LegacyAPIs is a JSON array: the quoted name, encoded as the
		// serializer encodes it, occurs in the text only as an element.
		name, err := json.Marshal(f.LegacyAPI)
		if err != nil {
			return nil, err
		}
		q = q.Where("legacy_apis LIKE ? ESCAPE '!'", contains(string(name)))
	}
	out := []Client{}
	if err := list(q, "list clients", p, &out); err != nil {
		return nil, err
	}
	return out, nil
}
