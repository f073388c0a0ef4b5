// Package partner serves the partner open API (开放API系统), the legacy API
// partners call to turn a user's access token into an auth_code and read
// that user's profile and company with it:
//
//	GET /apis/rest/authService/authorize/{json|xml}
//	GET /apis/rest/userService/getUserInfo/{json|xml}
//	GET /apis/rest/companyService/getCompanyInfo/{json|xml}
//
// It implements the partner open API document (开放API系统说明文档) as
// its wire contract: paths, Basic client authentication, the t_/p_
// timestamp signature, the envelope, field names and types, masking, and
// the error-code table. docs/compat/partner-open-api.md records how each
// call maps onto the core and the decisions where the document is silent.
//
// The package owns request parsing (request.go), the code table
// (errors.go), the envelope in JSON and XML (envelope.go), the three calls
// (calls.go) and the data they answer (views.go, mask.go, scope.go), and
// its routes (api.go). Everything else is the core's: the
// access token is any user access token of the provider, the auth_code is
// an authorization code the provider issues and stores (Core.IssueCode),
// and client authentication is the provider's. The package mints and stores
// nothing itself.
package partner
