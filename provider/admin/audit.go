package admin

import (
	"context"
	"encoding/json"
	"time"

	"github.com/tongxing/tongxing/models"
)

// AuditEntry is a line of the audit log.
type AuditEntry struct {
	ID     uint64    `json:"id"`
	Time   time.Time `json:"time"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Target string    `json:"target"`
	Source string    `json:"source"`
	Detail string    `json:"detail,omitempty"`
	// Before and After are the record before and after the change.
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`
}

// AuditFilter narrows the audit log.
type AuditFilter = models.AuditFilter

// ListAudit returns one page of the matching audit events, newest first.
func (s *Service) ListAudit(ctx context.Context, f AuditFilter, p Page) (Listing[AuditEntry], error) {
	if err := checkPage(p); err != nil {
		return Listing[AuditEntry]{}, err
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Since.Before(f.Until) {
		return Listing[AuditEntry]{}, invalidField("until", "must be after since")
	}
	list, err := s.records.Audit.List(ctx, f, p)
	if err != nil {
		return Listing[AuditEntry]{}, err
	}
	out := make([]AuditEntry, len(list))
	for i, e := range list {
		out[i] = AuditEntry{ID: e.ID, Time: e.Time, Actor: e.Actor, Action: e.Action, Target: e.Target,
			Source: e.Source, Detail: e.Detail, Before: rawJSON(e.Before), After: rawJSON(e.After)}
	}
	return listing(out, p), nil
}

// rawJSON passes a stored document through; text that is not JSON (from
// another writer of the log) becomes a JSON string.
func rawJSON(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	if json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	b, _ := json.Marshal(s)
	return b
}
