package provider

import (
	"context"
	"net"
	"net/http"

	"github.com/tongxing/tongxing/models"
)

// Event is a security event of the core: it goes to the audit log and the
// process log. It never carries a secret, code or token.
type Event struct {
	Action string // e.g. client_auth_failed, login_failed, code_reused
	Actor  string // who acted: a client ID, a username
	Target string // what it concerns: client:ID, user:ID, family:ID
	Detail string
}

// event records e. A failure to write the audit log is logged, never
// turned into a failure of the request that caused it.
func (p *Provider) event(ctx context.Context, e Event) {
	p.log.WarnContext(ctx, "security event", "action", e.Action, "actor", e.Actor, "target", e.Target, "detail", e.Detail)
	if p.audit == nil {
		return
	}
	err := p.audit.Append(ctx, &models.AuditEvent{
		Time: p.now(), Actor: e.Actor, Action: e.Action, Target: e.Target, Detail: e.Detail, Source: Source(ctx),
	})
	if err != nil {
		p.log.ErrorContext(ctx, "writing the audit log failed", "action", e.Action, "error", err)
	}
}

type sourceKey struct{}

// WithSource returns ctx knowing where its request came from.
func WithSource(ctx context.Context, source string) context.Context {
	return context.WithValue(ctx, sourceKey{}, source)
}

// Source returns where the request of ctx came from, or "".
func Source(ctx context.Context) string {
	s, _ := ctx.Value(sourceKey{}).(string)
	return s
}

// remoteIP is the address of the peer that sent r.
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
