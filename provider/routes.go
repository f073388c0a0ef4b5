package provider

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// Routes mounts the provider's endpoints on r.
func (p *Provider) Routes(r gin.IRouter) {
	h := func(f http.HandlerFunc) gin.HandlerFunc {
		return func(c *gin.Context) {
			// The audit log records where a security event came from.
			f(c.Writer, c.Request.WithContext(WithSource(c.Request.Context(), remoteIP(c.Request))))
		}
	}
	r.GET("/.well-known/openid-configuration", h(p.handleDiscovery))
	r.GET("/.well-known/oauth-authorization-server", h(p.handleDiscovery))
	r.GET(pathJWKS, h(p.handleJWKS))
	r.GET(pathAuthorize, h(p.handleAuthorize))
	r.POST(pathAuthorize, h(p.handleAuthorize))
	r.GET(pathLogin, h(p.handleLoginPage))
	r.POST(pathLogin, h(p.handleLogin))
	r.POST(pathConsent, h(p.handleConsent))
	r.POST(pathToken, h(p.handleToken))
	r.GET(pathUserinfo, h(p.handleUserinfo))
	r.POST(pathUserinfo, h(p.handleUserinfo))
	r.POST(pathIntrospect, h(p.handleIntrospect))
	r.POST(pathRevoke, h(p.handleRevoke))
	r.GET(pathLogout, h(p.handleLogout))
	r.POST(pathLogout, h(p.handleLogout))
	r.GET("/healthz", h(p.handleHealth))
	r.GET("/readyz", h(p.handleReady))
}

// handleHealth answers while the process serves.
func (p *Provider) handleHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
}

// handleReady answers 200 when the token store and every other dependency
// respond, 503 naming the failing ones otherwise.
func (p *Provider) handleReady(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{}
	status := http.StatusOK
	probe := func(name string, f func(context.Context) error) {
		checks[name] = "ok"
		if err := f(ctx); err != nil {
			p.log.WarnContext(ctx, "readiness check failed", "check", name, "error", err)
			checks[name] = "unavailable"
			status = http.StatusServiceUnavailable
		}
	}
	probe("token_store", p.tokens.Ping)
	for name, f := range p.ready {
		probe(name, f)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"status": map[bool]string{true: "ok", false: "unavailable"}[status == http.StatusOK], "checks": checks})
}

// writeJSONCached writes a public document (the caller set its caching).
func writeJSONCached(w http.ResponseWriter, v any) {
	_ = json.NewEncoder(w).Encode(v)
}
