package partner

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider"
)

// LegacyAPI is the name an admin puts in a client's LegacyAPIs to allow it
// this API.
const LegacyAPI = "partner"

// GrantType names the grant of the auth_codes this API issues, as the core
// records it (tokens.ExtGrant). Only codes of this grant are accepted as
// auth_code.
const GrantType = "urn:tongxing:partner:auth_code"

// The document's paths; each is served with a /json and an /xml suffix.
const (
	PathAuthorize   = "/apis/rest/authService/authorize"
	PathUserInfo    = "/apis/rest/userService/getUserInfo"
	PathCompanyInfo = "/apis/rest/companyService/getCompanyInfo"
)

// Core is the part of the provider's Go API (provider/core.go) this API
// is built on. Every token and code comes from it.
type Core interface {
	AuthenticateClient(ctx context.Context, id, secret string) (*models.Client, error)
	CheckAccessToken(ctx context.Context, token string) (provider.Grant, *models.Client, error)
	IssueCode(ctx context.Context, req provider.CodeRequest) (provider.Grant, error)
	LookupCode(ctx context.Context, code string) (provider.Grant, error)
	CodeExpired(g provider.Grant) bool
	// AccessTokenExpired tells a token whose lifetime ended (100014) from
	// one never issued or revoked (401).
	AccessTokenExpired(ctx context.Context, token string) (bool, error)
}

var _ Core = (*provider.Provider)(nil)

// Config is what the API needs, built by the command from the
// configuration and the opened stores.
type Config struct {
	Core      Core
	Clients   models.Clients
	Users     models.Users
	Companies models.Companies
	// Audit receives the API's events; nil keeps them in the log only.
	Audit models.Audit
	// TimestampWindow is the largest difference accepted between t_ and
	// the clock.
	TimestampWindow time.Duration
	// CodeLifetime is the lifetime of an auth_code.
	CodeLifetime time.Duration
	// Location is the zone "created" is written in.
	Location *time.Location
	// Clock judges t_ and gives nowtime; nil means time.Now.
	Clock func() time.Time
	Log   *slog.Logger
}

// API serves the partner open API.
type API struct {
	core      Core
	clients   models.Clients
	users     models.Users
	companies models.Companies
	audit     models.Audit
	window    time.Duration
	codeLife  time.Duration
	loc       *time.Location
	now       func() time.Time
	log       *slog.Logger
}

// New returns the API; it checks that every dependency is present.
func New(cfg Config) (*API, error) {
	switch {
	case cfg.Core == nil:
		return nil, errors.New("partner: no core")
	case cfg.Clients == nil || cfg.Users == nil || cfg.Companies == nil:
		return nil, errors.New("partner: missing record repositories")
	case cfg.TimestampWindow <= 0 || cfg.CodeLifetime <= 0:
		return nil, errors.New("partner: the timestamp window and the code lifetime must be positive")
	case cfg.Location == nil:
		return nil, errors.New("partner: no time zone")
	}
	a := &API{
		core:      cfg.Core,
		clients:   cfg.Clients,
		users:     cfg.Users,
		companies: cfg.Companies,
		audit:     cfg.Audit,
		window:    cfg.TimestampWindow,
		codeLife:  cfg.CodeLifetime,
		loc:       cfg.Location,
		now:       cfg.Clock,
		log:       cfg.Log,
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	return a, nil
}

// operation is one call of the API: it takes a parsed request and returns
// the envelope's data or an error.
type operation func(ctx context.Context, req request) (object, error)

// Routes mounts the document's three calls, each as /json and /xml.
func (a *API) Routes(r gin.IRouter) {
	for _, f := range formats {
		r.GET(PathAuthorize+"/"+string(f), a.handle(f, false, a.authorize))
		r.GET(PathUserInfo+"/"+string(f), a.handle(f, true, a.userInfo))
		r.GET(PathCompanyInfo+"/"+string(f), a.handle(f, true, a.companyInfo))
	}
}

// handle is every call: parse, run, render.
func (a *API) handle(f format, needCode bool, op operation) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := provider.WithSource(c.Request.Context(), remoteIP(c.Request))
		req, err := parseRequest(c.Request, needCode, a.now(), a.window)
		var data object
		if err == nil {
			data, err = op(ctx, req)
		}
		a.render(ctx, c.Writer, f, data, err)
	}
}

// render writes the one response of a call: its data, or the table's
// entry for err. An error outside the table is logged and answered 500
// without detail.
func (a *API) render(ctx context.Context, w http.ResponseWriter, f format, data object, err error) {
	if err == nil {
		write(w, f, http.StatusOK, success(data))
		return
	}
	e := asError(err)
	if e.Code == ErrInternal.Code {
		a.log.ErrorContext(ctx, "partner open API call failed", "error", err)
	}
	write(w, f, e.Status, failure(e))
}

// remoteIP is the address of the peer that sent r, for the audit log.
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
