package conformance

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/go-oauth2/oauth2/v4"
	oautherrors "github.com/go-oauth2/oauth2/v4/errors"
	"github.com/go-oauth2/oauth2/v4/manage"
	"github.com/go-oauth2/oauth2/v4/models"

	"github.com/tongxing/tongxing/provider/tokens"
)

// clients is the smallest oauth2.ClientStore: a fixed set of clients.
type clients map[string]*models.Client

// GetByID returns the client with that ID.
func (c clients) GetByID(_ context.Context, id string) (oauth2.ClientInfo, error) {
	if cli, ok := c[id]; ok {
		return cli, nil
	}
	return nil, fmt.Errorf("client %q: %w", id, oautherrors.ErrInvalidClient)
}

const (
	rpID       = "rp"
	rpSecret   = "rp-secret"
	rpRedirect = "https://rp.example/cb"
)

// newManager returns go-oauth2's manager on the store, with one
// confidential client and a family for every new grant, as the provider
// configures it.
func newManager(store tokens.Store) *manage.Manager {
	m := manage.NewDefaultManager()
	m.MapTokenStorage(store)
	m.MapClientStorage(clients{rpID: {ID: rpID, Secret: rpSecret, Domain: "https://rp.example"}})
	m.SetRefreshTokenCfg(&manage.RefreshingConfig{
		IsGenerateRefresh: true, IsRemoveAccess: true, IsRemoveRefreshing: true,
	})
	var n atomic.Int64
	m.SetExtractExtensionHandler(func(_ *oauth2.TokenGenerateRequest, ti oauth2.ExtendableTokenInfo) {
		ext := ti.GetExtension()
		if ext == nil {
			ext = url.Values{}
		}
		if ext.Get(tokens.ExtFamily) == "" {
			ext.Set(tokens.ExtFamily, fmt.Sprintf("fam-%d", n.Add(1)))
		}
		ti.SetExtension(ext)
	})
	return m
}

// testManager runs the authorization code and refresh grants through
// go-oauth2's manager on the store.
func testManager(t *testing.T, newStore Backend) {
	t.Run("code, refresh, replay", func(t *testing.T) {
		f := setup(t, newStore)
		m := newManager(f.store)
		ctx := f.ctx
		code, err := m.GenerateAuthToken(ctx, oauth2.Code, &oauth2.TokenGenerateRequest{
			ClientID: rpID, UserID: "u1", RedirectURI: rpRedirect, Scope: "openid offline_access",
		})
		if err != nil {
			t.Fatalf("GenerateAuthToken: %v", err)
		}
		fam := tokens.Family(code)
		redeem := &oauth2.TokenGenerateRequest{
			ClientID: rpID, ClientSecret: rpSecret, RedirectURI: rpRedirect, Code: code.GetCode(),
		}
		first, err := m.GenerateAccessToken(ctx, oauth2.AuthorizationCode, redeem)
		if err != nil {
			t.Fatalf("redeeming the code: %v", err)
		}
		if tokens.Family(first) != fam || first.GetUserID() != "u1" || first.GetRefresh() == "" {
			t.Fatalf("token from code: family %q user %q refresh %q", tokens.Family(first), first.GetUserID(), first.GetRefresh())
		}
		if _, err := m.GenerateAccessToken(ctx, oauth2.AuthorizationCode, redeem); !errors.Is(err, oautherrors.ErrInvalidAuthorizeCode) {
			t.Errorf("replaying the code: %v, want ErrInvalidAuthorizeCode", err)
		}
		if got, err := f.store.Consumed(ctx, code.GetCode()); err != nil || got != fam {
			t.Errorf("Consumed(code) = %q, %v; want %q", got, err, fam)
		}
		if ti, err := m.LoadAccessToken(ctx, first.GetAccess()); err != nil || ti.GetUserID() != "u1" {
			t.Errorf("LoadAccessToken: %v", err)
		}

		second, err := m.RefreshAccessToken(ctx, &oauth2.TokenGenerateRequest{
			ClientID: rpID, ClientSecret: rpSecret, Refresh: first.GetRefresh(),
		})
		if err != nil {
			t.Fatalf("refreshing: %v", err)
		}
		if second.GetRefresh() == first.GetRefresh() || second.GetAccess() == first.GetAccess() {
			t.Error("refresh did not rotate both tokens")
		}
		if tokens.Family(second) != fam {
			t.Errorf("refreshed family %q, want %q", tokens.Family(second), fam)
		}
		if _, err := m.LoadAccessToken(ctx, first.GetAccess()); err == nil {
			t.Error("the replaced access token still loads")
		}
		if _, err := m.LoadAccessToken(ctx, second.GetAccess()); err != nil {
			t.Errorf("LoadAccessToken(refreshed): %v", err)
		}
		if _, err := m.RefreshAccessToken(ctx, &oauth2.TokenGenerateRequest{
			ClientID: rpID, ClientSecret: rpSecret, Refresh: first.GetRefresh(),
		}); !errors.Is(err, oautherrors.ErrInvalidRefreshToken) {
			t.Errorf("reusing the old refresh token: %v, want ErrInvalidRefreshToken", err)
		}
		if got, err := f.store.Consumed(ctx, first.GetRefresh()); err != nil || got != fam {
			t.Errorf("Consumed(old refresh) = %q, %v; want %q", got, err, fam)
		}

		if err := f.store.RevokeFamily(ctx, fam); err != nil {
			t.Fatal(err)
		}
		if _, err := m.LoadAccessToken(ctx, second.GetAccess()); err == nil {
			t.Error("access token loads after its family was revoked")
		}
		if _, err := m.LoadRefreshToken(ctx, second.GetRefresh()); err == nil {
			t.Error("refresh token loads after its family was revoked")
		}
	})

	t.Run("concurrent redemption", func(t *testing.T) {
		f := setup(t, newStore)
		m := newManager(f.store)
		code, err := m.GenerateAuthToken(f.ctx, oauth2.Code, &oauth2.TokenGenerateRequest{
			ClientID: rpID, UserID: "u1", RedirectURI: rpRedirect, Scope: "openid",
		})
		if err != nil {
			t.Fatal(err)
		}
		const racers = 16
		var wins atomic.Int64
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range racers {
			wg.Go(func() {
				<-start
				if _, err := m.GenerateAccessToken(f.ctx, oauth2.AuthorizationCode, &oauth2.TokenGenerateRequest{
					ClientID: rpID, ClientSecret: rpSecret, RedirectURI: rpRedirect, Code: code.GetCode(),
				}); err == nil {
					wins.Add(1)
				}
			})
		}
		close(start)
		wg.Wait()
		if wins.Load() != 1 {
			t.Errorf("%d of %d concurrent redemptions of one code got a token, want 1", wins.Load(), racers)
		}
	})

	t.Run("client_credentials", func(t *testing.T) {
		f := setup(t, newStore)
		m := newManager(f.store)
		ti, err := m.GenerateAccessToken(f.ctx, oauth2.ClientCredentials, &oauth2.TokenGenerateRequest{
			ClientID: rpID, ClientSecret: rpSecret, Scope: "api",
		})
		if err != nil {
			t.Fatal(err)
		}
		if ti.GetRefresh() != "" {
			t.Error("client_credentials issued a refresh token")
		}
		if _, err := m.LoadAccessToken(f.ctx, ti.GetAccess()); err != nil {
			t.Errorf("LoadAccessToken: %v", err)
		}
		if err := m.RemoveAccessToken(f.ctx, ti.GetAccess()); err != nil {
			t.Fatal(err)
		}
		if _, err := m.LoadAccessToken(f.ctx, ti.GetAccess()); !errors.Is(err, oautherrors.ErrInvalidAccessToken) {
			t.Errorf("LoadAccessToken after removal: %v, want ErrInvalidAccessToken", err)
		}
	})
}
