package provider_test

import (
	"net/url"
	"testing"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/clientreg"
)

func TestSecurityEventsAreAudited(t *testing.T) {
	e := newEnv(t)
	svcID, svcSecret := e.client(clientreg.Metadata{ClientID: "svc", ClientName: "svc", GrantTypes: []string{"client_credentials"}, Scope: "api"})
	webID, webSecret := e.webClient("web")
	e.user("max", "max-password")

	e.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, svcID, "wrong")
	first := e.codeFlow(webID, webSecret, "max", "max-password")
	e.post("/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first.str("refresh_token")}}, webID, webSecret)
	e.post("/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first.str("refresh_token")}}, webID, webSecret)
	tok := e.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, svcID, svcSecret).str("access_token")
	e.post("/oauth2/revoke", url.Values{"token": {tok}}, svcID, svcSecret)

	tests := []struct {
		action, actor string
	}{
		{"client_auth_failed", "svc"},
		{"refresh_token_reused", ""},
		{"token_revoked", "svc"},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			got, err := e.records.Audit.List(t.Context(), models.AuditFilter{Action: tt.action}, models.Page{})
			if err != nil || len(got) != 1 {
				t.Fatalf("%d events, err %v", len(got), err)
			}
			if got[0].Actor != tt.actor || got[0].Source != "127.0.0.1" {
				t.Fatalf("%+v", got[0])
			}
		})
	}
	all, _ := e.records.Audit.List(t.Context(), models.AuditFilter{}, models.Page{})
	for _, ev := range all {
		for _, secret := range []string{svcSecret, webSecret, tok, first.str("refresh_token")} {
			if ev.Detail == secret || ev.Target == secret || ev.Actor == secret {
				t.Fatalf("audit event carries a secret: %+v", ev)
			}
		}
	}
}
