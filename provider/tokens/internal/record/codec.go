package record

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/go-oauth2/oauth2/v4"
	"github.com/go-oauth2/oauth2/v4/models"
)

// version leads every encoded record so that the layout can change.
const version = 1

// Field tags of the encoding. Each field is a tag byte and its payload;
// absent fields are left out. The values are stored on disk and in Redis:
// append new tags, never renumber.
const (
	tagClient          = 1  // string
	tagUser            = 2  // string
	tagRedirectURI     = 3  // string
	tagScope           = 4  // string
	tagCode            = 5  // digest
	tagChallenge       = 6  // string
	tagChallengeMethod = 7  // string
	tagCodeAt          = 8  // varint unix ms
	tagCodeIn          = 9  // varint ms
	tagAccess          = 10 // digest
	tagAccessAt        = 11 // varint unix ms
	tagAccessIn        = 12 // varint ms
	tagRefresh         = 13 // digest
	tagRefreshAt       = 14 // varint unix ms
	tagRefreshIn       = 15 // varint ms
	tagExtension       = 16 // uvarint n, n × (key, uvarint m, m × value)
)

// ErrCorrupt is returned by Decode for bytes that are not a record.
var ErrCorrupt = errors.New("record: corrupt record")

// Encode returns the stored form of ti for the key of its self artifact.
// Its code, access and refresh token are kept as digests only, so the
// bytes reveal no usable token, and the digest of self is left out: the
// key holds it, and Decode takes it back from there. That saves a third
// of a client_credentials record.
func Encode(ti oauth2.TokenInfo, self Kind) ([]byte, error) {
	b := make([]byte, 1, 160)
	b[0] = version
	b = appendString(b, tagClient, ti.GetClientID())
	b = appendString(b, tagUser, ti.GetUserID())
	b = appendString(b, tagRedirectURI, ti.GetRedirectURI())
	b = appendString(b, tagScope, ti.GetScope())
	b = appendString(b, tagChallenge, ti.GetCodeChallenge())
	b = appendString(b, tagChallengeMethod, string(ti.GetCodeChallengeMethod()))
	for _, f := range [...]struct {
		kind Kind
		tag  byte
	}{{Code, tagCode}, {Access, tagAccess}, {Refresh, tagRefresh}} {
		if f.kind == self {
			continue
		}
		var err error
		if b, err = appendDigest(b, f.tag, Value(ti, f.kind)); err != nil {
			return nil, fmt.Errorf("%c artifact: %w", f.kind, err)
		}
	}
	b = appendTime(b, tagCodeAt, ti.GetCodeCreateAt())
	b = appendDuration(b, tagCodeIn, ti.GetCodeExpiresIn())
	b = appendTime(b, tagAccessAt, ti.GetAccessCreateAt())
	b = appendDuration(b, tagAccessIn, ti.GetAccessExpiresIn())
	b = appendTime(b, tagRefreshAt, ti.GetRefreshCreateAt())
	b = appendDuration(b, tagRefreshIn, ti.GetRefreshExpiresIn())
	if e, ok := ti.(oauth2.ExtendableTokenInfo); ok {
		b = appendExtension(b, e.GetExtension())
	}
	return b, nil
}

func appendString(b []byte, tag byte, s string) []byte {
	if s == "" {
		return b
	}
	b = append(b, tag)
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendDigest(b []byte, tag byte, v string) ([]byte, error) {
	if v == "" {
		return b, nil
	}
	d, ok := DigestOf(v)
	if !ok {
		return nil, ErrMalformedRef
	}
	b = append(b, tag)
	return append(b, d[:]...), nil
}

func appendTime(b []byte, tag byte, t time.Time) []byte {
	if t.IsZero() {
		return b
	}
	return binary.AppendVarint(append(b, tag), t.UnixMilli())
}

func appendDuration(b []byte, tag byte, d time.Duration) []byte {
	if d == 0 {
		return b
	}
	return binary.AppendVarint(append(b, tag), durationMilli(d))
}

func appendExtension(b []byte, ext url.Values) []byte {
	keys := make([]string, 0, len(ext))
	for k, vs := range ext {
		if len(vs) > 0 {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return b
	}
	slices.Sort(keys)
	b = binary.AppendUvarint(append(b, tagExtension), uint64(len(keys)))
	for _, k := range keys {
		b = appendBytes(b, k)
		b = binary.AppendUvarint(b, uint64(len(ext[k])))
		for _, v := range ext[k] {
			b = appendBytes(b, v)
		}
	}
	return b
}

func appendBytes(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// Decode returns the record stored in b under its self artifact with
// digest d, as a fresh token whose code, access and refresh token are
// their Refs.
func Decode(b []byte, self Kind, d Digest) (*models.Token, error) {
	if len(b) == 0 || b[0] != version {
		return nil, ErrCorrupt
	}
	t := models.NewToken()
	r := reader{b: b[1:], s: string(b[1:])}
	for len(r.b) > 0 && r.err == nil {
		tag := r.byte()
		switch tag {
		case tagClient:
			t.ClientID = r.string()
		case tagUser:
			t.UserID = r.string()
		case tagRedirectURI:
			t.RedirectURI = r.string()
		case tagScope:
			t.Scope = r.string()
		case tagChallenge:
			t.CodeChallenge = r.string()
		case tagChallengeMethod:
			t.CodeChallengeMethod = r.string()
		case tagCode:
			t.Code = r.digest().Ref()
		case tagAccess:
			t.Access = r.digest().Ref()
		case tagRefresh:
			t.Refresh = r.digest().Ref()
		case tagCodeAt:
			t.CodeCreateAt = r.time()
		case tagCodeIn:
			t.CodeExpiresIn = r.duration()
		case tagAccessAt:
			t.AccessCreateAt = r.time()
		case tagAccessIn:
			t.AccessExpiresIn = r.duration()
		case tagRefreshAt:
			t.RefreshCreateAt = r.time()
		case tagRefreshIn:
			t.RefreshExpiresIn = r.duration()
		case tagExtension:
			t.Extension = r.extension()
		default:
			return nil, fmt.Errorf("%w: unknown field %d", ErrCorrupt, tag)
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	SetValue(t, self, d.Ref())
	return t, nil
}

// reader consumes an encoded record; the first error sticks and makes
// every later read return a zero value. Its strings are slices of s, the
// whole record copied once: a record's dozen strings then cost one
// allocation instead of one each.
type reader struct {
	b   []byte
	s   string // the same bytes as b held at the start
	err error
}

func (r *reader) fail() { r.err, r.b = ErrCorrupt, nil }

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) uvarint() uint64 {
	n, w := binary.Uvarint(r.b)
	if w <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[w:]
	return n
}

func (r *reader) varint() int64 {
	n, w := binary.Varint(r.b)
	if w <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[w:]
	return n
}

func (r *reader) string() string {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.fail()
		return ""
	}
	off := len(r.s) - len(r.b)
	r.b = r.b[n:]
	return r.s[off : off+int(n)]
}

func (r *reader) digest() Digest {
	var d Digest
	if len(r.b) < len(d) {
		r.fail()
		return d
	}
	copy(d[:], r.b)
	r.b = r.b[len(d):]
	return d
}

func (r *reader) time() time.Time { return time.UnixMilli(r.varint()) }

func (r *reader) duration() time.Duration { return time.Duration(r.varint()) * time.Millisecond }

func (r *reader) extension() url.Values {
	n := r.uvarint()
	ext := make(url.Values, min(n, 16))
	for range n {
		if r.err != nil {
			break
		}
		k := r.string()
		m := r.uvarint()
		if m > uint64(len(r.b)) {
			r.fail()
			break
		}
		vs := make([]string, 0, m)
		for range m {
			vs = append(vs, r.string())
		}
		ext[k] = vs
	}
	return ext
}
