package partner

import (
	"slices"
	"strings"

	"github.com/tongxing/tongxing/models"
)

// Scopes a client registers to choose what its auth_codes give access to.
// The document has no scopes: every partner could read both the user and
// the company, masked. Registering none of ScopeUser and ScopeCompany keeps
// that; registering one narrows the client to it.
const (
	// ScopeUser lets an auth_code read getUserInfo.
	ScopeUser = "partner:user"
	// ScopeCompany lets an auth_code read getCompanyInfo.
	ScopeCompany = "partner:company"
	// ScopeFullProfile sends the personal fields in clear instead of
	// masked.
	ScopeFullProfile = "partner:full_profile"
)

var partnerScopes = []string{ScopeUser, ScopeCompany, ScopeFullProfile}

// codeScope is the scope of an auth_code issued to c: the partner scopes
// c registered, in a fixed order. The code keeps it, so what a code allows
// is fixed when it is issued.
func codeScope(c *models.Client) string {
	var s []string
	for _, p := range partnerScopes {
		if c.Scopes.Contains(p) {
			s = append(s, p)
		}
	}
	return strings.Join(s, " ")
}

// access is what an auth_code's scope allows.
type access struct {
	user, company, clear bool
}

func scopeAccess(scope string) access {
	f := strings.Fields(scope)
	a := access{
		user:    slices.Contains(f, ScopeUser),
		company: slices.Contains(f, ScopeCompany),
		clear:   slices.Contains(f, ScopeFullProfile),
	}
	if !a.user && !a.company {
		a.user, a.company = true, true
	}
	return a
}
