package admin

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider"
	"github.com/tongxing/tongxing/provider/oautherr"
)

// Prefix is the path of the API.
const Prefix = "/admin/v1"

// Scope is the scope an access token needs for the API.
const Scope = "admin"

// TokenChecker checks access tokens; *provider.Provider is one.
type TokenChecker interface {
	CheckAccessToken(ctx context.Context, token string) (provider.Grant, *models.Client, error)
}

// API is the admin REST API over a Service. Every request needs a Bearer
// access token that a client obtained for itself (client_credentials)
// with the admin scope.
type API struct {
	svc    *Service
	tokens TokenChecker
	log    *slog.Logger
}

// NewAPI returns the API of svc, checking tokens with tokens.
func NewAPI(svc *Service, tokens TokenChecker, log *slog.Logger) *API {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &API{svc: svc, tokens: tokens, log: log}
}

// Routes mounts the API under Prefix.
func (a *API) Routes(r gin.IRouter) {
	g := r.Group(Prefix, a.authenticate)

	g.GET("/clients", a.listClients)
	g.POST("/clients", a.createClient)
	g.GET("/clients/:id", a.getClient)
	g.PUT("/clients/:id", a.updateClient)
	g.PATCH("/clients/:id", a.updateClient)
	g.DELETE("/clients/:id", a.deleteClient)
	g.POST("/clients/:id/enable", a.enableClient)
	g.POST("/clients/:id/disable", a.disableClient)
	g.POST("/clients/:id/rotate-secret", a.rotateSecret)

	g.GET("/users", a.listUsers)
	g.POST("/users", a.createUser)
	g.GET("/users/:id", a.getUser)
	g.PUT("/users/:id", a.updateUser)
	g.PATCH("/users/:id", a.updateUser)
	g.PUT("/users/:id/password", a.setPassword)
	g.POST("/users/:id/enable", a.enableUser)
	g.POST("/users/:id/disable", a.disableUser)
	g.POST("/users/:id/sign-out", a.signOut)
	g.GET("/users/:id/identities", a.listIdentities)
	g.GET("/users/:id/sessions", a.listSessions)

	g.GET("/companies", a.listCompanies)
	g.POST("/companies", a.createCompany)
	g.GET("/companies/:id", a.getCompany)
	g.PUT("/companies/:id", a.updateCompany)
	g.PATCH("/companies/:id", a.updateCompany)
	g.DELETE("/companies/:id", a.deleteCompany)
	g.GET("/companies/:id/users", a.listCompanyUsers)
	g.PUT("/companies/:id/users/:user_id", a.linkUser)
	g.DELETE("/companies/:id/users/:user_id", a.unlinkUser)

	g.GET("/keys", a.listKeys)
	g.POST("/keys/rotate", a.rotateKey)

	g.GET("/audit", a.listAudit)
}

// authenticate admits requests with an access token of a client holding
// the admin scope, and makes that client the actor of the request.
func (a *API) authenticate(c *gin.Context) {
	r := c.Request
	actor, err := a.admin(r)
	if err != nil {
		a.fail(c, err)
		c.Abort()
		return
	}
	c.Request = r.WithContext(WithActor(r.Context(), actor))
	c.Next()
}

// admin returns the actor of a request with a valid admin token.
func (a *API) admin(r *http.Request) (Actor, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return Actor{}, errNoToken
	}
	scheme, tok, _ := strings.Cut(h, " ")
	tok = strings.TrimSpace(tok)
	if !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return Actor{}, ErrUnauthorized.WithDescription("the Authorization header must be Bearer and an access token")
	}
	g, client, err := a.tokens.CheckAccessToken(r.Context(), tok)
	if errors.Is(err, oautherr.ErrInvalidToken) {
		return Actor{}, ErrUnauthorized.WithDescription("the access token is invalid, expired or revoked")
	}
	if err != nil {
		return Actor{}, err
	}
	if g.GetUserID() != "" {
		return Actor{}, ErrForbidden.WithDescription("the admin API takes a client's own token (client_credentials), not a user's")
	}
	if !hasScope(g.GetScope(), Scope) {
		return Actor{}, ErrForbidden.WithDescription("the access token lacks the admin scope")
	}
	return Actor{ID: client.ID, Source: remoteIP(r)}, nil
}

func hasScope(scope, want string) bool { return slices.Contains(strings.Fields(scope), want) }

// remoteIP is the address of the peer that sent r.
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// versioned is a representation with a version, sent as its ETag.
type versioned interface{ ETagVersion() int64 }

// render answers with v, or with err.
func (a *API) render(c *gin.Context, status int, v any, err error) {
	if err != nil {
		a.fail(c, err)
		return
	}
	if rec, ok := v.(versioned); ok {
		c.Header("ETag", etag(rec.ETagVersion()))
	}
	writeJSON(c.Writer, status, v)
}

// created answers a creation with the new record and where it lives.
func (a *API) created(c *gin.Context, location string, v any, err error) {
	if err == nil {
		c.Header("Location", Prefix+location)
	}
	a.render(c, http.StatusCreated, v, err)
}

// done answers a deletion.
func (a *API) done(c *gin.Context, err error) {
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusNoContent)
}

func (a *API) fail(c *gin.Context, err error) { writeError(c.Writer, a.log, err) }

// page reads ?offset and ?limit.
func page(c *gin.Context) (Page, error) {
	var (
		p  Page
		fe fieldErrors
	)
	for _, q := range []struct {
		name string
		dst  *int
	}{{"offset", &p.Offset}, {"limit", &p.Limit}} {
		if s, ok := c.GetQuery(q.name); ok {
			n, err := strconv.Atoi(s)
			if err != nil {
				fe.add(q.name, "must be an integer")
				continue
			}
			*q.dst = n
		}
	}
	if p.Limit == 0 {
		if _, given := c.GetQuery("limit"); given {
			fe.add("limit", "must be 1 to 1000")
		}
	}
	return p, fe.err()
}

// query returns a query parameter given at most once.
func query(c *gin.Context, name string, fe *fieldErrors) string {
	v := c.QueryArray(name)
	if len(v) > 1 {
		fe.add(name, "must be given once")
	}
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// action reads the body of an action (enable, disable, sign-out, ...):
// its optional precondition and the members of fields, if any.
func action(c *gin.Context, fields map[string]any) (int64, error) {
	d, err := readDocument(c.Writer, c.Request)
	if err != nil {
		return 0, err
	}
	version, err := precondition(c.Request, d, false)
	if err != nil {
		return 0, err
	}
	return version, d.apply(fields, nil, "version")
}

// timeQuery reads an RFC 3339 time from the query.
func timeQuery(c *gin.Context, name string, fe *fieldErrors) time.Time {
	s := query(c, name, fe)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		fe.add(name, "must be an RFC 3339 time such as 2024-03-01T08:00:00Z")
	}
	return t
}

// Unmatched answers, in the API's error format, a request under Prefix
// that matched no route (status 404) or no method of a route (405), and
// reports whether it did; other requests are left to the caller. The
// router calls it from its catch-all handlers, which are global to it.
func Unmatched(c *gin.Context, status int) bool {
	path := c.Request.URL.Path
	if path != Prefix && !strings.HasPrefix(path, Prefix+"/") {
		return false
	}
	err := ErrNotFound.WithDescription("no admin API resource at " + path)
	if status == http.StatusMethodNotAllowed {
		err = ErrMethodNotAllowed.WithDescription(c.Request.Method + " is not allowed on " + path)
	}
	writeError(c.Writer, nil, err)
	c.Abort()
	return true
}
