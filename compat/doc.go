// Package compat is the home of the legacy login APIs that existing partner
// integrations call. Each API is one subpackage that owns its request
// parsing, its envelope, its error-code table and its routes, and turns
// every call into a grant of the core through the provider's Go API
// (provider/core.go): no compat package mints or stores a token itself.
package compat
