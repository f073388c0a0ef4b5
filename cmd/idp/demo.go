package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/changes"
	"github.com/tongxing/tongxing/provider/clientreg"
	"github.com/tongxing/tongxing/provider/credentials"
)

// Demo records. Their secrets are made anew at every --demo start and
// printed, so a demo never runs on a secret published anywhere.
const (
	demoConfidential = "demo-web"
	demoPublic       = "demo-spa"
	demoService      = "demo-service"
	demoUsername     = "demo"
)

// seedDemo creates (or refreshes) the demo clients and user and prints
// how to use them.
func seedDemo(ctx context.Context, a *app, out io.Writer) error {
	callback := a.cfg.Issuer + "/demo/callback"
	clients := []clientreg.Metadata{
		{ClientID: demoConfidential, ClientName: "Demo web app", GrantTypes: []string{"authorization_code", "refresh_token"},
			RedirectURIs: []string{callback, "http://localhost:8081/callback"}, PostLogoutRedirectURIs: []string{a.cfg.Issuer + "/demo/signed-out"},
			Scope: "openid profile email phone offline_access"},
		{ClientID: demoPublic, ClientName: "Demo single-page app", GrantTypes: []string{"authorization_code", "refresh_token"},
			RedirectURIs: []string{"http://localhost:8081/callback", "http://127.0.0.1:8081/callback"}, Scope: "openid profile",
			TokenEndpointAuthMethod: models.AuthMethodNone},
		{ClientID: demoService, ClientName: "Demo service", GrantTypes: []string{"client_credentials"}, Scope: "api"},
	}
	fmt.Fprintln(out, "Demo data:")
	for _, md := range clients {
		printed, err := upsertClient(ctx, a, md)
		if err != nil {
			return fmt.Errorf("client %s: %w", md.ClientID, err)
		}
		fmt.Fprintf(out, "  client %-13s secret %s\n", printed.ClientID, orNone(printed.ClientSecret))
	}
	password := credentials.RandomToken(9)
	u, err := a.store.Users.GetByUsername(ctx, demoUsername)
	switch {
	case errors.Is(err, models.ErrNotFound):
		u, err = createUser(ctx, a, newUser{username: demoUsername, password: password, nickname: "Demo", realName: "演示用户"})
	case err == nil:
		u.PasswordHash = credentials.HashPassword(password, credentials.DefaultPasswordParams)
		u.Disabled = false
		if err = a.store.Users.Update(ctx, u); err == nil {
			err = announce(ctx, a, changes.User, u.ID)
		}
	}
	if err != nil {
		return fmt.Errorf("user %s: %w", demoUsername, err)
	}
	fmt.Fprintf(out, "  user   %-13s password %s (sub %s)\n", demoUsername, password, u.ID)
	fmt.Fprintf(out, "  try: curl -s -u %s:<secret> -d grant_type=client_credentials %s/oauth2/token\n", demoService, a.cfg.Issuer)
	return nil
}

// upsertClient creates the client, or gives an existing one this
// metadata and a fresh secret.
func upsertClient(ctx context.Context, a *app, md clientreg.Metadata) (clientreg.Metadata, error) {
	c, out, err := clientreg.New(md, a.secrets, time.Now())
	if err != nil {
		return out, err
	}
	old, err := a.store.Clients.Get(ctx, c.ID)
	if errors.Is(err, models.ErrNotFound) {
		return out, a.store.Clients.Create(ctx, c)
	}
	if err != nil {
		return out, err
	}
	// The tokens already issued stay as valid as they were: a fresh
	// secret only stops new requests made with the old one.
	c.Version, c.CreatedAt, c.TokenGeneration = old.Version, old.CreatedAt, old.TokenGeneration
	if err := a.store.Clients.Update(ctx, c); err != nil {
		return out, err
	}
	return out, announce(ctx, a, changes.Client, c.ID)
}

// announce tells the servers that cache records that seeding changed one.
// Seeding runs before this server listens, but other servers sharing
// Redis may be serving, and seeding again replaces secrets and passwords:
// none may keep accepting the old ones from its cache.
func announce(ctx context.Context, a *app, kind changes.Kind, id string) error {
	if err := a.changeFeed().Publish(ctx, changes.Notice{Kind: kind, ID: id}); err != nil {
		return fmt.Errorf("telling running servers of the re-seeded %s %s: %w", kind, id, err)
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(public: none)"
	}
	return s
}
