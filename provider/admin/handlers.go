package admin

import (
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
	d, err := readDocument(c.Writer, c.Request)
	var n NewClient
	if err == nil {
		err = d.apply(n.Fields(), nil)
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	cl, err := a.svc.CreateClient(c.Request.Context(), n)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.created(c, "/clients/"+cl.ClientID, cl, nil)
}

func (a *API) getClient(c *gin.Context) {
	cl, err := a.svc.GetClient(c.Request.Context(), c.Param("id"))
	a.render(c, http.StatusOK, cl, err)
}

// updateClient is PUT (the document replaces the metadata; what it omits
// takes its default) and PATCH (the document changes the members it has).
func (a *API) updateClient(c *gin.Context) {
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
	cl, err := a.svc.UpdateClient(c.Request.Context(), c.Param("id"), version, func(cur *Client, ch *ClientChange) error {
		if replace {
			*ch = ClientChange{}
		}
		return d.apply(ch.Fields(), map[string]any{"client_id": cur.ClientID, "enabled": cur.Enabled}, clientReadOnly...)
	})
	a.render(c, http.StatusOK, cl, err)
}

func (a *API) deleteClient(c *gin.Context) {
	version, err := action(c, nil)
	if err == nil {
		err = a.svc.DeleteClient(c.Request.Context(), c.Param("id"), version)
	}
	a.done(c, err)
}

func (a *API) enableClient(c *gin.Context) {
	a.clientAction(c, nil, func(version int64) (*Client, error) {
		return a.svc.EnableClient(c.Request.Context(), c.Param("id"), version)
	})
}

func (a *API) disableClient(c *gin.Context) {
	a.clientAction(c, nil, func(version int64) (*Client, error) {
		return a.svc.DisableClient(c.Request.Context(), c.Param("id"), version)
	})
}

func (a *API) rotateSecret(c *gin.Context) {
	var grace int64
	a.clientAction(c, map[string]any{"grace_period_seconds": &grace}, func(version int64) (*Client, error) {
		if grace < 0 || grace > int64(MaxSecretGrace/time.Second) {
			return nil, errGrace
		}
		return a.svc.RotateClientSecret(c.Request.Context(), c.Param("id"), version, time.Duration(grace)*time.Second)
	})
}

// clientAction runs an action on a client with the optional precondition
// and the members of fields.
func (a *API) clientAction(c *gin.Context, fields map[string]any, f func(version int64) (*Client, error)) {
	version, err := action(c, fields)
	var cl *Client
	if err == nil {
		cl, err = f(version)
	}
	a.render(c, http.StatusOK, cl, err)
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
	d, err := readDocument(c.Writer, c.Request)
	var n NewUser
	if err == nil {
		err = d.apply(n.Fields(), nil)
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	u, err := a.svc.CreateUser(c.Request.Context(), n)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.created(c, "/users/"+u.Sub, u, nil)
}

func (a *API) getUser(c *gin.Context) {
	u, err := a.svc.GetUser(c.Request.Context(), c.Param("id"))
	a.render(c, http.StatusOK, u, err)
}

func (a *API) updateUser(c *gin.Context) {
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
	u, err := a.svc.UpdateUser(c.Request.Context(), c.Param("id"), version, func(cur *User, ch *UserChange) error {
		if replace {
			*ch = UserChange{}
		}
		fixed := map[string]any{"sub": cur.Sub, "disabled": cur.Disabled, "company_id": cur.CompanyID}
		return d.apply(ch.Fields(), fixed, userReadOnly...)
	})
	a.render(c, http.StatusOK, u, err)
}

func (a *API) setPassword(c *gin.Context) {
	var password string
	a.userAction(c, map[string]any{"password": &password}, func(version int64) (*User, error) {
		return a.svc.SetPassword(c.Request.Context(), c.Param("id"), version, password)
	})
}

func (a *API) enableUser(c *gin.Context) {
	a.userAction(c, nil, func(version int64) (*User, error) {
		return a.svc.EnableUser(c.Request.Context(), c.Param("id"), version)
	})
}

func (a *API) disableUser(c *gin.Context) {
	a.userAction(c, nil, func(version int64) (*User, error) {
		return a.svc.DisableUser(c.Request.Context(), c.Param("id"), version)
	})
}

func (a *API) signOut(c *gin.Context) {
	a.userAction(c, nil, func(version int64) (*User, error) {
		return a.svc.SignOut(c.Request.Context(), c.Param("id"), version)
	})
}

// userAction runs an action on a user with the optional precondition and
// the members of fields.
func (a *API) userAction(c *gin.Context, fields map[string]any, f func(version int64) (*User, error)) {
	version, err := action(c, fields)
	var u *User
	if err == nil {
		u, err = f(version)
	}
	a.render(c, http.StatusOK, u, err)
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
	d, err := readDocument(c.Writer, c.Request)
	var n NewCompany
	if err == nil {
		err = d.apply(n.Fields(), nil)
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	co, err := a.svc.CreateCompany(c.Request.Context(), n)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.created(c, "/companies/"+co.ID, co, nil)
}

func (a *API) getCompany(c *gin.Context) {
	co, err := a.svc.GetCompany(c.Request.Context(), c.Param("id"))
	a.render(c, http.StatusOK, co, err)
}

func (a *API) updateCompany(c *gin.Context) {
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
	co, err := a.svc.UpdateCompany(c.Request.Context(), c.Param("id"), version, func(cur *Company, ch *CompanyChange) error {
		if replace {
			*ch = CompanyChange{}
		}
		return d.apply(ch.Fields(), map[string]any{"id": cur.ID}, companyReadOnly...)
	})
	a.render(c, http.StatusOK, co, err)
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
	a.userAction(c, nil, func(version int64) (*User, error) {
		return a.svc.LinkUser(c.Request.Context(), c.Param("id"), c.Param("user_id"), version)
	})
}

func (a *API) unlinkUser(c *gin.Context) {
	a.userAction(c, nil, func(version int64) (*User, error) {
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
