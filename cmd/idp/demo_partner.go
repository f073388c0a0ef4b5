package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/tongxing/tongxing/compat/partner"
	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider"
	"github.com/tongxing/tongxing/provider/changes"
	"github.com/tongxing/tongxing/provider/clientreg"
	"github.com/tongxing/tongxing/provider/credentials"
)

// The partner open API's demo records. The client keeps the credentials
// its document publishes, unlike every other demo client, so that the
// document's example requests work verbatim against a demo server; it
// exists only where --demo put it. The user and company hold clear values
// that mask to exactly the document's example responses.
const (
	demoPartnerClient   = "1102084294"
	demoPartnerSecret   = "aku8hCyXBd9SqYkT"
	demoPartnerUsername = "lixiaoming40"
	demoPartnerCompany  = "demo-partner-company"
	demoTokenGrant      = "urn:tongxing:demo"
	demoTokenLifetime   = 24 * time.Hour
)

// seedDemoPartner creates (or refreshes) the partner client, a user with a
// company, and issues that user an access token through the core, as a
// sign-in to the demo web app would; it prints them with ready-to-run
// requests.
func seedDemoPartner(ctx context.Context, a *app, p *provider.Provider, out io.Writer) error {
	md := clientreg.Metadata{ClientID: demoPartnerClient, ClientSecret: demoPartnerSecret, ClientName: "Partner open API test client",
		GrantTypes: []string{"client_credentials"}, Scope: partner.ScopeUser + " " + partner.ScopeCompany,
		LegacyAPIs: []string{partner.LegacyAPI}}
	if _, err := upsertClient(ctx, a, md); err != nil {
		return fmt.Errorf("client %s: %w", md.ClientID, err)
	}
	// The document's "created" is 2017-11-30 10:37:30 local time.
	created := time.Date(2017, 11, 30, 10, 37, 30, 0, a.cfg.Location())
	co := models.Company{ID: demoPartnerCompany, Name: "水磨沟区新疆味道大盘鸡餐饮店", Type: "1", TaxNumber: "652324873203404",
		Address: "乌鲁木齐市水磨沟区南湖东路北一巷186号", LegalPersonPhone: "13399990170", LegalPersonName: "李小明", CreatedAt: created}
	if err := upsertCompany(ctx, a, &co); err != nil {
		return fmt.Errorf("company %s: %w", co.ID, err)
	}
	password := credentials.RandomToken(9)
	u, err := upsertPartnerUser(ctx, a, password, co.ID, created)
	if err != nil {
		return fmt.Errorf("user %s: %w", demoPartnerUsername, err)
	}
	web, err := a.store.Clients.Get(ctx, demoConfidential)
	if err != nil {
		return fmt.Errorf("client %s: %w", demoConfidential, err)
	}
	tok, err := p.IssueToken(ctx, provider.TokenRequest{Client: web, UserID: u.ID, Scope: "openid profile",
		Grant: demoTokenGrant, Lifetime: demoTokenLifetime})
	if err != nil {
		return fmt.Errorf("access token: %w", err)
	}

	fmt.Fprintln(out, "Partner open API demo (the document's test client):")
	fmt.Fprintf(out, "  partner client %s secret %s\n", demoPartnerClient, demoPartnerSecret)
	fmt.Fprintf(out, "  partner user   %s password %s (sub %s, company %s)\n", u.Username, password, u.ID, co.ID)
	fmt.Fprintf(out, "  partner user's access_token %s (from %s, valid %.0fh)\n", tok.GetAccess(), demoConfidential, demoTokenLifetime.Hours())
	if !a.cfg.Compat.Partner.Enabled {
		fmt.Fprintln(out, "  compat.partner.enabled is false: the partner open API is not served")
		return nil
	}
	const stamp = `T=$(($(date +%s)*1000)) && `
	const sig = `&t_=$T&p_=$((T%10000*3+2345))`
	base := a.cfg.Issuer + "/apis/rest/"
	fmt.Fprintf(out, "  try:  %scurl -s -u %s:%s \"%sauthService/authorize/json?access_token=%s%s\"\n",
		stamp, demoPartnerClient, demoPartnerSecret, base, tok.GetAccess(), sig)
	fmt.Fprintf(out, "  then: %scurl -s -u %s:%s \"%suserService/getUserInfo/json?access_token=%s&client_id=%s&auth_code=<auth_code>%s\"\n",
		stamp, demoPartnerClient, demoPartnerSecret, base, tok.GetAccess(), demoPartnerClient, sig)
	return nil
}

// upsertCompany creates the company, or gives the existing one these
// values.
func upsertCompany(ctx context.Context, a *app, co *models.Company) error {
	old, err := a.store.Companies.Get(ctx, co.ID)
	if errors.Is(err, models.ErrNotFound) {
		return a.store.Companies.Create(ctx, co)
	}
	if err != nil {
		return err
	}
	co.Version, co.CreatedAt = old.Version, old.CreatedAt
	return a.store.Companies.Update(ctx, co)
}

// upsertPartnerUser creates the partner demo user, or resets the existing
// one to the demo values with a fresh password.
func upsertPartnerUser(ctx context.Context, a *app, password, companyID string, created time.Time) (*models.User, error) {
	u, err := a.store.Users.GetByUsername(ctx, demoPartnerUsername)
	fresh := errors.Is(err, models.ErrNotFound)
	if fresh {
		u, err = &models.User{ID: "u_" + credentials.RandomToken(15), Username: demoPartnerUsername, CreatedAt: created}, nil
	}
	if err != nil {
		return nil, err
	}
	phone := "13899990170"
	u.PasswordHash = credentials.HashPassword(password, credentials.DefaultPasswordParams)
	u.Nickname, u.RealName, u.Sex, u.Phone, u.IsAdmin, u.Disabled = "小明", "李小明", 3, &phone, true, false
	u.Avatar = "http://avatar.xxx.dev.com/000/00/11/52_avatar_small"
	u.CompanyID = &companyID
	if fresh {
		return u, a.store.Users.Create(ctx, u)
	}
	if err := a.store.Users.Update(ctx, u); err != nil {
		return nil, err
	}
	return u, announce(ctx, a, changes.User, u.ID)
}
