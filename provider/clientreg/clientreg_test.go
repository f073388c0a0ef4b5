package clientreg

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tongxing/tongxing/provider/credentials"
)

func hasher(t *testing.T) *credentials.SecretHasher {
	h, err := credentials.NewSecretHasher(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestNew(t *testing.T) {
	h := hasher(t)
	now := time.Unix(1700000000, 0)
	web := Metadata{ClientName: "web", GrantTypes: []string{"authorization_code", "refresh_token"},
		RedirectURIs: []string{"https://rp.example/cb"}, Scope: "openid profile"}
	c, md, err := New(web, h, now)
	if err != nil {
		t.Fatal(err)
	}
	if md.ClientSecret == "" || !h.Verify(c.SecretHash, md.ClientSecret) {
		t.Error("confidential client got no usable secret")
	}
	if md.ClientID == "" || md.ClientID != c.ID || md.TokenEndpointAuthMethod != "client_secret_basic" ||
		md.ClientIDIssuedAt != now.Unix() || md.ResponseTypes[0] != "code" || md.Scope != "openid profile" {
		t.Errorf("metadata %+v", md)
	}
	if d := Describe(c); d.ClientSecret != "" {
		t.Error("Describe leaks a secret")
	}

	public := Metadata{ClientID: "spa", ClientName: "spa", GrantTypes: []string{"authorization_code"},
		RedirectURIs: []string{"http://127.0.0.1:3000/cb"}, TokenEndpointAuthMethod: "none"}
	c, md, err = New(public, h, now)
	if err != nil || !c.Public || md.ClientSecret != "" || c.SecretHash != nil {
		t.Errorf("public client: %+v %+v %v", c, md, err)
	}
	public.ClientSecret = "x"
	if _, _, err := New(public, h, now); err == nil {
		t.Error("public client with a secret accepted")
	}
}

func TestValidate(t *testing.T) {
	h := hasher(t)
	base := func() Metadata {
		return Metadata{ClientID: "c1", ClientName: "n", GrantTypes: []string{"authorization_code"},
			RedirectURIs: []string{"https://rp.example/cb"}, Scope: "openid"}
	}
	tests := []struct {
		name  string
		edit  func(*Metadata)
		field string
	}{
		{"bad id", func(m *Metadata) { m.ClientID = "a b" }, "client_id"},
		{"no name", func(m *Metadata) { m.ClientName = "" }, "client_name"},
		{"no grant", func(m *Metadata) { m.GrantTypes = nil }, "grant_types"},
		{"unknown grant", func(m *Metadata) { m.GrantTypes = []string{"password"} }, "grant_types"},
		{"implicit", func(m *Metadata) { m.GrantTypes = []string{"implicit"} }, "grant_types"},
		{"refresh alone", func(m *Metadata) { m.GrantTypes = []string{"refresh_token"}; m.RedirectURIs = nil }, "grant_types"},
		{"public cc", func(m *Metadata) {
			m.TokenEndpointAuthMethod = "none"
			m.GrantTypes = []string{"client_credentials"}
		}, "grant_types"},
		{"code without redirect", func(m *Metadata) { m.RedirectURIs = nil }, "redirect_uris"},
		{"relative redirect", func(m *Metadata) { m.RedirectURIs = []string{"/cb"} }, "redirect_uris"},
		{"http remote", func(m *Metadata) { m.RedirectURIs = []string{"http://rp.example/cb"} }, "redirect_uris"},
		{"fragment", func(m *Metadata) { m.RedirectURIs = []string{"https://rp.example/cb#x"} }, "redirect_uris"},
		{"javascript", func(m *Metadata) { m.RedirectURIs = []string{"javascript:alert(1)"} }, "redirect_uris"},
		{"bad logout uri", func(m *Metadata) { m.PostLogoutRedirectURIs = []string{"ftp://x"} }, "post_logout_redirect_uris"},
		{"bad scope", func(m *Metadata) { m.Scope = `a"b` }, "scope"},
		{"bad method", func(m *Metadata) { m.TokenEndpointAuthMethod = "private_key_jwt" }, "token_endpoint_auth_method"},
		{"bad format", func(m *Metadata) { m.AccessTokenFormat = "paseto" }, "access_token_format"},
		{"bad alg", func(m *Metadata) { m.IDTokenAlg = "HS256" }, "id_token_signed_response_alg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			md := base()
			tt.edit(&md)
			_, _, err := New(md, h, time.Now())
			var fe *FieldError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.field+":") {
				t.Fatalf("error %v, want one naming %s", err, tt.field)
			}
		})
	}
	for _, ok := range []string{"http://localhost:8080/cb", "http://[::1]/cb", "com.example.app:/cb", "https://rp.example/cb?x=1"} {
		md := base()
		md.RedirectURIs = []string{ok}
		if _, _, err := New(md, h, time.Now()); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
}
