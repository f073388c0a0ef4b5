package provider

import (
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/credentials"
)

// checkPassword returns the ID of the enabled user with these credentials,
// or "" when they are wrong. It costs one password hash whether or not the
// user exists, so timing does not tell which usernames are taken.
//
// Each argon2id verification holds 19 MiB; at most one per core runs at a
// time, so a burst of logins queues instead of exhausting memory.
func (p *Provider) checkPassword(ctx context.Context, username, password string) (string, error) {
	select {
	case p.hashSlots <- struct{}{}:
		defer func() { <-p.hashSlots }()
	case <-ctx.Done():
		return "", ctx.Err()
	}
	u, err := p.users.GetByUsername(ctx, username)
	if errors.Is(err, models.ErrNotFound) || err == nil && u.PasswordHash == "" {
		credentials.BurnPasswordCheck(password)
		return "", nil
	}
	if err != nil {
		return "", err
	}
	ok, err := credentials.VerifyPassword(u.PasswordHash, password)
	if err != nil {
		return "", err
	}
	if !ok || u.Disabled {
		return "", nil
	}
	return u.ID, nil
}

// grantConsent remembers that the user granted the client the request's
// scopes, added to what it granted before.
func (p *Provider) grantConsent(r *http.Request, uid string, req *authzRequest) error {
	ctx := r.Context()
	c, err := p.consents.Get(ctx, uid, req.client.ID)
	if errors.Is(err, models.ErrNotFound) {
		c = &models.Consent{UserID: uid, ClientID: req.client.ID}
	} else if err != nil {
		return err
	}
	for _, s := range scopes(req.scope) {
		if !slices.Contains(c.Scopes, s) {
			c.Scopes = append(c.Scopes, s)
		}
	}
	return p.consents.Save(ctx, c)
}
