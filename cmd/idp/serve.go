package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/spf13/cobra"

	"github.com/tongxing/tongxing/config"
	"github.com/tongxing/tongxing/provider"
	"github.com/tongxing/tongxing/provider/admin"
)

func (c *cli) serveCommand() *cobra.Command {
	var demo bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the provider (migrating the database first)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := c.config()
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return serve(ctx, cfg, cmd.OutOrStdout(), cmd.ErrOrStderr(), demo)
		},
	}
	cmd.Flags().BoolVar(&demo, "demo", false, "seed demo clients and a demo user, and print them")
	return cmd
}

// serve runs the provider until ctx ends.
func serve(ctx context.Context, cfg config.Config, out, logOut io.Writer, demo bool) error {
	a, err := openApp(ctx, cfg, logOut, true)
	if err != nil {
		return err
	}
	defer a.Close()
	srv, err := newServer(ctx, a)
	if err != nil {
		return err
	}
	if demo {
		if err := seedDemo(ctx, a, out); err != nil {
			return fmt.Errorf("seeding demo data: %w", err)
		}
		if err := seedDemoPartner(ctx, a, srv.provider, out); err != nil {
			return fmt.Errorf("seeding the partner open API demo: %w", err)
		}
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	if cfg.Debug.PprofAddr != "" {
		ps, err := listenPprof(cfg.Debug.PprofAddr)
		if err != nil {
			ln.Close()
			return err
		}
		defer ps.close()
		fmt.Fprintf(out, "Profiling handlers on %s (debug.pprof_addr)\n", ps.URL())
	}
	hs := &http.Server{
		Handler:           srv.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	fmt.Fprintf(out, "Tongxing listening on %s (issuer %s)\n", ln.Addr(), cfg.Issuer)
	fmt.Fprintf(out, "Create a client:  idp client create --name my-app --grant-type authorization_code,refresh_token --redirect-uri http://localhost:3000/callback --scope openid,profile\n")
	fmt.Fprintf(out, "Create a user:    idp user create --username alice --password 'a long passphrase'\n")
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// server is the assembled HTTP handler and the background work it needs.
type server struct {
	handler  http.Handler
	provider *provider.Provider
}

// newServer assembles the provider and its routes on a's dependencies.
// Background work (key reloading, following record changes) stops with
// ctx.
func newServer(ctx context.Context, a *app) (*server, error) {
	ts, err := a.tokenStore()
	if err != nil {
		return nil, err
	}
	set, err := a.signingKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading signing keys: %w", err)
	}
	go set.Run(ctx)
	cfg := a.cfg
	sqlDB, err := a.db.DB()
	if err != nil {
		return nil, err
	}
	p, err := provider.New(provider.Config{
		Issuer:   cfg.Issuer,
		Clients:  a.store.Clients,
		Users:    a.store.Users,
		Consents: a.store.Consents,
		Audit:    a.store.Audit,
		Tokens:   ts,
		Signer:   set,
		Secrets:  a.secrets,
		Lifetimes: provider.Lifetimes{
			Access:  cfg.Tokens.AccessTokenLifetime,
			Refresh: cfg.Tokens.RefreshTokenLifetime,
			IDToken: cfg.Tokens.IDTokenLifetime,
			Code:    cfg.Tokens.CodeLifetime,
			Session: cfg.Session.Lifetime,
		},
		IDTokenAlg:     cfg.Keys.SigningAlgorithm(),
		RecordCacheTTL: cfg.Database.CacheTTL,
		Changes:        a.changeFeed(),
		SessionCookie:  cfg.Session.CookieName,
		Ready:          map[string]func(context.Context) error{"database": sqlDB.PingContext},
		Log:            a.log,
	})
	if err != nil {
		return nil, err
	}
	go p.Follow(ctx)
	gin.SetMode(gin.ReleaseMode)
	engine := gin.New()
	engine.Use(gin.Recovery(), requestLog(a.log))
	engine.HandleMethodNotAllowed = true
	p.Routes(engine)
	if err := mountCompat(engine, a, p); err != nil {
		return nil, fmt.Errorf("compat: %w", err)
	}
	if err := mountAdmin(engine, a, p, ts, set); err != nil {
		return nil, fmt.Errorf("admin API: %w", err)
	}
	engine.NoRoute(func(c *gin.Context) { admin.Unmatched(c, http.StatusNotFound) })
	engine.NoMethod(func(c *gin.Context) { admin.Unmatched(c, http.StatusMethodNotAllowed) })
	return &server{handler: engine, provider: p}, nil
}

// requestLog logs each request's method, path, status and duration. Never
// the query string or body: they carry codes, tokens and passwords.
func requestLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		// Off below debug: then the request pays for nothing here.
		if !log.Enabled(c.Request.Context(), slog.LevelDebug) {
			c.Next()
			return
		}
		start := time.Now()
		c.Next()
		log.LogAttrs(c.Request.Context(), slog.LevelDebug, "request",
			slog.String("method", c.Request.Method),
			slog.String("path", c.Request.URL.Path),
			slog.Int("status", c.Writer.Status()),
			slog.Duration("took", time.Since(start)))
	}
}
