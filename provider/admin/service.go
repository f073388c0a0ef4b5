package admin

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/changes"
	"github.com/tongxing/tongxing/provider/credentials"
	"github.com/tongxing/tongxing/provider/tokens"
)

// KeyRotator rotates signing keys; *keys.Set is one.
type KeyRotator interface {
	Rotate(ctx context.Context, alg string) (*models.SigningKey, error)
}

// Config is what a Service works on.
type Config struct {
	Records *models.Store
	// Tokens is the token store. Nil is allowed for a command line that
	// did not open it: the operations that revoke or list tokens then fail
	// with ErrNoTokenStore and change nothing.
	Tokens  tokens.Store
	Secrets *credentials.SecretHasher
	// Keys rotates signing keys; nil makes RotateKey fail.
	Keys KeyRotator
	// Clock must be the provider's, so a secret's grace period and a
	// sign-out are judged by the time the provider reads them with.
	Clock func() time.Time
	// PasswordParams hash new passwords; zero means the default.
	PasswordParams credentials.PasswordParams
	// Changes tells the instances that cache client and user records of
	// every change to one; nil tells no one, and they see a change when
	// their cache expires.
	Changes changes.Publisher
	// Log receives audit write and change notice failures; nil discards
	// them.
	Log *slog.Logger
}

// ErrNoTokenStore is returned by operations on tokens when the Service was
// built without a token store.
var ErrNoTokenStore = errors.New("admin: this operation needs the token store")

// Service is every administrative operation. Each change is checked,
// written with optimistic locking, announced to the instances that cache
// the record (Config.Changes), carried through to the token store, and
// recorded in the audit log with the actor of its context (WithActor).
type Service struct {
	records  *models.Store
	tokens   tokens.Store
	secrets  *credentials.SecretHasher
	keys     KeyRotator
	clock    func() time.Time
	password credentials.PasswordParams
	changes  changes.Publisher
	log      *slog.Logger
}

// NewService returns a Service; Records and Secrets are required.
func NewService(cfg Config) (*Service, error) {
	if cfg.Records == nil || cfg.Secrets == nil {
		return nil, errors.New("admin: a service needs the records and the secret hasher")
	}
	s := &Service{records: cfg.Records, tokens: cfg.Tokens, secrets: cfg.Secrets, keys: cfg.Keys,
		clock: cfg.Clock, password: cfg.PasswordParams, changes: cfg.Changes, log: cfg.Log}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.password == (credentials.PasswordParams{}) {
		s.password = credentials.DefaultPasswordParams
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return s, nil
}

// now is the clock as records keep it: UTC, to the millisecond.
func (s *Service) now() time.Time { return s.clock().UTC().Truncate(time.Millisecond) }

// tokenStore returns the token store or ErrNoTokenStore; operations call
// it before they change anything.
func (s *Service) tokenStore() (tokens.Store, error) {
	if s.tokens == nil {
		return nil, ErrNoTokenStore
	}
	return s.tokens, nil
}

// Actor is who makes a change, as the audit log records it.
type Actor struct {
	ID     string // the admin client's ID, or "cli:" and the OS user
	Source string // the request's IP address, or "cli"
}

type actorKey struct{}

// WithActor returns ctx carrying the actor of the changes made with it.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// actorOf returns the actor of ctx.
func actorOf(ctx context.Context) Actor {
	a, _ := ctx.Value(actorKey{}).(Actor)
	return a
}

// change is one audit record in the making.
type change struct {
	action, target, detail string
	before, after          any
}

// record appends the change to the audit log. The change is made by then,
// so a failure to record it is logged rather than returned.
func (s *Service) record(ctx context.Context, c change) {
	a := actorOf(ctx)
	e := &models.AuditEvent{Time: s.now(), Actor: a.ID, Source: a.Source, Action: c.action, Target: c.target,
		Detail: c.detail, Before: auditJSON(c.before), After: auditJSON(c.after)}
	if err := s.records.Audit.Append(ctx, e); err != nil {
		s.log.ErrorContext(ctx, "writing the audit log failed", "action", c.action, "target", c.target, "error", err)
	}
}

// announceTimeout bounds the wait for a change notice to be sent.
const announceTimeout = 5 * time.Second

// announce tells the instances that cache records that the record of kind
// and id changed; it is called once the change is written. The change is
// made by then, so a failure is logged rather than returned: instances
// see the change when their cache expires. The notice is sent even when
// the caller has gone: the change was made all the same.
func (s *Service) announce(ctx context.Context, kind changes.Kind, id string) {
	if s.changes == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), announceTimeout)
	defer cancel()
	if err := s.changes.Publish(ctx, changes.Notice{Kind: kind, ID: id}); err != nil {
		s.log.WarnContext(ctx, "telling the instances of a change failed; they see it when their record cache expires",
			"target", string(kind)+":"+id, "error", err)
	}
}

// auditJSON is the document of a record for the audit log; the records'
// representations carry no secret or password hash.
func auditJSON(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// attempts bounds the retries of a change made without a version when
// another writer keeps winning.
const attempts = 3

// retry runs write again after a version conflict when the caller named no
// version (0): the change is then made on the fresh record. A named
// version that is stale stays a conflict.
func retry(version int64, write func() error) error {
	for i := 1; ; i++ {
		err := write()
		if version != 0 || i == attempts || !errors.Is(err, models.ErrConflict) {
			return err
		}
	}
}

// checkVersion is ErrConflict when the caller named a version that is not
// the record's.
func checkVersion(what string, want, have int64) error {
	if want != 0 && want != have {
		return storeError(models.ErrConflict, what)
	}
	return nil
}

// Page selects a window of a listing.
type Page = models.Page

// Listing is one page of a listing.
type Listing[T any] struct {
	Items  []T `json:"items"`
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
	// NextOffset is where the next page starts; absent on the last page.
	NextOffset *int `json:"next_offset,omitempty"`
}

// Listing bounds.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// listing wraps one page of items.
func listing[T any](items []T, p Page) Listing[T] {
	if items == nil {
		items = []T{}
	}
	if p.Limit <= 0 {
		p.Limit = DefaultLimit
	}
	l := Listing[T]{Items: items, Offset: p.Offset, Limit: p.Limit}
	if len(items) == p.Limit {
		next := p.Offset + len(items)
		l.NextOffset = &next
	}
	return l
}

// checkPage refuses a window the listings do not serve.
func checkPage(p Page) error {
	var fe fieldErrors
	if p.Offset < 0 {
		fe.add("offset", "must not be negative")
	}
	if p.Limit < 0 || p.Limit > MaxLimit {
		fe.add("limit", "must be 1 to 1000")
	}
	return fe.err()
}
