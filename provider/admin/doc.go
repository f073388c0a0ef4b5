// Package admin is the administration of Tongxing's records: clients,
// users and their sessions and third-party identities, companies, signing
// keys and the audit log.
//
// Service holds every operation, with its validation, its effects on the
// token store (disabling a client or user revokes its tokens) and its
// audit record, so the REST API (API, mounted under /admin/v1 and
// described by docs/openapi/admin.yaml) and the idp command line share
// one implementation. Client registrations are checked by
// provider/clientreg, the same rules as at creation.
//
// Errors of the API are values of Error, rendered in one place as
// {"error": code, "error_description": text, "fields": [...]}; records
// carry a version, sent as the ETag, that updates must name (If-Match).
package admin
