package models

import (
	"context"
	"time"
)

// AuditEvent is one line of the audit log: an admin change or a security
// event of the core. Before and After are JSON documents of the target
// without any secret; either may be empty.
type AuditEvent struct {
	ID     uint64    `gorm:"primaryKey;autoIncrement"`
	Time   time.Time `gorm:"not null;index"`
	Actor  string    `gorm:"size:128;not null;default:'';index"`
	Action string    `gorm:"size:64;not null;index"`
	Target string    `gorm:"size:128;not null;default:'';index"`
	// Source is where the request came from: an IP address, or "cli".
	Source string `gorm:"size:64;not null;default:''"`
	Detail string `gorm:"size:512;not null;default:''"`
	Before string `gorm:"type:text"`
	After  string `gorm:"type:text"`
}

// AuditFilter narrows an audit listing; zero fields match everything.
type AuditFilter struct {
	Actor  string
	Action string
	Target string
	Since  time.Time // inclusive
	Until  time.Time // exclusive
}

// Audit stores the audit log. It is append-only.
type Audit interface {
	// Append stores e, setting its ID and, when zero, its Time.
	Append(ctx context.Context, e *AuditEvent) error
	// List returns matching events, newest first.
	List(ctx context.Context, f AuditFilter, p Page) ([]AuditEvent, error)
}
