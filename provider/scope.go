package provider

import (
	"slices"
	"strings"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/oautherr"
)

// Scopes with meaning to the provider itself (OIDC Core §5.4).
const (
	scopeOpenID  = "openid"
	scopeProfile = "profile"
	scopeEmail   = "email"
	scopePhone   = "phone"
	scopeOffline = "offline_access"
)

// StandardScopes are offered in discovery.
var StandardScopes = []string{scopeOpenID, scopeProfile, scopeEmail, scopePhone, scopeOffline}

// scopes splits a scope parameter (RFC 6749 §3.3), dropping repeats.
func scopes(s string) []string {
	var out []string
	for _, f := range strings.Fields(s) {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

func hasScope(s, want string) bool { return slices.Contains(strings.Fields(s), want) }

// checkScopes returns the requested scopes if the client registered them
// all, or invalid_scope naming the first it did not.
func checkScopes(c *models.Client, requested string) (string, error) {
	list := scopes(requested)
	for _, s := range list {
		if !c.Scopes.Contains(s) {
			return "", oautherr.ErrInvalidScope.WithDescription("scope " + s + " is not allowed for this client")
		}
	}
	return strings.Join(list, " "), nil
}

// subset reports whether every scope of a is in b.
func subset(a, b string) bool {
	have := strings.Fields(b)
	for _, s := range strings.Fields(a) {
		if !slices.Contains(have, s) {
			return false
		}
	}
	return true
}
