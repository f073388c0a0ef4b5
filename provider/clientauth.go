package provider

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/oautherr"
)

var errClientAuth = oautherr.ErrInvalidClient.WithDescription("client authentication failed")

// authenticateClient identifies and authenticates the client of a token,
// introspection or revocation request (RFC 6749 §2.3). The client must use
// the one method it registered: client_secret_basic, client_secret_post,
// or none for a public client.
func (p *Provider) authenticateClient(r *http.Request, form url.Values) (*models.Client, error) {
	id, secret, basic := r.BasicAuth()
	method := models.AuthMethodBasic
	switch {
	case basic:
		// RFC 6749 §2.3.1: both parts are form-urlencoded inside Basic.
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			return nil, oautherr.ErrInvalidRequest.WithDescription("malformed Basic credentials")
		}
		if form.Has("client_secret") {
			return nil, oautherr.ErrInvalidRequest.WithDescription("more than one client authentication method")
		}
		if fid := form.Get("client_id"); fid != "" && fid != id {
			return nil, oautherr.ErrInvalidRequest.WithDescription("client_id does not match the Basic credentials")
		}
	case r.Header.Get("Authorization") != "":
		return nil, oautherr.ErrInvalidClient.WithDescription("unsupported Authorization scheme")
	case form.Has("client_secret"):
		id, secret, method = form.Get("client_id"), form.Get("client_secret"), models.AuthMethodPost
	default:
		id, method = form.Get("client_id"), models.AuthMethodNone
	}
	if id == "" {
		return nil, oautherr.ErrInvalidClient.WithDescription("no client authentication")
	}
	c, err := p.checkClient(r.Context(), id, secret, method)
	if err != nil {
		p.event(r.Context(), Event{Action: "client_auth_failed", Actor: id, Target: "client:" + id, Detail: "method " + method})
	}
	return c, err
}

// checkClient loads client id and checks it is enabled and authenticates
// with method and secret.
//
// The record may come from the cache; when it fails the check, it is read
// afresh and checked again, so a client created, re-enabled or given a new
// secret a moment ago is accepted at once on every instance.
func (p *Provider) checkClient(ctx context.Context, id, secret, method string) (*models.Client, error) {
	if c, err := p.clientRecords.get(ctx, id); err == nil && p.clientAccepts(c, secret, method) {
		return c, nil
	}
	c, err := p.clientRecords.fresh(ctx, id)
	if errors.Is(err, models.ErrNotFound) {
		return nil, errClientAuth
	}
	if err != nil {
		return nil, err
	}
	if !p.clientAccepts(c, secret, method) {
		return nil, errClientAuth
	}
	return c, nil
}

// clientAccepts reports whether c is enabled and authenticates with method
// and secret.
func (p *Provider) clientAccepts(c *models.Client, secret, method string) bool {
	return c.Enabled && registeredMethod(c) == method &&
		(method == models.AuthMethodNone || p.secretMatches(c, secret))
}

// secretMatches checks secret against the client's current secret and,
// until its grace period ends by the provider's clock, against the one the
// last rotation replaced.
func (p *Provider) secretMatches(c *models.Client, secret string) bool {
	current := p.secrets.Verify(c.SecretHash, secret)
	previous := len(c.PreviousSecretHash) > 0 && c.PreviousSecretExpiresAt != nil &&
		p.now().Before(*c.PreviousSecretExpiresAt) && p.secrets.Verify(c.PreviousSecretHash, secret)
	return current || previous
}

// registeredMethod is the authentication method a client must use.
func registeredMethod(c *models.Client) string {
	if c.Public {
		return models.AuthMethodNone
	}
	if c.TokenEndpointAuthMethod == "" {
		return models.AuthMethodBasic
	}
	return c.TokenEndpointAuthMethod
}
