// Package models owns Tongxing's records (clients, users, companies,
// third-party identities, consents, signing keys, settings, the audit log)
// and the repositories over them.
//
// Each record family has one small repository interface with the sentinel
// errors ErrNotFound, ErrAlreadyExists and ErrConflict. The implementation is
// gorm over either the embedded SQLite database or MySQL/MariaDB; driver
// errors are turned into the sentinels at this package's edge so callers never
// see a driver type. The conformance suite in models/conformance runs against
// both databases.
package models
