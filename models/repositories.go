package models

import (
	"context"
	"errors"
	"time"
)

// Errors every repository returns; backends translate driver errors into them.
var (
	// ErrNotFound means no record has the given key.
	ErrNotFound = errors.New("models: not found")
	// ErrAlreadyExists means a record with the same key or unique field exists.
	ErrAlreadyExists = errors.New("models: already exists")
	// ErrConflict means an update carried a stale Version.
	ErrConflict = errors.New("models: version conflict")
)

// Page selects a window of a listing, ordered by creation time then ID.
type Page struct {
	Offset int
	Limit  int // 0 means 100; capped at 1000
}

// ClientFilter narrows a client listing; zero fields match everything.
type ClientFilter struct {
	NameContains string
	Enabled      *bool
	LegacyAPI    string
}

// Clients stores client registrations.
type Clients interface {
	Create(ctx context.Context, c *Client) error
	Get(ctx context.Context, id string) (*Client, error)
	// Update writes c if c.Version matches the stored one, then increments
	// c.Version; otherwise it returns ErrConflict.
	Update(ctx context.Context, c *Client) error
	Delete(ctx context.Context, id string) error
	List(ctx context.Context, f ClientFilter, p Page) ([]Client, error)
}

// UserFilter narrows a user listing; zero fields match everything.
type UserFilter struct {
	Query     string // matches username or phone by prefix
	CompanyID string
}

// Users stores users. Lookups by username and phone are exact.
type Users interface {
	Create(ctx context.Context, u *User) error
	Get(ctx context.Context, id string) (*User, error)
	GetByUsername(ctx context.Context, username string) (*User, error)
	GetByPhone(ctx context.Context, phone string) (*User, error)
	Update(ctx context.Context, u *User) error // as Clients.Update
	Delete(ctx context.Context, id string) error
	List(ctx context.Context, f UserFilter, p Page) ([]User, error)
}

// Companies stores companies.
type Companies interface {
	Create(ctx context.Context, c *Company) error
	Get(ctx context.Context, id string) (*Company, error)
	Update(ctx context.Context, c *Company) error // as Clients.Update
	Delete(ctx context.Context, id string) error
	List(ctx context.Context, p Page) ([]Company, error)
}

// Identities stores the links between users and third-party accounts.
type Identities interface {
	// Create stores i, setting its ID and, when zero, its CreatedAt. An
	// account (Provider, Subject) linked already is ErrAlreadyExists.
	Create(ctx context.Context, i *Identity) error
	// ListByUser returns the identities of a user, oldest first.
	ListByUser(ctx context.Context, userID string) ([]Identity, error)
	// GetBySubject returns the identity of a provider's account.
	GetBySubject(ctx context.Context, provider, subject string) (*Identity, error)
	Delete(ctx context.Context, id uint64) error
}

// Consents stores what users granted clients.
type Consents interface {
	Get(ctx context.Context, userID, clientID string) (*Consent, error)
	// Save creates or replaces the consent of (UserID, ClientID).
	Save(ctx context.Context, c *Consent) error
	Delete(ctx context.Context, userID, clientID string) error
	// DeleteClient removes every consent given to a client, so that a
	// client registered again under the same ID starts with none.
	DeleteClient(ctx context.Context, clientID string) (int64, error)
}

// SigningKeys stores JWS keys.
type SigningKeys interface {
	Create(ctx context.Context, k *SigningKey) error
	// List returns every stored key, newest first.
	List(ctx context.Context) ([]SigningKey, error)
	// Retire sets RetiredAt and ExpiresAt of a current key.
	Retire(ctx context.Context, id string, retiredAt, expiresAt time.Time) error
	// DeleteExpired removes keys whose ExpiresAt is before now.
	DeleteExpired(ctx context.Context, now time.Time) (int64, error)
}

// Settings stores named provider values.
type Settings interface {
	// GetOrCreate returns the value named name, storing create()'s result
	// first if there is none. Concurrent callers all get the same value.
	GetOrCreate(ctx context.Context, name string, create func() ([]byte, error)) ([]byte, error)
}
