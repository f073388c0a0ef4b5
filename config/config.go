// Package config is Tongxing's configuration: one typed struct read from an
// optional YAML file and IDP_ environment variables, then validated.
//
// Only this package and the commands parse configuration; everything else
// receives plain values from a Config. Every key has a YAML path such as
// tokens.code_lifetime and an environment variable derived from it
// (IDP_TOKENS_CODE_LIFETIME). Precedence is defaults, then the file, then the
// environment. Unknown keys, in the file or as IDP_ variables, are errors
// rather than silently ignored typos. docs/configuration.md lists every key
// and is checked against the key table by the tests.
package config

import (
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"strings"
	"time"

	// Embedded zone data, so compat.time_zone loads on images without
	// /usr/share/zoneinfo.
	_ "time/tzdata"
)

// Config is the whole configuration. The zero value is not useful; start
// from Default or Load.
type Config struct {
	Addr      string   `yaml:"addr"`
	Issuer    string   `yaml:"issuer"`
	DataDir   string   `yaml:"data_dir"`
	SecretKey string   `yaml:"secret_key"`
	Database  Database `yaml:"database"`
	Redis     Redis    `yaml:"redis"`
	Tokens    Tokens   `yaml:"tokens"`
	Keys      Keys     `yaml:"keys"`
	Session   Session  `yaml:"session"`
	Log       Log      `yaml:"log"`
	Compat    Compat   `yaml:"compat"`
	Debug     Debug    `yaml:"debug"`
}

// Database selects and sizes the relational store: MySQL/MariaDB when DSN is
// set, the embedded SQLite database in DataDir otherwise.
type Database struct {
	DSN          string `yaml:"dsn"`
	MaxOpenConns int    `yaml:"max_open_conns"`
	MaxIdleConns int    `yaml:"max_idle_conns"`
	// CacheTTL is how long an instance reuses a client or user record it
	// read for a token request or check, unless a change notice drops it
	// sooner; zero reads every time.
	CacheTTL time.Duration `yaml:"cache_ttl"`
}

// Redis selects the token store: Redis when Addrs is set (one node, a
// Cluster, or Sentinel when MasterName is set), the embedded store in
// DataDir otherwise.
type Redis struct {
	Addrs      []string `yaml:"addrs"`
	MasterName string   `yaml:"master_name"`
	Username   string   `yaml:"username"`
	Password   string   `yaml:"password"`
	DB         int      `yaml:"db"`
	Prefix     string   `yaml:"prefix"`
}

// Tokens holds the lifetimes of what the token endpoint issues.
type Tokens struct {
	AccessTokenLifetime  time.Duration `yaml:"access_token_lifetime"`
	RefreshTokenLifetime time.Duration `yaml:"refresh_token_lifetime"`
	IDTokenLifetime      time.Duration `yaml:"id_token_lifetime"`
	CodeLifetime         time.Duration `yaml:"code_lifetime"`
}

// Keys governs signing keys: which algorithms have a live key and how new
// keys are rolled out across instances.
type Keys struct {
	Algorithms     []string      `yaml:"algorithms"`
	PublishDelay   time.Duration `yaml:"publish_delay"`
	ReloadInterval time.Duration `yaml:"reload_interval"`
}

// Session configures the login session cookie.
type Session struct {
	Lifetime   time.Duration `yaml:"lifetime"`
	CookieName string        `yaml:"cookie_name"`
}

// Log configures the process logger.
type Log struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
}

// Debug configures diagnostics that are off unless asked for.
type Debug struct {
	// PprofAddr is a loopback host:port for Go's profiling handlers, or
	// empty for none.
	PprofAddr string `yaml:"pprof_addr"`
}

// Compat configures the compatibility endpoints kept for existing
// integrations.
type Compat struct {
	Partner  Partner `yaml:"partner"`
	TimeZone string  `yaml:"time_zone"`
}

// Partner configures the partner compatibility endpoints.
type Partner struct {
	Enabled          bool          `yaml:"enabled"`
	TimestampWindow  time.Duration `yaml:"timestamp_window"`
	AuthCodeLifetime time.Duration `yaml:"auth_code_lifetime"`
}

// Default returns the configuration used for every key that neither the
// file nor the environment sets. It is valid on its own: a development
// instance on :8080 with embedded storage.
func Default() Config {
	return Config{
		Addr:    ":8080",
		Issuer:  "http://localhost:8080",
		DataDir: "data",
		Database: Database{
			MaxOpenConns: 50,
			MaxIdleConns: 25,
			// Change notices make most changes immediate; the TTL bounds
			// the few that bypass them.
			CacheTTL: 5 * time.Second,
		},
		Redis: Redis{
			Prefix: "tx:",
		},
		Tokens: Tokens{
			AccessTokenLifetime:  time.Hour,
			RefreshTokenLifetime: 720 * time.Hour,
			IDTokenLifetime:      time.Hour,
			CodeLifetime:         time.Minute,
		},
		Keys: Keys{
			Algorithms: []string{"RS256", "ES256"},
			// Two reload intervals: every instance has re-read the keys,
			// and so publishes the new one, before any instance signs
			// with it.
			PublishDelay:   2 * time.Minute,
			ReloadInterval: time.Minute,
		},
		Session: Session{
			Lifetime:   24 * time.Hour,
			CookieName: "tongxing_session",
		},
		Log: Log{
			Level:  "info",
			Format: "text",
		},
		Compat: Compat{
			Partner: Partner{
				Enabled:          true,
				TimestampWindow:  5 * time.Minute,
				AuthCodeLifetime: 5 * time.Minute,
			},
			TimeZone: "Asia/Shanghai",
		},
	}
}

// UsesMySQL reports whether records live in MySQL/MariaDB rather than the
// embedded SQLite database.
func (c Config) UsesMySQL() bool { return c.Database.DSN != "" }

// UsesRedis reports whether tokens live in Redis rather than the embedded
// token store.
func (c Config) UsesRedis() bool { return len(c.Redis.Addrs) > 0 }

// Embedded reports whether any state lives in DataDir, that is whether the
// embedded database or the embedded token store is in use. A deployment of
// several instances needs both external backends.
func (c Config) Embedded() bool { return !c.UsesMySQL() || !c.UsesRedis() }

// Location returns the time zone of compat.time_zone. Validate rejects a
// zone that does not load, so for a validated Config this never falls back;
// for an unvalidated one an unknown zone yields UTC. The zone is loaded on
// each call, so callers keep the result.
func (c Config) Location() *time.Location {
	loc, err := loadZone(c.Compat.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// SecretKeyBytes decodes secret_key. It returns nil and no error when the
// key is empty, meaning the key generated once and kept in the database is
// to be used.
func (c Config) SecretKeyBytes() ([]byte, error) {
	if strings.TrimSpace(c.SecretKey) == "" {
		return nil, nil
	}
	return decodeSecretKey(c.SecretKey)
}

// SigningAlgorithm is the algorithm that signs ID tokens for clients that do
// not ask for another: the first of Algorithms.
func (k Keys) SigningAlgorithm() string {
	if len(k.Algorithms) == 0 {
		return ""
	}
	return k.Algorithms[0]
}

// SlogLevel returns Level as a slog.Level; an unknown level (rejected by
// Validate) yields slog.LevelInfo.
func (l Log) SlogLevel() slog.Level {
	switch l.Level {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}

// Handler returns the slog handler Format and Level describe, writing to w.
func (l Log) Handler(w io.Writer) slog.Handler {
	opts := &slog.HandlerOptions{Level: l.SlogLevel()}
	if l.Format == "json" {
		return slog.NewJSONHandler(w, opts)
	}
	return slog.NewTextHandler(w, opts)
}

// minSecretKeyBytes is the shortest secret key accepted: 256 bits, so the
// key is never the weak link of the hashes and cookies it protects.
const minSecretKeyBytes = 32

// decodeSecretKey accepts base64 in the standard or URL alphabet, padded or
// not, and requires minSecretKeyBytes. Errors never include the key.
func decodeSecretKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.URLEncoding,
		base64.RawStdEncoding, base64.RawURLEncoding,
	} {
		b, err := enc.DecodeString(s)
		if err != nil {
			continue
		}
		if len(b) < minSecretKeyBytes {
			return nil, errors.New("must decode to at least 32 bytes (generate one with: openssl rand -base64 32)")
		}
		return b, nil
	}
	return nil, errors.New("is not valid base64 (generate one with: openssl rand -base64 32)")
}

// loadZone loads an IANA zone, refusing the empty name that
// time.LoadLocation would quietly take as UTC.
func loadZone(name string) (*time.Location, error) {
	if name == "" {
		return nil, errors.New("must name an IANA time zone such as Asia/Shanghai or UTC")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, errors.New("unknown time zone " + quote(name) + "; use an IANA name such as Asia/Shanghai or UTC")
	}
	return loc, nil
}
