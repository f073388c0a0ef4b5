package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Setting describes one configuration key for help output and
// documentation.
type Setting struct {
	Path    string // YAML path, e.g. "tokens.code_lifetime"
	Env     string // environment variable, e.g. "IDP_TOKENS_CODE_LIFETIME"
	Type    string // "string", "integer", "boolean", "duration" or "list"
	Default string // default in environment syntax; "" when empty
	Doc     string // one-paragraph meaning
	Secret  bool   // value must not be printed
}

// Settings lists every configuration key in documentation order.
func Settings() []Setting {
	def := Default()
	keys := settings()
	out := make([]Setting, len(keys))
	for i, k := range keys {
		out[i] = Setting{
			Path:    k.path,
			Env:     EnvName(k.path),
			Type:    k.field.typeName(),
			Default: k.field.format(&def),
			Doc:     k.doc,
			Secret:  k.secret,
		}
	}
	return out
}

// EnvName returns the environment variable of a YAML path: IDP_ followed by
// the path upper-cased with dots turned into underscores.
func EnvName(path string) string {
	return "IDP_" + strings.ToUpper(strings.ReplaceAll(path, ".", "_"))
}

// setting is one row of the key table. The table is the single place a key
// is named besides its yaml struct tag: environment parsing, YAML checking,
// validation messages and the documentation all derive from it.
type setting struct {
	path   string
	doc    string
	secret bool
	field  field
	// rule checks the key against others; its error is reported under
	// this key. Optional.
	rule func(c Config) error
}

// field binds a setting to its Config field and knows the field's type.
type field interface {
	typeName() string
	// format renders the value in environment syntax.
	format(c *Config) string
	// set parses an environment value into the field.
	set(c *Config, s string) error
	// probe reports whether a YAML node decodes as the field's type, with
	// a message naming the expected form.
	probe(n *yaml.Node) error
	// check applies the field's own validation rules.
	check(c *Config) error
}

// typed implements field for one Go type.
type typed[T any] struct {
	name   string
	want   string // expected form, for error messages
	get    func(*Config) *T
	parse  func(string) (T, error)
	render func(T) string
	checks []func(T) error
}

func (f typed[T]) typeName() string        { return f.name }
func (f typed[T]) format(c *Config) string { return f.render(*f.get(c)) }

func (f typed[T]) set(c *Config, s string) error {
	v, err := f.parse(s)
	if err != nil {
		return fmt.Errorf("want %s, got %s", f.want, quote(s))
	}
	*f.get(c) = v
	return nil
}

func (f typed[T]) probe(n *yaml.Node) error {
	var v T
	if err := n.Decode(&v); err == nil {
		return nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		return fmt.Errorf("want %s, got a mapping", f.want)
	case yaml.SequenceNode:
		return fmt.Errorf("want %s, got a list", f.want)
	}
	return fmt.Errorf("want %s, got %s", f.want, quote(n.Value))
}

func (f typed[T]) check(c *Config) error {
	v := *f.get(c)
	for _, chk := range f.checks {
		if err := chk(v); err != nil {
			return err
		}
	}
	return nil
}

func stringField(get func(*Config) *string, checks ...func(string) error) field {
	return typed[string]{
		name: "string", want: "a string", get: get, checks: checks,
		parse:  func(s string) (string, error) { return s, nil },
		render: func(v string) string { return v },
	}
}

func intField(get func(*Config) *int, checks ...func(int) error) field {
	return typed[int]{
		name: "integer", want: "an integer", get: get, checks: checks,
		parse:  func(s string) (int, error) { return strconv.Atoi(strings.TrimSpace(s)) },
		render: strconv.Itoa,
	}
}

func boolField(get func(*Config) *bool) field {
	return typed[bool]{
		name: "boolean", want: "true or false", get: get,
		parse:  func(s string) (bool, error) { return strconv.ParseBool(strings.TrimSpace(s)) },
		render: strconv.FormatBool,
	}
}

func durationField(get func(*Config) *time.Duration, checks ...func(time.Duration) error) field {
	return typed[time.Duration]{
		name: "duration", want: "a duration such as 90s or 1h", get: get, checks: checks,
		parse:  func(s string) (time.Duration, error) { return time.ParseDuration(strings.TrimSpace(s)) },
		render: formatDuration,
	}
}

// listField is a list of strings: a YAML sequence, or comma-separated in
// the environment with blanks around items ignored.
func listField(get func(*Config) *[]string, checks ...func([]string) error) field {
	return typed[[]string]{
		name: "list", want: "a list of strings", get: get, checks: checks,
		parse:  func(s string) ([]string, error) { return splitList(s), nil },
		render: func(v []string) string { return strings.Join(v, ",") },
	}
}

func splitList(s string) []string {
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// formatDuration writes whole hours, minutes or seconds the way people
// write them ("720h", "2m", "0s") instead of time.Duration's "720h0m0s".
func formatDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0s"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	case d%time.Second == 0:
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	return d.String()
}

// quote quotes a value for an error message.
func quote(s string) string { return strconv.Quote(s) }

// settings is the key table, in documentation order. It is built on each
// call so that no package state is shared or mutable.
func settings() []setting {
	return []setting{
		{
			path:  "addr",
			doc:   "Address the HTTP server listens on, as host:port. An empty host listens on every interface.",
			field: stringField(func(c *Config) *string { return &c.Addr }, hostPort(false)),
		},
		{
			path: "issuer",
			doc: "Issuer identifier: the absolute http(s) URL relying parties reach the provider at, with no query, " +
				"fragment or trailing slash. It is the `iss` of every token and the base of the discovery document, " +
				"so changing it invalidates issued tokens.",
			field: stringField(func(c *Config) *string { return &c.Issuer }, issuerURL),
		},
		{
			path:  "data_dir",
			doc:   "Directory of the embedded SQLite database and the embedded token store. Needed only while one of them is in use.",
			field: stringField(func(c *Config) *string { return &c.DataDir }),
			rule: func(c Config) error {
				if c.Embedded() && strings.TrimSpace(c.DataDir) == "" {
					return errors.New("must be set while the embedded database or token store is in use")
				}
				return nil
			},
		},
		{
			path: "secret_key",
			doc: "Base64 (standard or URL alphabet) of at least 32 random bytes; keys client secret hashes and cookies. " +
				"Empty means a key generated on first start and kept in the database, shared by every instance. " +
				"Changing it invalidates every client secret and session.",
			secret: true,
			field: stringField(func(c *Config) *string { return &c.SecretKey }, func(s string) error {
				if strings.TrimSpace(s) == "" {
					return nil
				}
				_, err := decodeSecretKey(s)
				return err
			}),
		},
		{
			path: "database.dsn",
			doc: "MySQL/MariaDB data source name in go-sql-driver syntax, e.g. " +
				"`user:pass@tcp(db:3306)/tongxing?parseTime=true&charset=utf8mb4`. Empty selects the embedded SQLite database in `data_dir`.",
			secret: true,
			field:  stringField(func(c *Config) *string { return &c.Database.DSN }, mysqlDSN),
		},
		{
			path:  "database.max_open_conns",
			doc:   "Most connections open to MySQL at once.",
			field: intField(func(c *Config) *int { return &c.Database.MaxOpenConns }, atLeast(1)),
		},
		{
			path:  "database.max_idle_conns",
			doc:   "Most idle connections kept to MySQL; at most `database.max_open_conns`.",
			field: intField(func(c *Config) *int { return &c.Database.MaxIdleConns }, atLeast(0)),
			rule: func(c Config) error {
				if c.Database.MaxOpenConns >= 1 && c.Database.MaxIdleConns > c.Database.MaxOpenConns {
					return fmt.Errorf("must not exceed database.max_open_conns (%d)", c.Database.MaxOpenConns)
				}
				return nil
			},
		},
		{
			path: "database.cache_ttl",
			doc: "How long an instance reuses a client or user record it read for a token request or a token check, " +
				"instead of reading it again; `0s` reads every time. It takes most database reads off the token " +
				"endpoint, introspection and userinfo. Most changes are seen at once all the same: a change made " +
				"through the admin API, or through the CLI when Redis is configured, is announced to every server " +
				"(in-process, or on the Redis channel `<redis.prefix>changes`), which drops the record; token " +
				"revocation never depends on the cache; and a failed client authentication reads the record afresh, " +
				"so a new client or secret works at once. A change reaches an instance only within this time when no " +
				"notice carries it: an edit made directly in the database; a CLI change on the embedded backend while " +
				"a server runs (the server is another process, which the CLI cannot reach); a CLI change whose notice " +
				"could not be sent (the CLI warns); a notice lost while an instance's connection to Redis was down " +
				"(the instance drops its whole cache when it reconnects, so only changes made during the outage " +
				"wait). Until then a replaced client secret, or a disabled client or user, may still obtain tokens at " +
				"that instance.",
			field: durationField(func(c *Config) *time.Duration { return &c.Database.CacheTTL }, between(0, time.Minute)),
		},
		{
			path: "redis.addrs",
			doc: "Redis addresses as host:port: one address is a single node, several a Cluster; with " +
				"`redis.master_name` they are the Sentinels. Empty selects the embedded token store in `data_dir`.",
			field: listField(func(c *Config) *[]string { return &c.Redis.Addrs }, eachHostPort),
		},
		{
			path:  "redis.master_name",
			doc:   "Sentinel master name. Setting it selects Sentinel, with `redis.addrs` listing the Sentinels.",
			field: stringField(func(c *Config) *string { return &c.Redis.MasterName }),
			rule: func(c Config) error {
				if c.Redis.MasterName != "" && !c.UsesRedis() {
					return errors.New("needs redis.addrs (IDP_REDIS_ADDRS) listing the Sentinels")
				}
				return nil
			},
		},
		{
			path:  "redis.username",
			doc:   "Redis ACL user name.",
			field: stringField(func(c *Config) *string { return &c.Redis.Username }),
		},
		{
			path:   "redis.password",
			doc:    "Redis password.",
			secret: true,
			field:  stringField(func(c *Config) *string { return &c.Redis.Password }),
		},
		{
			path:  "redis.db",
			doc:   "Redis database number. A Cluster has only database 0.",
			field: intField(func(c *Config) *int { return &c.Redis.DB }, atLeast(0)),
			rule: func(c Config) error {
				if c.Redis.DB != 0 && len(c.Redis.Addrs) > 1 && c.Redis.MasterName == "" {
					return errors.New("must be 0 with a Redis Cluster (several redis.addrs and no redis.master_name)")
				}
				return nil
			},
		},
		{
			path:  "redis.prefix",
			doc:   "Prefix of every Redis key, and of the channel of record change notices, so that several deployments can share one Redis.",
			field: stringField(func(c *Config) *string { return &c.Redis.Prefix }),
		},
		{
			path:  "tokens.access_token_lifetime",
			doc:   "Lifetime of access tokens.",
			field: durationField(func(c *Config) *time.Duration { return &c.Tokens.AccessTokenLifetime }, between(time.Second, 24*time.Hour)),
		},
		{
			path:  "tokens.refresh_token_lifetime",
			doc:   "Lifetime of refresh tokens.",
			field: durationField(func(c *Config) *time.Duration { return &c.Tokens.RefreshTokenLifetime }, between(time.Second, 8760*time.Hour)),
		},
		{
			path:  "tokens.id_token_lifetime",
			doc:   "Lifetime of ID tokens (their `exp` claim).",
			field: durationField(func(c *Config) *time.Duration { return &c.Tokens.IDTokenLifetime }, between(time.Second, 24*time.Hour)),
		},
		{
			path:  "tokens.code_lifetime",
			doc:   "Lifetime of authorization codes; at most 10m, as RFC 6749 §4.1.2 recommends.",
			field: durationField(func(c *Config) *time.Duration { return &c.Tokens.CodeLifetime }, between(time.Second, 10*time.Minute)),
		},
		{
			path: "keys.algorithms",
			doc: "Signing algorithms kept with a live key, from RS256 and ES256. The first signs ID tokens " +
				"for clients that do not ask for another.",
			field: listField(func(c *Config) *[]string { return &c.Keys.Algorithms }, algorithms),
		},
		{
			path: "keys.publish_delay",
			doc: "How long a new signing key is published in the JWKS before it signs anything. The default, " +
				"two reload intervals, lets every instance serve the key before any instance signs with it; " +
				"0 suits a single instance.",
			field: durationField(func(c *Config) *time.Duration { return &c.Keys.PublishDelay }, between(0, 24*time.Hour)),
		},
		{
			path:  "keys.reload_interval",
			doc:   "How often each instance re-reads the signing keys from the database.",
			field: durationField(func(c *Config) *time.Duration { return &c.Keys.ReloadInterval }, between(time.Second, time.Hour)),
		},
		{
			path:  "session.lifetime",
			doc:   "Lifetime of a login session and its cookie.",
			field: durationField(func(c *Config) *time.Duration { return &c.Session.Lifetime }, between(time.Second, 8760*time.Hour)),
		},
		{
			path:  "session.cookie_name",
			doc:   "Name of the login session cookie. Names starting `__Host-` or `__Secure-` need an https issuer.",
			field: stringField(func(c *Config) *string { return &c.Session.CookieName }, cookieName),
			rule: func(c Config) error {
				n := c.Session.CookieName
				if (strings.HasPrefix(n, "__Host-") || strings.HasPrefix(n, "__Secure-")) && !strings.HasPrefix(c.Issuer, "https://") {
					return errors.New("a __Host- or __Secure- cookie needs an https issuer")
				}
				return nil
			},
		},
		{
			path:  "log.level",
			doc:   "Least severe level logged: debug, info, warn or error.",
			field: stringField(func(c *Config) *string { return &c.Log.Level }, oneOf("debug", "info", "warn", "error")),
		},
		{
			path:  "log.format",
			doc:   "Log line format: text (logfmt-style) or json.",
			field: stringField(func(c *Config) *string { return &c.Log.Format }, oneOf("text", "json")),
		},
		{
			path:  "compat.partner.enabled",
			doc:   "Serve the partner compatibility endpoints.",
			field: boolField(func(c *Config) *bool { return &c.Compat.Partner.Enabled }),
		},
		{
			path:  "compat.partner.timestamp_window",
			doc:   "Largest difference accepted between a signed partner request's timestamp and the server clock.",
			field: durationField(func(c *Config) *time.Duration { return &c.Compat.Partner.TimestampWindow }, between(time.Second, time.Hour)),
		},
		{
			path:  "compat.partner.auth_code_lifetime",
			doc:   "Lifetime of authorization codes issued through the partner endpoints; at most 10m, like `tokens.code_lifetime`.",
			field: durationField(func(c *Config) *time.Duration { return &c.Compat.Partner.AuthCodeLifetime }, between(time.Second, 10*time.Minute)),
		},
		{
			path:  "compat.time_zone",
			doc:   "IANA time zone the compatibility endpoints read and write local times in.",
			field: stringField(func(c *Config) *string { return &c.Compat.TimeZone }, func(s string) error { _, err := loadZone(s); return err }),
		},
		{
			path: "debug.pprof_addr",
			doc: "Loopback address (`127.0.0.1:6060`, `[::1]:6060` or `localhost:6060`) on which to serve Go's profiling " +
				"handlers (`/debug/pprof/`: CPU, heap, allocation, goroutine profiles) on a listener of their own; empty " +
				"(the default) serves none. Only loopback hosts are accepted: profiles reveal the process's command line, " +
				"code paths and memory layout, and the handlers have no authentication. Reach them from elsewhere through an " +
				"SSH tunnel.",
			field: stringField(func(c *Config) *string { return &c.Debug.PprofAddr }, loopbackHostPort),
		},
	}
}
