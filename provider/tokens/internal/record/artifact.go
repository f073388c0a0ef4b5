package record

import (
	"errors"
	"fmt"
	"time"

	"github.com/go-oauth2/oauth2/v4"
)

// Kind names one artifact of a record: its code, access token or refresh
// token. The byte is part of keys and index members, so it never changes.
type Kind byte

// The artifact kinds, in the order a record lists them.
const (
	Code    Kind = 'c'
	Access  Kind = 'a'
	Refresh Kind = 'r'
)

// ErrMalformedRef is returned for an artifact given as a Ref that encodes
// no digest: such a value cannot be keyed, so it cannot be stored.
var ErrMalformedRef = errors.New("record: malformed token ref")

// Artifact is one token a record is stored under.
type Artifact struct {
	Kind   Kind
	Digest Digest
	// Expires is when the artifact stops being valid; zero means never.
	Expires time.Time
}

// Live reports whether an artifact expiring at exp is still valid at now.
func Live(exp, now time.Time) bool { return exp.IsZero() || now.Before(exp) }

// Artifacts lists the artifacts ti carries, in code, access, refresh order.
func Artifacts(ti oauth2.TokenInfo) ([]Artifact, error) {
	arts := make([]Artifact, 0, 3)
	for _, k := range [...]Kind{Code, Access, Refresh} {
		v := Value(ti, k)
		if v == "" {
			continue
		}
		d, ok := DigestOf(v)
		if !ok {
			return nil, fmt.Errorf("%c artifact: %w", k, ErrMalformedRef)
		}
		arts = append(arts, Artifact{Kind: k, Digest: d, Expires: Expiry(ti, k)})
	}
	return arts, nil
}

// Value returns the kind artifact of ti as ti holds it (clear or Ref).
func Value(ti oauth2.TokenInfo, k Kind) string {
	switch k {
	case Code:
		return ti.GetCode()
	case Access:
		return ti.GetAccess()
	case Refresh:
		return ti.GetRefresh()
	}
	return ""
}

// SetValue sets the kind artifact of ti, used to put back the value a
// record was looked up by.
func SetValue(ti oauth2.TokenInfo, k Kind, v string) {
	switch k {
	case Code:
		ti.SetCode(v)
	case Access:
		ti.SetAccess(v)
	case Refresh:
		ti.SetRefresh(v)
	}
}

// Expiry returns when the kind artifact of ti expires: its creation time
// plus its lifetime, at millisecond precision so that a record computes
// the same expiry before and after a round trip through Encode. A zero
// lifetime means the artifact never expires (zero time).
func Expiry(ti oauth2.TokenInfo, k Kind) time.Time {
	var at time.Time
	var in time.Duration
	switch k {
	case Code:
		at, in = ti.GetCodeCreateAt(), ti.GetCodeExpiresIn()
	case Access:
		at, in = ti.GetAccessCreateAt(), ti.GetAccessExpiresIn()
	case Refresh:
		at, in = ti.GetRefreshCreateAt(), ti.GetRefreshExpiresIn()
	}
	if in == 0 {
		return time.Time{}
	}
	return time.UnixMilli(unixMilli(at) + durationMilli(in))
}

// Latest returns the expiry of the artifact that lives longest, zero when
// one of them never expires: how long a record as a whole stays indexed.
func Latest(arts []Artifact) time.Time {
	var latest time.Time
	for _, a := range arts {
		if a.Expires.IsZero() {
			return time.Time{}
		}
		if a.Expires.After(latest) {
			latest = a.Expires
		}
	}
	return latest
}

// unixMilli is t in unix milliseconds, 0 for the zero time.
func unixMilli(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// durationMilli is d in milliseconds, rounded away from zero so that a
// lifetime shorter than a millisecond does not turn into "never expires".
func durationMilli(d time.Duration) int64 {
	ms := d.Milliseconds()
	if time.Duration(ms)*time.Millisecond != d {
		if d > 0 {
			ms++
		} else {
			ms--
		}
	}
	return ms
}
