package provider

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-oauth2/oauth2/v4/manage"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/changes"
	"github.com/tongxing/tongxing/provider/credentials"
	"github.com/tongxing/tongxing/provider/tokens"
)

// Signer signs the provider's JWTs and publishes its public keys.
type Signer interface {
	// SignJWT signs claims as a compact JWS with the current key of alg.
	SignJWT(alg, typ string, claims any) (string, error)
	// JWKS is the public key set, including keys not yet or no longer signing.
	JWKS() jose.JSONWebKeySet
	// Algorithms lists the algorithms the provider signs with.
	Algorithms() []string
}

// Lifetimes are the provider defaults; a client may set its own.
type Lifetimes struct {
	Access  time.Duration
	Refresh time.Duration
	IDToken time.Duration
	Code    time.Duration
	Session time.Duration
}

// Config is everything the provider needs, built by cmd from the
// configuration and the opened stores.
type Config struct {
	Issuer   string
	Clients  models.Clients
	Users    models.Users
	Consents models.Consents
	// Audit receives security events; nil keeps them in the process log only.
	Audit     models.Audit
	Tokens    tokens.Store
	Signer    Signer
	Secrets   *credentials.SecretHasher
	Lifetimes Lifetimes
	// IDTokenAlg signs id_tokens of clients that chose none.
	IDTokenAlg string
	// SessionCookie names the login session cookie.
	SessionCookie string
	// RecordCacheTTL is how long a client or user record read for a token
	// request or check is reused; zero reads every time.
	RecordCacheTTL time.Duration
	// Changes tells of changed records, which Follow then drops from the
	// cache at once; the TTL bounds only the staleness of a notice that
	// was lost. With Changes set, nothing is cached until Follow has
	// subscribed. Nil leaves the TTL alone to bound it.
	Changes changes.Feed
	// Ready checks dependencies for /readyz besides the token store.
	Ready map[string]func(context.Context) error
	Clock func() time.Time
	Log   *slog.Logger
}

// Provider serves the standard endpoints and the Go API of core.go.
type Provider struct {
	issuer     string
	clients    models.Clients
	users      models.Users
	consents   models.Consents
	audit      models.Audit
	tokens     tokens.Store
	signer     Signer
	secrets    *credentials.SecretHasher
	life       Lifetimes
	idTokenAlg string
	ready      map[string]func(context.Context) error
	now        func() time.Time
	log        *slog.Logger
	engine     *manage.Manager
	grants     map[string]grant
	sessions   *sessionCodec
	expiryMAC  *credentials.MAC // authenticates the expiry inside opaque tokens
	hashSlots  chan struct{}    // bounds concurrent password verifications
	// Records read on the path of every token request and check.
	clientRecords *recordCache[models.Client]
	userRecords   *recordCache[models.User]
	changes       changes.Feed // keeps the record caches in step; may be nil
	insecure      bool         // issuer is plain http: cookies cannot be Secure
}

// New returns a provider; it checks that every dependency is present.
func New(cfg Config) (*Provider, error) {
	switch {
	case cfg.Issuer == "":
		return nil, errors.New("provider: no issuer")
	case cfg.Clients == nil || cfg.Users == nil || cfg.Consents == nil:
		return nil, errors.New("provider: missing record repositories")
	case cfg.Tokens == nil:
		return nil, errors.New("provider: no token store")
	case cfg.Signer == nil:
		return nil, errors.New("provider: no signer")
	case cfg.Secrets == nil:
		return nil, errors.New("provider: no secret hasher")
	case cfg.Lifetimes.Access <= 0 || cfg.Lifetimes.Refresh <= 0 || cfg.Lifetimes.IDToken <= 0 ||
		cfg.Lifetimes.Code <= 0 || cfg.Lifetimes.Session <= 0:
		return nil, errors.New("provider: every lifetime must be positive")
	}
	p := &Provider{
		issuer:     cfg.Issuer,
		clients:    cfg.Clients,
		users:      cfg.Users,
		consents:   cfg.Consents,
		audit:      cfg.Audit,
		tokens:     cfg.Tokens,
		signer:     cfg.Signer,
		secrets:    cfg.Secrets,
		life:       cfg.Lifetimes,
		idTokenAlg: cfg.IDTokenAlg,
		ready:      cfg.Ready,
		changes:    cfg.Changes,
		now:        cfg.Clock,
		log:        cfg.Log,
		insecure:   len(cfg.Issuer) >= 7 && cfg.Issuer[:7] == "http://",
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.log == nil {
		p.log = slog.Default()
	}
	if p.idTokenAlg == "" {
		algs := p.signer.Algorithms()
		if len(algs) == 0 {
			return nil, errors.New("provider: signer offers no algorithm")
		}
		p.idTokenAlg = algs[0]
	}
	name := cfg.SessionCookie
	if name == "" {
		name = "tongxing_session"
	}
	p.expiryMAC = credentials.NewMAC(cfg.Secrets.Derive("opaque access token"))
	p.hashSlots = make(chan struct{}, runtime.GOMAXPROCS(0))
	p.clientRecords = newRecordCache(cfg.RecordCacheTTL, p.now, cfg.Clients.Get)
	p.userRecords = newRecordCache(cfg.RecordCacheTTL, p.now, cfg.Users.Get)
	if p.changes != nil {
		p.clientRecords.holdUntilReset()
		p.userRecords.holdUntilReset()
	}
	p.sessions = newSessionCodec(name, cfg.Secrets.Derive("session"), cfg.Lifetimes.Session, p.now)
	p.engine = newEngine(p)
	p.grants = map[string]grant{
		grantAuthorizationCode: codeGrant{p},
		grantRefreshToken:      refreshGrant{p},
		grantClientCredentials: clientCredentialsGrant{p},
	}
	return p, nil
}
