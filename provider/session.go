package provider

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"time"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/credentials"
)

// session is a signed-in browser: who, since when, and which session.
type session struct {
	ID       string `json:"sid"`
	UserID   string `json:"uid"`
	AuthTime int64  `json:"at"`
	Expires  int64  `json:"exp"`
	// Started is AuthTime in milliseconds, so a sign-out everywhere ends
	// the sessions begun before it and not one begun in the same second
	// after it.
	Started int64 `json:"st,omitempty"`
}

// startedBefore reports whether the session began before t.
func (s session) startedBefore(t time.Time) bool {
	started := s.Started
	if started == 0 {
		started = s.AuthTime * 1000
	}
	return started < t.UnixMilli()
}

// honoured reports whether u still accepts a session of theirs: u is
// enabled and has not been signed out everywhere since s began.
func (s session) honoured(u *models.User) bool {
	return !u.Disabled && (u.SessionsNotBefore == nil || !s.startedBefore(*u.SessionsNotBefore))
}

// sessionCodec seals sessions into a cookie with AES-GCM, so any replica
// can read them without shared state, and no client can forge or read one.
type sessionCodec struct {
	name string
	aead cipher.AEAD
	life time.Duration
	now  func() time.Time
}

func newSessionCodec(name string, key []byte, life time.Duration, now func() time.Time) *sessionCodec {
	block, err := aes.NewCipher(key[:32])
	if err != nil {
		panic(err) // a 32-byte key always makes a cipher
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return &sessionCodec{name: name, aead: aead, life: life, now: now}
}

// start makes a new session for user uid.
func (sc *sessionCodec) start(uid string) session {
	now := sc.now()
	return session{ID: credentials.RandomToken(16), UserID: uid, AuthTime: now.Unix(), Started: now.UnixMilli(),
		Expires: now.Add(sc.life).Unix()}
}

func (sc *sessionCodec) seal(s session) string {
	plain, _ := json.Marshal(s)
	nonce := make([]byte, sc.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(sc.aead.Seal(nonce, nonce, plain, []byte(sc.name)))
}

// read returns the live session of r, if any.
func (sc *sessionCodec) read(r *http.Request) (session, bool) {
	ck, err := r.Cookie(sc.name)
	if err != nil {
		return session{}, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(ck.Value)
	ns := sc.aead.NonceSize()
	if err != nil || len(raw) < ns {
		return session{}, false
	}
	plain, err := sc.aead.Open(nil, raw[:ns], raw[ns:], []byte(sc.name))
	if err != nil {
		return session{}, false
	}
	var s session
	if json.Unmarshal(plain, &s) != nil || s.UserID == "" || s.Expires <= sc.now().Unix() {
		return session{}, false
	}
	return s, true
}

// cookie builds a cookie of the provider's: httpOnly, SameSite=Lax, and
// Secure unless the issuer is plain http (a development setup on loopback,
// where browsers would drop a Secure cookie).
func (p *Provider) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: !p.insecure,
	}
}

func (p *Provider) setSession(w http.ResponseWriter, s session) {
	http.SetCookie(w, p.cookie(p.sessions.name, p.sessions.seal(s), int(s.Expires-p.now().Unix())))
}

func (p *Provider) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, p.cookie(p.sessions.name, "", -1))
}

const csrfCookie = "tongxing_csrf"

// csrfToken returns the CSRF token of this browser, setting its cookie if
// it has none. Forms echo it in a hidden field (double submit); SameSite
// keeps the cookie off cross-site POSTs.
func (p *Provider) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if ck, err := r.Cookie(csrfCookie); err == nil && len(ck.Value) >= 32 {
		return ck.Value
	}
	v := credentials.RandomToken(32)
	http.SetCookie(w, p.cookie(csrfCookie, v, 0))
	return v
}

// csrfValid checks the form's token against the cookie.
func csrfValid(r *http.Request, form string) bool {
	ck, err := r.Cookie(csrfCookie)
	return err == nil && len(ck.Value) >= 32 &&
		subtle.ConstantTimeCompare([]byte(ck.Value), []byte(form)) == 1
}
