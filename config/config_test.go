package config

import (
	"encoding/base64"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// custom differs from Default in every key and is valid.
func custom() Config {
	return Config{
		Addr:      "127.0.0.1:9090",
		Issuer:    "https://id.example.com/tenant",
		DataDir:   "/var/lib/tongxing",
		SecretKey: base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef")),
		Database: Database{
			DSN:          "tx:pw@tcp(db:3306)/tongxing?parseTime=true",
			MaxOpenConns: 10,
			MaxIdleConns: 5,
		},
		Redis: Redis{
			Addrs:      []string{"s1:26379", "s2:26379"},
			MasterName: "mymaster",
			Username:   "tx",
			Password:   "secret",
			DB:         3,
			Prefix:     "prod:",
		},
		Tokens: Tokens{
			AccessTokenLifetime:  15 * time.Minute,
			RefreshTokenLifetime: 48 * time.Hour,
			IDTokenLifetime:      30 * time.Minute,
			CodeLifetime:         90 * time.Second,
		},
		Keys: Keys{
			Algorithms:     []string{"ES256"},
			PublishDelay:   10 * time.Minute,
			ReloadInterval: 30 * time.Second,
		},
		Session: Session{
			Lifetime:   8 * time.Hour,
			CookieName: "__Host-tx",
		},
		Log: Log{Level: "debug", Format: "json"},
		Compat: Compat{
			Partner: Partner{
				Enabled:          false,
				TimestampWindow:  time.Minute,
				AuthCodeLifetime: 2 * time.Minute,
			},
			TimeZone: "UTC",
		},
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDefaultsValid(t *testing.T) {
	if err := Default().Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
	if err := custom().Validate(); err != nil {
		t.Fatalf("custom().Validate() = %v", err)
	}
	got, err := Load("", []string{"PATH=/usr/bin", "HOME=/root"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, Default()) {
		t.Errorf("Load with no file and no IDP_ variables = %+v, want Default()", got)
	}
}

func TestLoadFileRoundTrip(t *testing.T) {
	want := custom()
	data, err := yaml.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Load(writeFile(t, string(data)), nil)
	if err != nil {
		t.Fatalf("Load: %v\nfile:\n%s", err, data)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
	}
}

// TestEnvSetsEveryKey sets every key through its variable, in environment
// syntax, and expects exactly the configuration those values describe.
func TestEnvSetsEveryKey(t *testing.T) {
	want := custom()
	var environ []string
	for _, s := range settings() {
		environ = append(environ, EnvName(s.path)+"="+s.field.format(&want))
	}
	got, err := Load("", environ)
	if err != nil {
		t.Fatalf("Load: %v\nenv: %q", err, environ)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("from environment:\n got %+v\nwant %+v", got, want)
	}
}

func TestEnvOverridesFile(t *testing.T) {
	path := writeFile(t, `
addr: ":7000"
issuer: https://file.example.com
redis:
  addrs: [r1:6379]
tokens:
  access_token_lifetime: 10m
  code_lifetime: 30s
`)
	got, err := Load(path, []string{
		"IDP_ADDR=:7001",
		"IDP_TOKENS_CODE_LIFETIME=45s",
		"IDP_REDIS_ADDRS=",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.Addr = ":7001"                                // env over file
	want.Issuer = "https://file.example.com"           // file over default
	want.Tokens.AccessTokenLifetime = 10 * time.Minute // file over default
	want.Tokens.CodeLifetime = 45 * time.Second        // env over file
	want.Redis.Addrs = nil                             // empty env clears the file's list
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestConfigFileSelection(t *testing.T) {
	fromEnv := writeFile(t, "addr: \":7100\"\n")
	explicit := writeFile(t, "addr: \":7200\"\n")
	tests := []struct {
		name     string
		path     string
		environ  []string
		wantAddr string
		wantErr  string
	}{
		{"IDP_CONFIG picks the file", "", []string{"IDP_CONFIG=" + fromEnv}, ":7100", ""},
		{"path argument wins over IDP_CONFIG", explicit, []string{"IDP_CONFIG=" + fromEnv}, ":7200", ""},
		{"no file at all", "", nil, ":8080", ""},
		{"missing file", filepath.Join(t.TempDir(), "nope.yaml"), nil, "", "no such file"},
		{"missing file via IDP_CONFIG", "", []string{"IDP_CONFIG=/nonexistent/tongxing.yaml"}, "", "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Load(tt.path, tt.environ)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Addr != tt.wantAddr {
				t.Errorf("Addr = %q, want %q", got.Addr, tt.wantAddr)
			}
		})
	}
}

func TestYAMLForms(t *testing.T) {
	tests := []struct {
		name  string
		file  string
		check func(t *testing.T, c Config)
	}{
		{"empty file", "", func(t *testing.T, c Config) {
			if !reflect.DeepEqual(c, Default()) {
				t.Errorf("got %+v, want Default()", c)
			}
		}},
		{"comments only", "# nothing yet\n", func(t *testing.T, c Config) {
			if !reflect.DeepEqual(c, Default()) {
				t.Errorf("got %+v, want Default()", c)
			}
		}},
		{"empty section", "tokens:\n", func(t *testing.T, c Config) {
			if c.Tokens != Default().Tokens {
				t.Errorf("Tokens = %+v", c.Tokens)
			}
		}},
		{"list replaces the default", "keys:\n  algorithms: [ES256]\n", func(t *testing.T, c Config) {
			if !reflect.DeepEqual(c.Keys.Algorithms, []string{"ES256"}) {
				t.Errorf("Algorithms = %q", c.Keys.Algorithms)
			}
		}},
		{"block list", "redis:\n  addrs:\n    - a:1\n    - b:2\n", func(t *testing.T, c Config) {
			if !reflect.DeepEqual(c.Redis.Addrs, []string{"a:1", "b:2"}) {
				t.Errorf("Addrs = %q", c.Redis.Addrs)
			}
		}},
		{"alias", "tokens:\n  access_token_lifetime: &life 5m\n  id_token_lifetime: *life\n", func(t *testing.T, c Config) {
			if c.Tokens.AccessTokenLifetime != 5*time.Minute || c.Tokens.IDTokenLifetime != 5*time.Minute {
				t.Errorf("Tokens = %+v", c.Tokens)
			}
		}},
		{"nested partner keys", "compat:\n  partner:\n    enabled: false\n    timestamp_window: 90s\n", func(t *testing.T, c Config) {
			if c.Compat.Partner.Enabled || c.Compat.Partner.TimestampWindow != 90*time.Second {
				t.Errorf("Partner = %+v", c.Compat.Partner)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(writeFile(t, tt.file), nil)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestCommaLists(t *testing.T) {
	tests := []struct {
		env  string
		want []string
	}{
		{"IDP_REDIS_ADDRS=a:6379,b:6379", []string{"a:6379", "b:6379"}},
		{"IDP_REDIS_ADDRS= a:6379 , b:6379 ,", []string{"a:6379", "b:6379"}},
		{"IDP_REDIS_ADDRS=a:6379", []string{"a:6379"}},
		{"IDP_REDIS_ADDRS=", nil},
		{"IDP_REDIS_ADDRS=,", nil},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			c, err := Load("", []string{tt.env})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(c.Redis.Addrs, tt.want) {
				t.Errorf("Addrs = %q, want %q", c.Redis.Addrs, tt.want)
			}
		})
	}
	c, err := Load("", []string{"IDP_KEYS_ALGORITHMS=ES256,RS256"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Keys.Algorithms, []string{"ES256", "RS256"}) || c.Keys.SigningAlgorithm() != "ES256" {
		t.Errorf("Algorithms = %q, signing %q", c.Keys.Algorithms, c.Keys.SigningAlgorithm())
	}
}

// TestLoadErrors covers problems found while reading, before validation:
// each message must name what to fix.
func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name    string
		file    string // "" means no file
		environ []string
		want    []string
		notWant []string
	}{
		{
			name: "unknown YAML keys are named with their path and line",
			file: "addr: \":8080\"\ntokens:\n  acess_token_lifetime: 1h\nfoo: 1\n",
			want: []string{":3: unknown key tokens.acess_token_lifetime", ":4: unknown key foo"},
		},
		{
			name: "unknown nested section",
			file: "compat:\n  partnr:\n    enabled: true\n",
			want: []string{":2: unknown key compat.partnr"},
		},
		{
			name: "section given a scalar",
			file: "tokens: 1h\n",
			want: []string{"tokens must be a mapping"},
		},
		{
			name: "key given a mapping",
			file: "addr:\n  host: x\n",
			want: []string{"addr (IDP_ADDR): want a string, got a mapping"},
		},
		{
			name: "bad duration in YAML",
			file: "tokens:\n  code_lifetime: soon\n",
			want: []string{`:2: tokens.code_lifetime (IDP_TOKENS_CODE_LIFETIME): want a duration such as 90s or 1h, got "soon"`},
		},
		{
			name: "bare number is not a duration",
			file: "tokens:\n  code_lifetime: 60\n",
			want: []string{`tokens.code_lifetime (IDP_TOKENS_CODE_LIFETIME): want a duration`},
		},
		{
			name: "bad integer in YAML",
			file: "database:\n  max_open_conns: many\n",
			want: []string{`database.max_open_conns (IDP_DATABASE_MAX_OPEN_CONNS): want an integer, got "many"`},
		},
		{
			name: "top level not a mapping",
			file: "- addr\n",
			want: []string{"top level must be a mapping"},
		},
		{
			name: "two documents",
			file: "addr: \":1\"\n---\naddr: \":2\"\n",
			want: []string{"single YAML document"},
		},
		{
			name:    "bad duration in env",
			environ: []string{"IDP_TOKENS_CODE_LIFETIME=abc"},
			want:    []string{`tokens.code_lifetime (IDP_TOKENS_CODE_LIFETIME): want a duration such as 90s or 1h, got "abc"`},
		},
		{
			name:    "bad boolean in env",
			environ: []string{"IDP_COMPAT_PARTNER_ENABLED=maybe"},
			want:    []string{`compat.partner.enabled (IDP_COMPAT_PARTNER_ENABLED): want true or false, got "maybe"`},
		},
		{
			name:    "bad integer in env",
			environ: []string{"IDP_REDIS_DB=one"},
			want:    []string{`redis.db (IDP_REDIS_DB): want an integer, got "one"`},
		},
		{
			name:    "unknown IDP_ variables are named",
			environ: []string{"IDP_TOKEN_LIFETIME=1h", "IDP_ADRR=:80", "IDP_TEST_MYSQL_DSN=x", "IDP_CONFIG=", "OTHER=1"},
			want:    []string{"IDP_TOKEN_LIFETIME: no configuration key", "IDP_ADRR: no configuration key"},
			notWant: []string{"IDP_TEST_MYSQL_DSN", "IDP_CONFIG", "OTHER"},
		},
		{
			name:    "file and env problems are reported together",
			file:    "bogus: 1\n",
			environ: []string{"IDP_BOGUS=1"},
			want:    []string{"unknown key bogus", "IDP_BOGUS: no configuration key"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.file != "" {
				path = writeFile(t, tt.file)
			}
			_, err := Load(path, tt.environ)
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(err.Error(), w) {
					t.Errorf("error mentions %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestValidateNamesKey(t *testing.T) {
	tests := []struct {
		key    string
		mutate func(c *Config)
		want   string
	}{
		{"addr", func(c *Config) { c.Addr = "8080" }, "want host:port"},
		{"addr", func(c *Config) { c.Addr = ":http" }, "must be a number"},
		{"issuer", func(c *Config) { c.Issuer = "localhost:8080" }, "absolute http(s) URL"},
		{"issuer", func(c *Config) { c.Issuer = "ftp://id.example.com" }, "scheme must be http or https"},
		{"issuer", func(c *Config) { c.Issuer = "https://id.example.com/" }, "must not end with a slash"},
		{"issuer", func(c *Config) { c.Issuer = "https://id.example.com?x=1" }, "must not have a query"},
		{"issuer", func(c *Config) { c.Issuer = "https://id.example.com#top" }, "must not have a fragment"},
		{"issuer", func(c *Config) { c.Issuer = "https://u:p@id.example.com" }, "user information"},
		{"data_dir", func(c *Config) { c.DataDir = "" }, "must be set"},
		{"secret_key", func(c *Config) { c.SecretKey = "not base64!" }, "not valid base64"},
		{"secret_key", func(c *Config) { c.SecretKey = base64.StdEncoding.EncodeToString(make([]byte, 16)) }, "at least 32 bytes"},
		{"database.dsn", func(c *Config) { c.Database.DSN = "root:pw@tcp(db:3306" }, "not a valid MySQL DSN"},
		{"database.max_open_conns", func(c *Config) { c.Database.MaxOpenConns = 0 }, "at least 1"},
		{"database.max_idle_conns", func(c *Config) { c.Database.MaxIdleConns = -1 }, "at least 0"},
		{"database.max_idle_conns", func(c *Config) { c.Database.MaxIdleConns = 60 }, "must not exceed database.max_open_conns"},
		{"redis.addrs", func(c *Config) { c.Redis.Addrs = []string{"redis"} }, "want host:port"},
		{"redis.addrs", func(c *Config) { c.Redis.Addrs = []string{":6379"} }, "with a host"},
		{"redis.master_name", func(c *Config) { c.Redis.MasterName = "mymaster" }, "needs redis.addrs"},
		{"redis.db", func(c *Config) { c.Redis.DB = -1 }, "at least 0"},
		{"redis.db", func(c *Config) { c.Redis.Addrs = []string{"a:1", "b:1"}; c.Redis.DB = 2 }, "Redis Cluster"},
		{"tokens.access_token_lifetime", func(c *Config) { c.Tokens.AccessTokenLifetime = 0 }, "must be between 1s and 24h"},
		{"tokens.refresh_token_lifetime", func(c *Config) { c.Tokens.RefreshTokenLifetime = -time.Hour }, "must be between"},
		{"tokens.id_token_lifetime", func(c *Config) { c.Tokens.IDTokenLifetime = 48 * time.Hour }, "must be between 1s and 24h"},
		{"tokens.code_lifetime", func(c *Config) { c.Tokens.CodeLifetime = 11 * time.Minute }, "must be between 1s and 10m, got 11m"},
		{"keys.algorithms", func(c *Config) { c.Keys.Algorithms = nil }, "at least one"},
		{"keys.algorithms", func(c *Config) { c.Keys.Algorithms = []string{"HS256"} }, `unsupported algorithm "HS256"`},
		{"keys.algorithms", func(c *Config) { c.Keys.Algorithms = []string{"ES256", "ES256"} }, "twice"},
		{"keys.publish_delay", func(c *Config) { c.Keys.PublishDelay = -time.Second }, "must be between 0s and 24h"},
		{"keys.reload_interval", func(c *Config) { c.Keys.ReloadInterval = 0 }, "must be between 1s and 1h"},
		{"session.lifetime", func(c *Config) { c.Session.Lifetime = 0 }, "must be between"},
		{"session.cookie_name", func(c *Config) { c.Session.CookieName = "" }, "must not be empty"},
		{"session.cookie_name", func(c *Config) { c.Session.CookieName = "my session" }, "not a valid cookie name"},
		{"session.cookie_name", func(c *Config) { c.Session.CookieName = "__Host-sid" }, "needs an https issuer"},
		{"log.level", func(c *Config) { c.Log.Level = "verbose" }, "must be one of debug, info, warn, error"},
		{"log.format", func(c *Config) { c.Log.Format = "xml" }, "must be one of text, json"},
		{"compat.partner.timestamp_window", func(c *Config) { c.Compat.Partner.TimestampWindow = 0 }, "must be between"},
		{"compat.partner.auth_code_lifetime", func(c *Config) { c.Compat.Partner.AuthCodeLifetime = time.Hour }, "must be between 1s and 10m"},
		{"compat.time_zone", func(c *Config) { c.Compat.TimeZone = "Mars/Olympus" }, "unknown time zone"},
		{"compat.time_zone", func(c *Config) { c.Compat.TimeZone = "" }, "must name an IANA time zone"},
		{"debug.pprof_addr", func(c *Config) { c.Debug.PprofAddr = ":6060" }, "with a host"},
		{"debug.pprof_addr", func(c *Config) { c.Debug.PprofAddr = "0.0.0.0:6060" }, "must be a loopback address"},
		{"debug.pprof_addr", func(c *Config) { c.Debug.PprofAddr = "example.com:6060" }, "must be a loopback address"},
		{"debug.pprof_addr", func(c *Config) { c.Debug.PprofAddr = "localhost" }, "want host:port"},
	}
	for _, tt := range tests {
		t.Run(tt.key+"/"+tt.want, func(t *testing.T) {
			c := Default()
			tt.mutate(&c)
			err := c.Validate()
			if err == nil {
				t.Fatal("Validate() = nil, want an error")
			}
			prefix := tt.key + " (" + EnvName(tt.key) + "): "
			if !strings.Contains(err.Error(), prefix) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate() = %v\nwant %q ... %q", err, prefix, tt.want)
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Key != tt.key {
				t.Errorf("errors.As FieldError: %v, key %q", fe, tt.key)
			}
			if strings.Count(err.Error(), "\n") != 0 {
				t.Errorf("one change should give one problem, got:\n%v", err)
			}
		})
	}
}

func TestPprofAddrAcceptsLoopback(t *testing.T) {
	for _, addr := range []string{"", "127.0.0.1:6060", "127.0.0.2:0", "[::1]:6060", "localhost:6060"} {
		c := Default()
		c.Debug.PprofAddr = addr
		if err := c.Validate(); err != nil {
			t.Errorf("debug.pprof_addr %q: %v", addr, err)
		}
	}
}

func TestValidateReportsEverything(t *testing.T) {
	c := Default()
	c.Addr = "nope"
	c.Tokens.CodeLifetime = time.Hour
	c.Log.Level = "loud"
	err := c.Validate()
	for _, key := range []string{"addr", "tokens.code_lifetime", "log.level"} {
		if err == nil || !strings.Contains(err.Error(), key+" ("+EnvName(key)+")") {
			t.Errorf("error does not name %s: %v", key, err)
		}
	}
	// Load reports validation problems from the environment the same way.
	_, err = Load("", []string{"IDP_TOKENS_CODE_LIFETIME=1h"})
	if err == nil || !strings.Contains(err.Error(), "tokens.code_lifetime (IDP_TOKENS_CODE_LIFETIME): must be between 1s and 10m") {
		t.Errorf("Load error = %v", err)
	}
}

// TestSecretsNotEchoed keeps secrets out of error messages, which end up in
// logs.
func TestSecretsNotEchoed(t *testing.T) {
	c := Default()
	c.SecretKey = "c2hvcnQtc2VjcmV0"
	c.Database.DSN = "root:hunter2@tcp(db:3306"
	err := c.Validate()
	if err == nil {
		t.Fatal("want errors")
	}
	for _, secret := range []string{"c2hvcnQtc2VjcmV0", "hunter2"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error echoes %q: %v", secret, err)
		}
	}
}

// TestKeyTableMatchesStruct ties the key table to the yaml tags: every
// leaf field has exactly one key whose path is its tag path and whose
// binding points at that field.
func TestKeyTableMatchesStruct(t *testing.T) {
	var c Config
	byPath := make(map[string]setting)
	envs := make(map[string]string)
	for _, s := range settings() {
		if _, dup := byPath[s.path]; dup {
			t.Errorf("key %s listed twice", s.path)
		}
		byPath[s.path] = s
		if other, dup := envs[EnvName(s.path)]; dup {
			t.Errorf("%s and %s share %s", other, s.path, EnvName(s.path))
		}
		envs[EnvName(s.path)] = s.path
	}
	seen := make(map[string]bool)
	var walk func(v reflect.Value, prefix string)
	walk = func(v reflect.Value, prefix string) {
		for i := range v.NumField() {
			f := v.Type().Field(i)
			tag := f.Tag.Get("yaml")
			if tag == "" {
				t.Errorf("%s.%s has no yaml tag", v.Type(), f.Name)
				continue
			}
			path := tag
			if prefix != "" {
				path = prefix + "." + tag
			}
			fv := v.Field(i)
			if fv.Kind() == reflect.Struct && fv.Type() != reflect.TypeFor[time.Duration]() {
				walk(fv, path)
				continue
			}
			seen[path] = true
			s, ok := byPath[path]
			if !ok {
				t.Errorf("field %s (yaml %s) has no key in the table", f.Name, path)
				continue
			}
			// Binding check: setting the field through reflection must
			// change what the key formats.
			before := s.field.format(&c)
			old := reflect.New(fv.Type()).Elem()
			old.Set(fv)
			switch fv.Kind() {
			case reflect.String:
				fv.SetString("probe-value")
			case reflect.Int, reflect.Int64:
				fv.SetInt(fv.Int() + 7)
			case reflect.Bool:
				fv.SetBool(!fv.Bool())
			case reflect.Slice:
				fv.Set(reflect.ValueOf([]string{"probe-value"}))
			default:
				t.Fatalf("field %s: unexpected kind %s", path, fv.Kind())
			}
			if s.field.format(&c) == before {
				t.Errorf("key %s is not bound to field %s", path, f.Name)
			}
			fv.Set(old)
		}
	}
	walk(reflect.ValueOf(&c).Elem(), "")
	for path := range byPath {
		if !seen[path] {
			t.Errorf("key %s matches no yaml field", path)
		}
	}
}

func TestHelpers(t *testing.T) {
	d := Default()
	if d.UsesMySQL() || d.UsesRedis() || !d.Embedded() {
		t.Errorf("Default: UsesMySQL %v UsesRedis %v Embedded %v", d.UsesMySQL(), d.UsesRedis(), d.Embedded())
	}
	c := custom()
	if !c.UsesMySQL() || !c.UsesRedis() || c.Embedded() {
		t.Errorf("custom: UsesMySQL %v UsesRedis %v Embedded %v", c.UsesMySQL(), c.UsesRedis(), c.Embedded())
	}
	if got := d.Location().String(); got != "Asia/Shanghai" {
		t.Errorf("Location = %s", got)
	}
	if _, off := time.Date(2024, 1, 1, 0, 0, 0, 0, d.Location()).Zone(); off != 8*3600 {
		t.Errorf("Asia/Shanghai offset = %d", off)
	}
	bad := d
	bad.Compat.TimeZone = "Nowhere/Else"
	if bad.Location() != time.UTC {
		t.Errorf("unknown zone should fall back to UTC")
	}

	if k, err := d.SecretKeyBytes(); k != nil || err != nil {
		t.Errorf("empty secret: %v, %v", k, err)
	}
	raw := []byte("0123456789abcdef0123456789abcdef\xff\xfe")
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		c := d
		c.SecretKey = enc.EncodeToString(raw)
		k, err := c.SecretKeyBytes()
		if err != nil || string(k) != string(raw) {
			t.Errorf("secret %q: %x, %v", c.SecretKey, k, err)
		}
		if err := c.Validate(); err != nil {
			t.Errorf("secret %q: %v", c.SecretKey, err)
		}
	}

	if d.Keys.SigningAlgorithm() != "RS256" || (Keys{}).SigningAlgorithm() != "" {
		t.Errorf("SigningAlgorithm")
	}
	for level, want := range map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError} {
		if got := (Log{Level: level}).SlogLevel(); got != want {
			t.Errorf("SlogLevel(%s) = %v", level, got)
		}
	}
	var b strings.Builder
	slog.New(Log{Level: "warn", Format: "json"}.Handler(&b)).Info("hidden")
	slog.New(Log{Level: "warn", Format: "json"}.Handler(&b)).Warn("shown")
	if out := b.String(); strings.Contains(out, "hidden") || !strings.HasPrefix(out, `{"time":`) {
		t.Errorf("json handler output %q", out)
	}
}

func TestSettingsDescribeDefaults(t *testing.T) {
	want := map[string]string{
		"IDP_ADDR":                          ":8080",
		"IDP_ISSUER":                        "http://localhost:8080",
		"IDP_DATA_DIR":                      "data",
		"IDP_DATABASE_DSN":                  "",
		"IDP_REDIS_ADDRS":                   "",
		"IDP_REDIS_PREFIX":                  "tx:",
		"IDP_TOKENS_REFRESH_TOKEN_LIFETIME": "720h",
		"IDP_TOKENS_CODE_LIFETIME":          "1m",
		"IDP_KEYS_ALGORITHMS":               "RS256,ES256",
		"IDP_KEYS_PUBLISH_DELAY":            "2m",
		"IDP_COMPAT_PARTNER_ENABLED":        "true",
		"IDP_COMPAT_TIME_ZONE":              "Asia/Shanghai",
	}
	got := make(map[string]Setting)
	for _, s := range Settings() {
		got[s.Env] = s
		if s.Doc == "" {
			t.Errorf("%s has no documentation", s.Path)
		}
	}
	for env, def := range want {
		if s, ok := got[env]; !ok || s.Default != def {
			t.Errorf("%s default = %q (present %v), want %q", env, s.Default, ok, def)
		}
	}
	for _, env := range []string{"IDP_SECRET_KEY", "IDP_DATABASE_DSN", "IDP_REDIS_PASSWORD"} {
		if !got[env].Secret {
			t.Errorf("%s should be marked secret", env)
		}
	}
}
