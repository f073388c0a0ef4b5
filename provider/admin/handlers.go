package admin

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tongxing/tongxing/models"
)

// Handlers bind the request, call the Service and render its answer.

// clientReadOnly are the members of a client's representation an update
// skips.
var clientReadOnly = []string{"version", "response_types", "client_id_issued_at", "client_secret_expires_at",
	"previous_secret_expires_at", "created_at", "updated_at"}

func (a *API) listClients(c *gin.Context) {
	p, err := page(c)
	var fe fieldErrors
	f := ClientFilter{NameContains: query(c, "name", &fe), LegacyAPI: query(c, "legacy_api", &fe)}
	if s := query(c, "enabled", &fe); s != "" {
		b, perr := strconv.ParseBool(s)
		if perr != nil {
			fe.add("enabled", "must be true or false")
		}
		f.Enabled = &b
	}
	if err == nil {
		err = fe.err()
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	l, err := a.svc.ListClients(c.Request.Context(), f, p)
	a.render(c, http.StatusOK, l, err)
}

func (a *API) createClient(c *gin.Context) {
	create(a, c, (*NewClient).Fields, a.svc.CreateClient, func(cl *Client) string { return "/clients/" + cl.ClientID })
}

func (a *API) getClient(c *gin.Context) {
	cl, err := a.svc.GetClient(c.Request.Context(), c.Param("id"))
	a.render(c, http.StatusOK, cl, err)
}

// updateClient is PUT (the document replaces the metadata; what it omits
// takes its default) and PATCH (the document changes the members it has).
func (a *API) updateClient(c *gin.Context) {
	update(a, c, a.svc.UpdateClient, (*ClientChange).Fields, func(cur *Client) map[string]any {
		return map[string]any{"client_id": cur.ClientID, "enabled": cur.Enabled}
	}, clientReadOnly)
}

func (a *API) deleteClient(c *gin.Context) {
	version, err := action(c, nil)
	if err == nil {
		err = a.svc.DeleteClient(c.Request.Context(), c.Param("id"), version)
	}
	a.done(c, err)
}

func (a *API) enableClient(c *gin.Context) {
	act(a, c, nil, func(version int64) (*Client, error) {
		return a.svc.EnableClient(c.Request.Context(), c.Param("id"), version)
	})
}

func (a *API) disableClient(c *gin.Context) {
	act(a, c, nil, func(version int64) (*Client, error) {
		return a.svc.DisableClient(c.Request.Context(), c.Param("id"), version)
	})
}

func (a *API) rotateSecret(c *gin.Context) {
	var grace int64
	act(a, c, map[string]any{"grace_period_seconds": &grace}, func(version int64) (*Client, error) {
		if grace < 0 || grace > int64(MaxSecretGrace/time.Second) {
			return nil, errGrace
		}
		return a.svc.RotateClientSecret(c.Request.Context(), c.Param("id"), version, time.Duration(grace)*time.Second)
	})
}

// userReadOnly are the members of a user's representation an update skips.
var userReadOnly = []string{"version", "sessions_not_before", "created_at", "updated_at"}

func (a *API) listUsers(c *gin.Context) {
	p, err := page(c)
	var fe fieldErrors
	f := UserFilter{Query: query(c, "q", &fe), CompanyID: query(c, "company_id", &fe)}
	if err == nil {
		err = fe.err()
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	l, err := a.svc.ListUsers(c.Request.Context(), f, p)
	a.render(c, http.StatusOK, l, err)
}

func (a *API) createUser(c *gin.Context) {
	create(a, c, (*NewUser).Fields, a.svc.CreateUser, func(u *User) string { return "/users/" + u.Sub })
}

func (a *API) getUser(c *gin.Context) {
	u, err := a.svc.GetUser(c.Request.Context(), c.Param("id"))
	a.render(c, http.StatusOK, u, err)
}

func (a *API) updateUser(c *gin.Context) {
	update(a, c, a.svc.UpdateUser, (*UserChange).Fields, func(cur *User) map[string]any {
		return map[string]any{"sub": cur.Sub, "disabled": cur.Disabled, "company_id": cur.CompanyID}
	}, userReadOnly)
}

func (a *API) setPassword(c *gin.Context) {
	var password string
	act(a, c, map[string]any{"password": &password}, func(version int64) (*User, error) {
		return a.svc.SetPassword(c.Request.Context(), c.Param("id"), version, password)
	})
}

func (a *API) enableUser(c *gin.Context) {
	act(a, c, nil, func(version int64) (*User, error) {
		return a.svc.EnableUser(c.Request.Context(), c.Param("id"), version)
	})
}

func (a *API) disableUser(c *gin.Context) {
	act(a, c, nil, func(version int64) (*User, error) {
		return a.svc.DisableUser(c.Request.Context(), c.Param("id"), version)
	})
}

func (a *API) signOut(c *gin.Context) {
	act(a, c, nil, func(version int64) (*User, error) {
		return a.svc.SignOut(c.Request.Context(), c.Param("id"), version)
	})
}

func (a *API) listIdentities(c *gin.Context) {
	l, err := a.svc.ListIdentities(c.Request.Context(), c.Param("id"))
	a.render(c, http.StatusOK, items(l), err)
}

func (a *API) listSessions(c *gin.Context) {
	l, err := a.svc.ListSessions(c.Request.Context(), c.Param("id"))
	a.render(c, http.StatusOK, items(l), err)
}

// items is a complete listing.
func items[T any](l []T) map[string][]T {
	if l == nil {
		l = []T{}
	}
	return map[string][]T{"items": l}
}

// companyReadOnly are the members of a company's representation an update
// skips.
var companyReadOnly = []string{"version", "created_at", "updated_at"}

func (a *API) listCompanies(c *gin.Context) {
	p, err := page(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	l, err := a.svc.ListCompanies(c.Request.Context(), p)
	a.render(c, http.StatusOK, l, err)
}

func (a *API) createCompany(c *gin.Context) {
	create(a, c, (*NewCompany).Fields, a.svc.CreateCompany, func(co *Company) string { return "/companies/" + co.ID })
}

func (a *API) getCompany(c *gin.Context) {
	co, err := a.svc.GetCompany(c.Request.Context(), c.Param("id"))
	a.render(c, http.StatusOK, co, err)
}

func (a *API) updateCompany(c *gin.Context) {
	update(a, c, a.svc.UpdateCompany, (*CompanyChange).Fields, func(cur *Company) map[string]any {
		return map[string]any{"id": cur.ID}
	}, companyReadOnly)
}

func (a *API) deleteCompany(c *gin.Context) {
	version, err := action(c, nil)
	if err == nil {
		err = a.svc.DeleteCompany(c.Request.Context(), c.Param("id"), version)
	}
	a.done(c, err)
}

func (a *API) listCompanyUsers(c *gin.Context) {
	p, err := page(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	l, err := a.svc.ListCompanyUsers(c.Request.Context(), c.Param("id"), p)
	a.render(c, http.StatusOK, l, err)
}

func (a *API) linkUser(c *gin.Context) {
	act(a, c, nil, func(version int64) (*User, error) {
		return a.svc.LinkUser(c.Request.Context(), c.Param("id"), c.Param("user_id"), version)
	})
}

func (a *API) unlinkUser(c *gin.Context) {
	act(a, c, nil, func(version int64) (*User, error) {
		return a.svc.UnlinkUser(c.Request.Context(), c.Param("id"), c.Param("user_id"), version)
	})
}

func (a *API) listKeys(c *gin.Context) {
	l, err := a.svc.ListKeys(c.Request.Context())
	a.render(c, http.StatusOK, items(l), err)
}

func (a *API) rotateKey(c *gin.Context) {
	d, err := readDocument(c.Writer, c.Request)
	var alg string
	if err == nil {
		err = d.apply(map[string]any{"alg": &alg}, nil)
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	k, err := a.svc.RotateKey(c.Request.Context(), alg)
	a.render(c, http.StatusCreated, k, err)
}

func (a *API) listAudit(c *gin.Context) {
	p, err := page(c)
	var fe fieldErrors
	f := models.AuditFilter{Actor: query(c, "actor", &fe), Action: query(c, "action", &fe), Target: query(c, "target", &fe),
		Since: timeQuery(c, "since", &fe), Until: timeQuery(c, "until", &fe)}
	if err == nil {
		err = fe.err()
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	l, err := a.svc.ListAudit(c.Request.Context(), f, p)
	a.render(c, http.StatusOK, l, err)
}

// create answers a POST that creates a record: the document fills the
// new record's fields, add creates it, and the answer is 201 with the
// record and its location.
func create[N, T any](a *API, c *gin.Context, fields func(*N) map[string]any, add func(context.Context, N) (T, error), location func(T) string) {
	d, err := readDocument(c.Writer, c.Request)
	var n N
	if err == nil {
		err = d.apply(fields(&n), nil)
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	rec, err := add(c.Request.Context(), n)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.created(c, location(rec), rec, nil)
}

// update answers PUT (the document replaces the record's changeable
// members; what it omits takes its default) and PATCH (the document
// changes the members it has) of the record named by the path, under the
// precondition the request states. fixed are the members the document may
// repeat but not change; readOnly those it may carry and that are skipped.
func update[T, C any, E ~func(cur *T, ch *C) error](a *API, c *gin.Context,
	run func(ctx context.Context, id string, version int64, edit E) (*T, error),
	fields func(*C) map[string]any, fixed func(cur *T) map[string]any, readOnly []string) {
	d, err := readDocument(c.Writer, c.Request)
	var version int64
	if err == nil {
		version, err = precondition(c.Request, d, true)
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	replace := c.Request.Method == http.MethodPut
	rec, err := run(c.Request.Context(), c.Param("id"), version, func(cur *T, ch *C) error {
		if replace {
			var zero C
			*ch = zero
		}
		return d.apply(fields(ch), fixed(cur), readOnly...)
	})
	a.render(c, http.StatusOK, rec, err)
}

// act answers a POST that acts on a record (enable, disable, rotate, ...)
// under the optional precondition, with the members of fields read from
// the document, and renders the record f returns.
func act[T any](a *API, c *gin.Context, fields map[string]any, f func(version int64) (T, error)) {
	version, err := action(c, fields)
	var rec T
	if err == nil {
		rec, err = f(version)
	}
	a.render(c, http.StatusOK, rec, err)
}
