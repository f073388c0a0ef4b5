package models

import (
	"context"

	"gorm.io/gorm"
)

// userRepo is Users over gorm.
type userRepo struct{ db *gorm.DB }

// Create stores u as version 1; a taken ID, username, phone or email is
// ErrAlreadyExists.
func (r userRepo) Create(ctx context.Context, u *User) error {
	stamp(&u.CreatedAt, &u.UpdatedAt)
	u.SessionsNotBefore = dbTimePtr(u.SessionsNotBefore)
	u.Version = 1
	return insert(ctx, r.db, "create user", u)
}

// Get returns the user with the ID.
func (r userRepo) Get(ctx context.Context, id string) (*User, error) {
	return r.one(ctx, "get user", "id = ?", id)
}

// GetByUsername returns the user with exactly that username.
func (r userRepo) GetByUsername(ctx context.Context, username string) (*User, error) {
	return r.one(ctx, "get user by username", "username = ?", username)
}

// GetByPhone returns the user with exactly that phone number.
func (r userRepo) GetByPhone(ctx context.Context, phone string) (*User, error) {
	return r.one(ctx, "get user by phone", "phone = ?", phone)
}

// one returns the user matching the condition.
func (r userRepo) one(ctx context.Context, op, query string, arg any) (*User, error) {
	var u User
	if err := get(ctx, r.db, op, &u, query, arg); err != nil {
		return nil, err
	}
	return &u, nil
}

// Update writes u if its Version is the stored one.
func (r userRepo) Update(ctx context.Context, u *User) error {
	u.SessionsNotBefore = dbTimePtr(u.SessionsNotBefore)
	return update(ctx, r.db, "update user", u, u.ID, &u.Version, &u.UpdatedAt)
}

// Delete removes the user with the ID.
func (r userRepo) Delete(ctx context.Context, id string) error {
	return remove(ctx, r.db, "delete user", &User{}, "id = ?", id)
}

// List returns one page of the users matching f.
func (r userRepo) List(ctx context.Context, f UserFilter, p Page) ([]User, error) {
	q := r.db.WithContext(ctx).Model(&User{})
	if f.Query != "" {
		pat := prefix(f.Query)
		q = q.Where("(username LIKE ? ESCAPE '!' OR phone LIKE ? ESCAPE '!')", pat, pat)
	}
	if f.CompanyID != "" {
		q = q.Where("company_id = ?", f.CompanyID)
	}
	out := []User{}
	if err := list(q, "list users", p, &out); err != nil {
		return nil, err
	}
	return out, nil
}
