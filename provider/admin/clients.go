package admin

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/changes"
	"github.com/tongxing/tongxing/provider/clientreg"
	"github.com/tongxing/tongxing/provider/credentials"
)

// Client is a client as the API shows it: its RFC 7591 metadata (with the
// secret only in the answer to a creation or a rotation) and its record's
// state.
type Client struct {
	clientreg.Metadata
	AccessTokenLifetime  int64 `json:"access_token_lifetime"`
	RefreshTokenLifetime int64 `json:"refresh_token_lifetime"`
	IDTokenLifetime      int64 `json:"id_token_lifetime"`
	// PreviousSecretExpiresAt is when the secret replaced by the last
	// rotation stops working; absent when it already has.
	PreviousSecretExpiresAt *time.Time `json:"previous_secret_expires_at,omitempty"`
	Version                 int64      `json:"version"`
	CreatedAt               time.Time  `json:"created_at"`
	UpdatedAt               time.Time  `json:"updated_at"`
}

// ETagVersion is the version the ETag of the client names.
func (c *Client) ETagVersion() int64 { return c.Version }

// describeClient is the representation of a record, without secrets.
func (s *Service) describeClient(c *models.Client) *Client {
	out := &Client{
		Metadata:            clientreg.Describe(c),
		AccessTokenLifetime: c.AccessTokenLifetime, RefreshTokenLifetime: c.RefreshTokenLifetime, IDTokenLifetime: c.IDTokenLifetime,
		Version: c.Version, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
	if c.PreviousSecretExpiresAt != nil && s.clock().Before(*c.PreviousSecretExpiresAt) {
		t := *c.PreviousSecretExpiresAt
		out.PreviousSecretExpiresAt = &t
	}
	return out
}

// ClientChange is the metadata of a client an update may change. Its
// fields are named as in RFC 7591.
type ClientChange struct {
	ClientName              string
	RedirectURIs            []string
	PostLogoutRedirectURIs  []string
	GrantTypes              []string
	Scope                   string
	TokenEndpointAuthMethod string
	AccessTokenFormat       string
	AccessTokenAlg          string
	IDTokenAlg              string
	LegacyAPIs              []string
	AccessTokenLifetime     int64
	RefreshTokenLifetime    int64
	IDTokenLifetime         int64
}

// Fields maps the JSON names of the change to its fields.
func (ch *ClientChange) Fields() map[string]any {
	return map[string]any{
		"client_name":                  &ch.ClientName,
		"redirect_uris":                &ch.RedirectURIs,
		"post_logout_redirect_uris":    &ch.PostLogoutRedirectURIs,
		"grant_types":                  &ch.GrantTypes,
		"scope":                        &ch.Scope,
		"token_endpoint_auth_method":   &ch.TokenEndpointAuthMethod,
		"access_token_format":          &ch.AccessTokenFormat,
		"access_token_signing_alg":     &ch.AccessTokenAlg,
		"id_token_signed_response_alg": &ch.IDTokenAlg,
		"legacy_apis":                  &ch.LegacyAPIs,
		"access_token_lifetime":        &ch.AccessTokenLifetime,
		"refresh_token_lifetime":       &ch.RefreshTokenLifetime,
		"id_token_lifetime":            &ch.IDTokenLifetime,
	}
}

// clientChangeOf is the editable metadata of a record.
func clientChangeOf(c *models.Client) ClientChange {
	return ClientChange{
		ClientName: c.Name, RedirectURIs: c.RedirectURIs, PostLogoutRedirectURIs: c.PostLogoutRedirectURIs,
		GrantTypes: c.GrantTypes, Scope: strings.Join(c.Scopes, " "), TokenEndpointAuthMethod: c.TokenEndpointAuthMethod,
		AccessTokenFormat: c.AccessTokenFormat, AccessTokenAlg: c.AccessTokenAlg, IDTokenAlg: c.IDTokenAlg,
		LegacyAPIs: c.LegacyAPIs, AccessTokenLifetime: c.AccessTokenLifetime, RefreshTokenLifetime: c.RefreshTokenLifetime,
		IDTokenLifetime: c.IDTokenLifetime,
	}
}

// applyTo writes the change into a record.
func (ch ClientChange) applyTo(c *models.Client) {
	c.Name = ch.ClientName
	c.RedirectURIs = ch.RedirectURIs
	c.PostLogoutRedirectURIs = ch.PostLogoutRedirectURIs
	c.GrantTypes = ch.GrantTypes
	c.Scopes = strings.Fields(ch.Scope)
	c.TokenEndpointAuthMethod = ch.TokenEndpointAuthMethod
	c.AccessTokenFormat = ch.AccessTokenFormat
	c.AccessTokenAlg = ch.AccessTokenAlg
	c.IDTokenAlg = ch.IDTokenAlg
	c.LegacyAPIs = ch.LegacyAPIs
	c.AccessTokenLifetime = ch.AccessTokenLifetime
	c.RefreshTokenLifetime = ch.RefreshTokenLifetime
	c.IDTokenLifetime = ch.IDTokenLifetime
}

// NewClient is a client to register: its metadata, and optionally its ID
// and secret (both random when empty). A token_endpoint_auth_method of none
// makes a public client.
type NewClient struct {
	ClientChange
	ClientID     string
	ClientSecret string
}

// Fields maps the JSON names of a registration to its fields.
func (n *NewClient) Fields() map[string]any {
	f := n.ClientChange.Fields()
	f["client_id"] = &n.ClientID
	f["client_secret"] = &n.ClientSecret
	return f
}

// clientFieldErrors turns the errors of clientreg into field errors.
func clientFieldErrors(err error) error {
	var fe fieldErrors
	var walk func(error)
	walk = func(err error) {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		var f *clientreg.FieldError
		if errors.As(err, &f) {
			fe.add(f.Field, f.Reason)
		}
	}
	walk(err)
	if len(fe) == 0 {
		return err
	}
	return fe.err()
}

// registrationErrors is the refusal of clientreg.New, which does not know
// the lifetimes, completed with the problems of the lifetimes as the rules
// of clientreg see them on the registration applied to a record.
func registrationErrors(n NewClient, err error) error {
	var base *Error
	if !errors.As(clientFieldErrors(err), &base) {
		return err
	}
	probe := &models.Client{}
	n.ClientChange.applyTo(probe)
	var extra *Error
	if errors.As(clientFieldErrors(clientreg.Validate(probe)), &extra) {
		for _, f := range extra.Fields {
			if strings.HasSuffix(f.Field, "_lifetime") {
				base.Fields = append(base.Fields, f)
			}
		}
	}
	return base
}

// CreateClient registers a client by the rules of clientreg and returns it
// with its secret, which is shown only here.
func (s *Service) CreateClient(ctx context.Context, n NewClient) (*Client, error) {
	md := clientreg.Metadata{
		ClientID: n.ClientID, ClientSecret: n.ClientSecret, ClientName: n.ClientName, RedirectURIs: n.RedirectURIs,
		PostLogoutRedirectURIs: n.PostLogoutRedirectURIs, GrantTypes: n.GrantTypes, Scope: n.Scope,
		TokenEndpointAuthMethod: n.TokenEndpointAuthMethod, AccessTokenFormat: n.AccessTokenFormat,
		AccessTokenAlg: n.AccessTokenAlg, IDTokenAlg: n.IDTokenAlg, LegacyAPIs: n.LegacyAPIs,
	}
	c, out, err := clientreg.New(md, s.secrets, s.now())
	if err != nil {
		return nil, registrationErrors(n, err)
	}
	c.AccessTokenLifetime, c.RefreshTokenLifetime, c.IDTokenLifetime = n.AccessTokenLifetime, n.RefreshTokenLifetime, n.IDTokenLifetime
	if err := clientreg.Validate(c); err != nil {
		return nil, clientFieldErrors(err)
	}
	what := fmt.Sprintf("client %q", c.ID)
	if err := s.records.Clients.Create(ctx, c); err != nil {
		return nil, storeError(err, what)
	}
	view := s.describeClient(c)
	s.record(ctx, change{action: "client.create", target: "client:" + c.ID, after: view})
	view.ClientSecret = out.ClientSecret
	return view, nil
}

// ClientFilter narrows a client listing.
type ClientFilter = models.ClientFilter

// ListClients returns one page of the clients matching f.
func (s *Service) ListClients(ctx context.Context, f ClientFilter, p Page) (Listing[*Client], error) {
	if err := checkPage(p); err != nil {
		return Listing[*Client]{}, err
	}
	list, err := s.records.Clients.List(ctx, f, p)
	if err != nil {
		return Listing[*Client]{}, err
	}
	out := make([]*Client, len(list))
	for i := range list {
		out[i] = s.describeClient(&list[i])
	}
	return listing(out, p), nil
}

// GetClient returns the client with the ID.
func (s *Service) GetClient(ctx context.Context, id string) (*Client, error) {
	c, err := s.getClient(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.describeClient(c), nil
}

func (s *Service) getClient(ctx context.Context, id string) (*models.Client, error) {
	c, err := s.records.Clients.Get(ctx, id)
	return c, storeError(err, fmt.Sprintf("client %q", id))
}

// ClientEdit changes the metadata of a client; it sees the client as it
// is. It returns the problems of its input as an *Error.
type ClientEdit func(current *Client, ch *ClientChange) error

// UpdateClient changes a client's metadata, if version (when not 0) is the
// client's. The result must pass the registration rules; the client cannot
// turn from confidential to public or back.
func (s *Service) UpdateClient(ctx context.Context, id string, version int64, edit ClientEdit) (*Client, error) {
	var out *Client
	err := retry(version, func() error {
		c, err := s.getClient(ctx, id)
		if err != nil {
			return err
		}
		if err := checkVersion(fmt.Sprintf("client %q", id), version, c.Version); err != nil {
			return err
		}
		before := s.describeClient(c)
		ch := clientChangeOf(c)
		if err := edit(before, &ch); err != nil {
			return err
		}
		next := *c
		ch.applyTo(&next)
		if next.TokenEndpointAuthMethod == "" {
			next.TokenEndpointAuthMethod = models.AuthMethodBasic
			if c.Public {
				next.TokenEndpointAuthMethod = models.AuthMethodNone
			}
		}
		if next.AccessTokenFormat == "" {
			next.AccessTokenFormat = models.TokenFormatOpaque
		}
		if (next.TokenEndpointAuthMethod == models.AuthMethodNone) != c.Public {
			return invalidField("token_endpoint_auth_method", "a client cannot change between public (none) and confidential; register a new client")
		}
		if err := clientreg.Validate(&next); err != nil {
			return clientFieldErrors(err)
		}
		after := s.describeClient(&next)
		if auditJSON(after) == auditJSON(before) {
			out = before
			return nil
		}
		if err := s.records.Clients.Update(ctx, &next); err != nil {
			return storeError(err, fmt.Sprintf("client %q", id))
		}
		s.announce(ctx, changes.Client, id)
		out = s.describeClient(&next)
		s.record(ctx, change{action: "client.update", target: "client:" + id, before: before, after: out})
		return nil
	})
	return out, err
}

// setClient changes the state of a client with f, which reports whether
// it changed anything, and records action when it did.
func (s *Service) setClient(ctx context.Context, id string, version int64, action, detail string, f func(c *models.Client) (bool, error)) (*Client, bool, error) {
	var (
		out     *Client
		changed bool
	)
	err := retry(version, func() error {
		c, err := s.getClient(ctx, id)
		if err != nil {
			return err
		}
		if err := checkVersion(fmt.Sprintf("client %q", id), version, c.Version); err != nil {
			return err
		}
		before := s.describeClient(c)
		if changed, err = f(c); err != nil || !changed {
			out = before
			return err
		}
		if err := s.records.Clients.Update(ctx, c); err != nil {
			return storeError(err, fmt.Sprintf("client %q", id))
		}
		s.announce(ctx, changes.Client, id)
		out = s.describeClient(c)
		s.record(ctx, change{action: action, target: "client:" + id, detail: detail, before: before, after: out})
		return nil
	})
	return out, changed, err
}

// EnableClient lets a disabled client authenticate again. Tokens revoked
// when it was disabled stay revoked.
func (s *Service) EnableClient(ctx context.Context, id string, version int64) (*Client, error) {
	c, _, err := s.setClient(ctx, id, version, "client.enable", "", func(c *models.Client) (bool, error) {
		changed := !c.Enabled
		c.Enabled = true
		return changed, nil
	})
	return c, err
}

// DisableClient stops a client: it can no longer authenticate, and every
// token it holds is refused at once (the provider checks the client of
// each token) and then removed from the token store.
func (s *Service) DisableClient(ctx context.Context, id string, version int64) (*Client, error) {
	ts, err := s.tokenStore()
	if err != nil {
		return nil, err
	}
	c, _, err := s.setClient(ctx, id, version, "client.disable", "", func(c *models.Client) (bool, error) {
		changed := c.Enabled
		c.Enabled = false
		if changed {
			// Tokens of the old generation stay refused after a later
			// enable, wherever the token store still keeps them.
			c.TokenGeneration = credentials.RandomToken(8)
		}
		return changed, nil
	})
	if err != nil {
		return nil, err
	}
	// Also when it was disabled already: a retry finishes a revocation
	// that failed before.
	if err := ts.RevokeClient(ctx, id); err != nil {
		return nil, fmt.Errorf("revoking the tokens of client %q: %w", id, err)
	}
	return c, nil
}

// MaxSecretGrace bounds how long a replaced secret may keep working.
const MaxSecretGrace = 90 * 24 * time.Hour

var errGrace = invalidField("grace_period_seconds", fmt.Sprintf("must be 0 to %d seconds", int64(MaxSecretGrace/time.Second)))

// RotateClientSecret gives a confidential client a new secret, returned
// with the client and shown only here. The old secret keeps working for
// grace (0: it stops at once); a secret replaced earlier and still in its
// grace period stops at once.
func (s *Service) RotateClientSecret(ctx context.Context, id string, version int64, grace time.Duration) (*Client, error) {
	if grace < 0 || grace > MaxSecretGrace {
		return nil, errGrace
	}
	var secret string
	detail := fmt.Sprintf("grace %ds", int64(grace/time.Second))
	c, _, err := s.setClient(ctx, id, version, "client.rotate_secret", detail, func(c *models.Client) (bool, error) {
		if c.Public {
			return false, ErrInvalidRequest.WithDescription("a public client has no secret to rotate")
		}
		secret = credentials.NewClientSecret()
		c.PreviousSecretHash, c.PreviousSecretExpiresAt = nil, nil
		if grace > 0 {
			until := s.now().Add(grace)
			c.PreviousSecretHash, c.PreviousSecretExpiresAt = c.SecretHash, &until
		}
		c.SecretHash = s.secrets.Hash(secret)
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	c.ClientSecret = secret
	return c, nil
}

// DeleteClient removes a client, if version (when not 0) is its version,
// and every token it holds.
func (s *Service) DeleteClient(ctx context.Context, id string, version int64) error {
	ts, err := s.tokenStore()
	if err != nil {
		return err
	}
	c, err := s.getClient(ctx, id)
	if err != nil {
		return err
	}
	what := fmt.Sprintf("client %q", id)
	if err := checkVersion(what, version, c.Version); err != nil {
		return err
	}
	if err := s.records.Clients.Delete(ctx, id); err != nil {
		return storeError(err, what)
	}
	s.announce(ctx, changes.Client, id)
	s.record(ctx, change{action: "client.delete", target: "client:" + id, before: s.describeClient(c)})
	if err := ts.RevokeClient(ctx, id); err != nil {
		return fmt.Errorf("revoking the tokens of client %q: %w", id, err)
	}
	if _, err := s.records.Consents.DeleteClient(ctx, id); err != nil {
		return fmt.Errorf("deleting the consents given to client %q: %w", id, err)
	}
	return nil
}
