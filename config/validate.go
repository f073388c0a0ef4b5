package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// FieldError is a problem with one key. Its message names the key both by
// its YAML path and by its environment variable, since either may be where
// the value came from.
type FieldError struct {
	Key string // YAML path
	Err error
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%s (%s): %v", e.Key, EnvName(e.Key), e.Err)
}

func (e *FieldError) Unwrap() error { return e.Err }

// Validate checks every key and returns all problems at once, joined, each
// a *FieldError, so that one run of the server reports everything to fix.
func (c Config) Validate() error {
	var errs []error
	for _, s := range settings() {
		if err := s.field.check(&c); err != nil {
			errs = append(errs, &FieldError{Key: s.path, Err: err})
		}
		if s.rule != nil {
			if err := s.rule(c); err != nil {
				errs = append(errs, &FieldError{Key: s.path, Err: err})
			}
		}
	}
	return errors.Join(errs...)
}

// hostPort accepts host:port with a numeric port; the host may be empty
// unless needHost.
func hostPort(needHost bool) func(string) error {
	return func(s string) error {
		host, port, err := net.SplitHostPort(s)
		if err != nil {
			return fmt.Errorf("want host:port such as :8080, got %s", quote(s))
		}
		if needHost && host == "" {
			return fmt.Errorf("want host:port with a host, got %s", quote(s))
		}
		if _, err := strconv.ParseUint(port, 10, 16); err != nil {
			return fmt.Errorf("port of %s must be a number from 0 to 65535", quote(s))
		}
		return nil
	}
}

// loopbackHostPort accepts an empty string or a host:port whose host is a
// loopback name or address, for listeners that must not be reachable from
// the network.
func loopbackHostPort(s string) error {
	if s == "" {
		return nil
	}
	if err := hostPort(true)(s); err != nil {
		return err
	}
	host, _, _ := net.SplitHostPort(s)
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("must be a loopback address such as 127.0.0.1:6060, got %s", quote(s))
}

func eachHostPort(addrs []string) error {
	check := hostPort(true)
	for _, a := range addrs {
		if err := check(a); err != nil {
			return err
		}
	}
	return nil
}

// issuerURL enforces OpenID Connect Discovery §3's issuer form: an absolute
// http(s) URL without query or fragment. A trailing slash is refused because
// relying parties compare iss by exact string and the provider appends
// paths such as /.well-known/openid-configuration to it.
func issuerURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Opaque != "" || u.Host == "" {
		return fmt.Errorf("must be an absolute http(s) URL such as https://id.example.com, got %s", quote(s))
	}
	var problems []string
	if u.Scheme != "http" && u.Scheme != "https" {
		problems = append(problems, "scheme must be http or https")
	}
	if u.User != nil {
		problems = append(problems, "must not contain user information")
	}
	if u.RawQuery != "" || u.ForceQuery {
		problems = append(problems, "must not have a query")
	}
	if u.Fragment != "" || strings.Contains(s, "#") {
		problems = append(problems, "must not have a fragment")
	}
	if strings.HasSuffix(s, "/") {
		problems = append(problems, "must not end with a slash")
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s: %s", quote(s), strings.Join(problems, "; "))
	}
	return nil
}

// mysqlDSN accepts an empty DSN (embedded database) or one go-sql-driver
// parses. The DSN holds a password, so it is never echoed.
func mysqlDSN(s string) error {
	if s == "" {
		return nil
	}
	if _, err := mysql.ParseDSN(s); err != nil {
		return fmt.Errorf("not a valid MySQL DSN: %v", err)
	}
	return nil
}

func atLeast(min int) func(int) error {
	return func(n int) error {
		if n < min {
			return fmt.Errorf("must be at least %d, got %d", min, n)
		}
		return nil
	}
}

func between(min, max time.Duration) func(time.Duration) error {
	return func(d time.Duration) error {
		if d < min || d > max {
			return fmt.Errorf("must be between %s and %s, got %s", formatDuration(min), formatDuration(max), formatDuration(d))
		}
		return nil
	}
}

func oneOf(allowed ...string) func(string) error {
	return func(s string) error {
		if !slices.Contains(allowed, s) {
			return fmt.Errorf("must be one of %s, got %s", strings.Join(allowed, ", "), quote(s))
		}
		return nil
	}
}

// algorithms accepts a non-empty list of distinct supported JWS algorithms.
func algorithms(algs []string) error {
	if len(algs) == 0 {
		return errors.New("must list at least one of RS256, ES256")
	}
	for i, a := range algs {
		if a != "RS256" && a != "ES256" {
			return fmt.Errorf("unsupported algorithm %s; use RS256 or ES256", quote(a))
		}
		if slices.Contains(algs[:i], a) {
			return fmt.Errorf("lists %s twice", a)
		}
	}
	return nil
}

// cookieName accepts an RFC 6265 §4.1.1 cookie-name: a non-empty token of
// visible ASCII without separators.
func cookieName(s string) error {
	if s == "" {
		return errors.New("must not be empty")
	}
	for _, r := range s {
		if r <= ' ' || r >= 0x7f || strings.ContainsRune(`()<>@,;:\"/[]?={}`, r) {
			return fmt.Errorf("%s is not a valid cookie name (RFC 6265 token characters only)", quote(s))
		}
	}
	return nil
}
