package keys

import (
	"errors"
	"log/slog"
	"time"
)

// Options tunes a Set. The zero value is usable: the real clock, keys that
// sign as soon as they are rotated in, a day of token lifetime and a reload
// every minute.
type Options struct {
	// Clock returns the current time; nil means time.Now. Tests inject one
	// to step through a rotation.
	Clock func() time.Time
	// PublishDelay is how long Rotate publishes a new key before it signs.
	// It should exceed ReloadInterval plus the time relying parties cache
	// the JWK Set, or tokens signed by the new key may reach a verifier that
	// has not fetched it yet. The first key of an algorithm (Ensure) signs
	// at once whatever the value.
	PublishDelay time.Duration
	// MaxTokenLifetime is how long a retired key stays in the JWK Set: the
	// longest lifetime of any token the provider signs, so each still
	// verifies until it expires. Zero means 24 hours.
	MaxTokenLifetime time.Duration
	// ReloadInterval is how often Run re-reads the repository. Zero means
	// one minute.
	ReloadInterval time.Duration
	// Logger receives the failures of background reloads; nil means
	// slog.Default().
	Logger *slog.Logger
}

const (
	defaultMaxTokenLifetime = 24 * time.Hour
	defaultReloadInterval   = time.Minute
)

// withDefaults fills unset fields and rejects negative durations, which
// would publish keys after they sign or drop them before their tokens expire.
func (o Options) withDefaults() (Options, error) {
	if o.PublishDelay < 0 || o.MaxTokenLifetime < 0 || o.ReloadInterval < 0 {
		return o, errors.New("keys: negative duration in options")
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.MaxTokenLifetime == 0 {
		o.MaxTokenLifetime = defaultMaxTokenLifetime
	}
	if o.ReloadInterval == 0 {
		o.ReloadInterval = defaultReloadInterval
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o, nil
}
