package provider

import (
	"net/http"
)

// Paths of the non-interactive endpoints.
const (
	pathToken      = "/oauth2/token"
	pathIntrospect = "/oauth2/introspect"
	pathRevoke     = "/oauth2/revoke"
	pathLogout     = "/oauth2/logout"
	pathUserinfo   = "/userinfo"
	pathJWKS       = "/.well-known/jwks.json"
)

// discovery is the provider metadata of OIDC Discovery §3 and RFC 8414 §2.
type discovery struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	UserinfoEndpoint                  string   `json:"userinfo_endpoint"`
	JWKSURI                           string   `json:"jwks_uri"`
	EndSessionEndpoint                string   `json:"end_session_endpoint"`
	IntrospectionEndpoint             string   `json:"introspection_endpoint"`
	RevocationEndpoint                string   `json:"revocation_endpoint"`
	ScopesSupported                   []string `json:"scopes_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	ResponseModesSupported            []string `json:"response_modes_supported"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	IntrospectionAuthMethodsSupported []string `json:"introspection_endpoint_auth_methods_supported"`
	RevocationAuthMethodsSupported    []string `json:"revocation_endpoint_auth_methods_supported"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
	ClaimsSupported                   []string `json:"claims_supported"`
	PromptValuesSupported             []string `json:"prompt_values_supported"`
	RequestParameterSupported         bool     `json:"request_parameter_supported"`
	RequestURIParameterSupported      bool     `json:"request_uri_parameter_supported"`
	AuthorizationResponseISSSupported bool     `json:"authorization_response_iss_parameter_supported"`
}

func (p *Provider) metadata() discovery {
	secretMethods := []string{"client_secret_basic", "client_secret_post"}
	return discovery{
		Issuer:                            p.issuer,
		AuthorizationEndpoint:             p.issuer + pathAuthorize,
		TokenEndpoint:                     p.issuer + pathToken,
		UserinfoEndpoint:                  p.issuer + pathUserinfo,
		JWKSURI:                           p.issuer + pathJWKS,
		EndSessionEndpoint:                p.issuer + pathLogout,
		IntrospectionEndpoint:             p.issuer + pathIntrospect,
		RevocationEndpoint:                p.issuer + pathRevoke,
		ScopesSupported:                   StandardScopes,
		ResponseTypesSupported:            []string{"code"},
		ResponseModesSupported:            []string{"query"},
		GrantTypesSupported:               []string{grantAuthorizationCode, grantRefreshToken, grantClientCredentials},
		SubjectTypesSupported:             []string{"public"},
		IDTokenSigningAlgValuesSupported:  p.signer.Algorithms(),
		TokenEndpointAuthMethodsSupported: append(secretMethods, "none"),
		IntrospectionAuthMethodsSupported: secretMethods,
		RevocationAuthMethodsSupported:    append(secretMethods, "none"),
		CodeChallengeMethodsSupported:     []string{"S256"},
		ClaimsSupported: []string{"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "sid",
			"name", "nickname", "preferred_username", "picture", "gender", "updated_at",
			"email", "email_verified", "phone_number", "phone_number_verified"},
		PromptValuesSupported:             []string{"none", "login", "consent", "select_account"},
		AuthorizationResponseISSSupported: true,
	}
}

// handleDiscovery serves both /.well-known documents: OIDC Discovery's
// fields are a superset of RFC 8414's.
func (p *Provider) handleDiscovery(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	writeJSONCached(w, p.metadata())
}

func (p *Provider) handleJWKS(w http.ResponseWriter, r *http.Request) {
	// Short enough that a rotation's new key is fetched before it signs.
	w.Header().Set("Cache-Control", "public, max-age=60")
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	writeJSONCached(w, p.signer.JWKS())
}
