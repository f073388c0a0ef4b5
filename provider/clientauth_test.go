package provider_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tongxing/tongxing/provider/clientreg"
	"github.com/tongxing/tongxing/provider/credentials"
	"github.com/tongxing/tongxing/provider/oautherr"
)

// A rotated secret keeps working until PreviousSecretExpiresAt by the
// provider's clock, and only then.
func TestPreviousSecretGrace(t *testing.T) {
	e := newEnv(t)
	id, old := e.client(clientreg.Metadata{ClientID: "svc", ClientName: "svc", GrantTypes: []string{"client_credentials"}, Scope: "api"})
	ctx := context.Background()
	c, err := e.records.Clients.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	current := credentials.NewClientSecret()
	until := e.clock.Now().Add(time.Minute)
	c.PreviousSecretHash, c.PreviousSecretExpiresAt, c.SecretHash = c.SecretHash, &until, e.secrets.Hash(current)
	if err := e.records.Clients.Update(ctx, c); err != nil {
		t.Fatal(err)
	}
	check := func(secret string, ok bool) {
		t.Helper()
		_, err := e.p.AuthenticateClient(ctx, id, secret)
		if ok && err != nil || !ok && !errors.Is(err, oautherr.ErrInvalidClient) {
			t.Fatalf("secret accepted = %v (%v), want %v", err == nil, err, ok)
		}
	}
	check(current, true)
	check(old, true)
	check("wrong", false)
	e.clock.Advance(time.Minute - time.Millisecond)
	check(old, true)
	e.clock.Advance(time.Millisecond)
	check(old, false)
	check(current, true)

	// A previous hash without an expiry is never honoured.
	c, _ = e.records.Clients.Get(ctx, id)
	c.PreviousSecretExpiresAt = nil
	if err := e.records.Clients.Update(ctx, c); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(-time.Hour)
	check(old, false)
}
