package models

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// auditRepo is Audit over gorm.
type auditRepo struct{ db *gorm.DB }

// Append stores e.
func (r auditRepo) Append(ctx context.Context, e *AuditEvent) error {
	if e.Time.IsZero() {
		e.Time = now()
	}
	e.Time = dbTime(e.Time)
	if err := r.db.WithContext(ctx).Create(e).Error; err != nil {
		return dbError("append audit event", err)
	}
	return nil
}

// List returns matching events, newest first.
func (r auditRepo) List(ctx context.Context, f AuditFilter, p Page) ([]AuditEvent, error) {
	q := r.db.WithContext(ctx).Model(&AuditEvent{})
	if f.Actor != "" {
		q = q.Where("actor = ?", f.Actor)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.Target != "" {
		q = q.Where("target = ?", f.Target)
	}
	if !f.Since.IsZero() {
		q = q.Where("time >= ?", dbTime(f.Since))
	}
	if !f.Until.IsZero() {
		q = q.Where("time < ?", dbTime(f.Until))
	}
	offset, limit := window(p)
	var out []AuditEvent
	if err := q.Order("time DESC, id DESC").Offset(offset).Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("models: list audit events: %w", err)
	}
	return out, nil
}
