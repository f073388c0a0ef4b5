package main

import (
	"bytes"
	"net/http"
	"regexp"
	"testing"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/clientreg"
)

var (
	demoClientLine = regexp.MustCompile(`(?m)^  client (\S+)\s+secret (.+)$`)
	demoUserLine   = regexp.MustCompile(`(?m)^  user   demo\s+password (\S+) \(sub (\S+)\)$`)
)

// demoOutput is what seedDemo printed.
type demoOutput struct {
	secrets  map[string]string
	password string
	sub      string
}

func seed(t *testing.T, ts *testServer) demoOutput {
	t.Helper()
	var out bytes.Buffer
	if err := seedDemo(t.Context(), ts.app, &out); err != nil {
		t.Fatalf("seedDemo: %v", err)
	}
	d := demoOutput{secrets: map[string]string{}}
	for _, m := range demoClientLine.FindAllStringSubmatch(out.String(), -1) {
		d.secrets[m[1]] = m[2]
	}
	m := demoUserLine.FindStringSubmatch(out.String())
	if len(d.secrets) != 3 || m == nil {
		t.Fatalf("seedDemo printed:\n%s", out.String())
	}
	d.password, d.sub = m[1], m[2]
	if d.secrets[demoPublic] != "(public: none)" || len(d.secrets[demoConfidential]) < 32 || len(d.secrets[demoService]) < 32 {
		t.Errorf("demo secrets %v", d.secrets)
	}
	return d
}

func TestServeDemo(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ts := startServer(t, b.config(t))
		d := seed(t, ts)
		service := clientreg.Metadata{ClientID: demoService, ClientSecret: d.secrets[demoService], TokenEndpointAuthMethod: models.AuthMethodBasic}
		issued, err := ts.serviceToken(t, service, "api")
		if err != nil || issued.AccessToken == "" {
			t.Fatalf("demo-service with the printed secret: %v", err)
		}

		web := clientreg.Metadata{ClientID: demoConfidential, ClientSecret: d.secrets[demoConfidential],
			TokenEndpointAuthMethod: models.AuthMethodBasic, RedirectURIs: []string{ts.URL + "/demo/callback"}}
		rp := ts.relyingParty(t, web, "openid", "profile")
		a := rp.authorize()
		if _, idt := rp.exchange(t, a, rp.callback(t, a, ts.userAgent(t).signIn(a.url, demoUsername, d.password))); idt.Subject != d.sub {
			t.Errorf("the demo user signed in as %s, printed sub %s", idt.Subject, d.sub)
		}

		spa := clientreg.Metadata{ClientID: demoPublic, TokenEndpointAuthMethod: models.AuthMethodNone, RedirectURIs: []string{"http://127.0.0.1:8081/callback"}}
		rp = ts.relyingParty(t, spa, "openid")
		a = rp.authorize()
		if _, idt := rp.exchange(t, a, rp.callback(t, a, ts.userAgent(t).signIn(a.url, demoUsername, d.password))); idt.Subject != d.sub {
			t.Errorf("the demo user signed in to demo-spa as %s, printed sub %s", idt.Subject, d.sub)
		}

		// Seeding again (the next --demo start) replaces every secret and
		// the password, and keeps the user.
		again := seed(t, ts)
		if again.sub != d.sub || again.password == d.password || again.secrets[demoService] == d.secrets[demoService] {
			t.Fatalf("second seeding: sub %s password changed %v secret changed %v", again.sub,
				again.password != d.password, again.secrets[demoService] != d.secrets[demoService])
		}
		// Tokens issued before stay valid: only the secret changed.
		if !ts.active(t, ts.resourceServer(t), issued.AccessToken) {
			t.Error("a token issued before seeding again is no longer active")
		}
		_, err = ts.serviceToken(t, service, "api")
		if re := retrieveError(t, err); re.Response.StatusCode != http.StatusUnauthorized || re.ErrorCode != "invalid_client" {
			t.Errorf("the replaced secret: %d %s", re.Response.StatusCode, re.ErrorCode)
		}
		service.ClientSecret = again.secrets[demoService]
		if _, err := ts.serviceToken(t, service, "api"); err != nil {
			t.Errorf("the new secret: %v", err)
		}
		ua := ts.userAgent(t)
		if p := ua.login(ua.get(rp.authorize().url), demoUsername, d.password); p.status != http.StatusUnauthorized {
			t.Errorf("the replaced password: %d", p.status)
		}
	})
}
