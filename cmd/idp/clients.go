package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/admin"
)

func (c *cli) clientCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "client", Short: "Manage OAuth clients"}
	cmd.AddCommand(c.clientCreateCommand(), c.clientListCommand(), c.clientGetCommand(), c.clientUpdateCommand(),
		c.clientEnableCommand(), c.clientDisableCommand(), c.clientRotateSecretCommand(), c.clientDeleteCommand())
	return cmd
}

func (c *cli) clientCreateCommand() *cobra.Command {
	var (
		n      admin.NewClient
		scopes []string
		public bool
	)
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Register a client and print it as RFC 7591 metadata (the secret is shown only here)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.runAdmin(cmd, 0, func(e *adminEnv) error {
				if public {
					n.TokenEndpointAuthMethod = models.AuthMethodNone
				}
				n.Scope = joinFields(scopes)
				cl, err := e.svc.CreateClient(e.ctx, n)
				if err != nil {
					return err
				}
				return printJSON(e.out, cl.Metadata)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&n.ClientName, "name", "", "client name (required)")
	f.StringSliceVar(&n.GrantTypes, "grant-type", nil, "grant types: authorization_code, refresh_token, client_credentials (repeat or comma-separate)")
	f.StringSliceVar(&n.RedirectURIs, "redirect-uri", nil, "redirect URIs, matched exactly")
	f.StringSliceVar(&n.PostLogoutRedirectURIs, "post-logout-redirect-uri", nil, "where logout may return the user")
	f.StringSliceVar(&scopes, "scope", nil, "scopes the client may ask for")
	f.BoolVar(&public, "public", false, "a public client (no secret, PKCE required)")
	f.StringVar(&n.ClientID, "client-id", "", "client ID (default: random)")
	f.StringVar(&n.ClientSecret, "client-secret", "", "client secret (default: random)")
	f.StringVar(&n.TokenEndpointAuthMethod, "auth-method", "", "client_secret_basic (default) or client_secret_post")
	f.StringVar(&n.AccessTokenFormat, "access-token-format", "", "opaque (default) or jwt (RFC 9068)")
	f.StringVar(&n.AccessTokenAlg, "access-token-alg", "", "JWT access token algorithm: RS256 or ES256")
	f.StringVar(&n.IDTokenAlg, "id-token-alg", "", "id_token algorithm: RS256 or ES256")
	f.StringSliceVar(&n.LegacyAPIs, "legacy-api", nil, "legacy APIs the client may call")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

func (c *cli) clientListCommand() *cobra.Command {
	var (
		p       pageFlags
		filter  admin.ClientFilter
		enabled bool
	)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List clients (a table, or JSON with --json)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("enabled") {
				filter.Enabled = &enabled
			}
			return c.runAdmin(cmd, 0, func(e *adminEnv) error {
				l, err := e.svc.ListClients(e.ctx, filter, p.page())
				if err != nil || p.json {
					return orPrint(e, l, err)
				}
				rows := make([][]string, len(l.Items))
				for i, cl := range l.Items {
					rows[i] = []string{cl.ClientID, cl.ClientName, strconv.FormatBool(cl.Enabled), strings.Join(cl.GrantTypes, ","),
						dash(cl.Scope), strconv.FormatInt(cl.Version, 10)}
				}
				return printTable(e.out, []string{"CLIENT ID", "NAME", "ENABLED", "GRANT TYPES", "SCOPE", "VERSION"}, rows)
			})
		},
	}
	p.register(cmd)
	f := cmd.Flags()
	f.StringVar(&filter.NameContains, "name", "", "only clients whose name contains this")
	f.BoolVar(&enabled, "enabled", true, "only enabled clients (--enabled=false: only disabled ones)")
	f.StringVar(&filter.LegacyAPI, "legacy-api", "", "only clients allowed this legacy API")
	return cmd
}

// orPrint prints v as JSON unless err.
func orPrint(e *adminEnv, v any, err error) error {
	if err != nil {
		return err
	}
	return printJSON(e.out, v)
}

func (c *cli) clientGetCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "get CLIENT_ID",
		Short: "Print a client as JSON (never its secret)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.runAdmin(cmd, 0, func(e *adminEnv) error {
				cl, err := e.svc.GetClient(e.ctx, args[0])
				return orPrint(e, cl, err)
			})
		},
	}
}

func (c *cli) clientUpdateCommand() *cobra.Command {
	var (
		ch      admin.ClientChange
		scopes  []string
		lives   [3]time.Duration
		version ifVersion
	)
	cmd := &cobra.Command{
		Use:   "update CLIENT_ID",
		Short: "Change a client's metadata: each flag given replaces that field; print the client",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fl := cmd.Flags()
			if fl.NFlag() == 0 || fl.NFlag() == 1 && fl.Changed("if-version") {
				return usageError{fmt.Errorf("nothing to change: give at least one field flag")}
			}
			return c.runAdmin(cmd, 0, func(e *adminEnv) error {
				cl, err := e.svc.UpdateClient(e.ctx, args[0], version.version, func(_ *admin.Client, cur *admin.ClientChange) error {
					for flag, apply := range map[string]func(){
						"name":                     func() { cur.ClientName = ch.ClientName },
						"redirect-uri":             func() { cur.RedirectURIs = ch.RedirectURIs },
						"post-logout-redirect-uri": func() { cur.PostLogoutRedirectURIs = ch.PostLogoutRedirectURIs },
						"grant-type":               func() { cur.GrantTypes = ch.GrantTypes },
						"scope":                    func() { cur.Scope = joinFields(scopes) },
						"auth-method":              func() { cur.TokenEndpointAuthMethod = ch.TokenEndpointAuthMethod },
						"access-token-format":      func() { cur.AccessTokenFormat = ch.AccessTokenFormat },
						"access-token-alg":         func() { cur.AccessTokenAlg = ch.AccessTokenAlg },
						"id-token-alg":             func() { cur.IDTokenAlg = ch.IDTokenAlg },
						"legacy-api":               func() { cur.LegacyAPIs = ch.LegacyAPIs },
						"access-token-lifetime":    func() { cur.AccessTokenLifetime = seconds(lives[0]) },
						"refresh-token-lifetime":   func() { cur.RefreshTokenLifetime = seconds(lives[1]) },
						"id-token-lifetime":        func() { cur.IDTokenLifetime = seconds(lives[2]) },
					} {
						if fl.Changed(flag) {
							apply()
						}
					}
					return nil
				})
				return orPrint(e, cl, err)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&ch.ClientName, "name", "", "client name")
	f.StringSliceVar(&ch.GrantTypes, "grant-type", nil, "grant types (replaces the list)")
	f.StringSliceVar(&ch.RedirectURIs, "redirect-uri", nil, "redirect URIs (replaces the list)")
	f.StringSliceVar(&ch.PostLogoutRedirectURIs, "post-logout-redirect-uri", nil, "post-logout redirect URIs (replaces the list)")
	f.StringSliceVar(&scopes, "scope", nil, "scopes (replaces the list)")
	f.StringVar(&ch.TokenEndpointAuthMethod, "auth-method", "", "client_secret_basic or client_secret_post")
	f.StringVar(&ch.AccessTokenFormat, "access-token-format", "", "opaque or jwt")
	f.StringVar(&ch.AccessTokenAlg, "access-token-alg", "", "JWT access token algorithm: RS256 or ES256")
	f.StringVar(&ch.IDTokenAlg, "id-token-alg", "", "id_token algorithm: RS256 or ES256")
	f.StringSliceVar(&ch.LegacyAPIs, "legacy-api", nil, "legacy APIs the client may call (replaces the list)")
	f.DurationVar(&lives[0], "access-token-lifetime", 0, "access token lifetime (0: the provider default)")
	f.DurationVar(&lives[1], "refresh-token-lifetime", 0, "refresh token lifetime (0: the provider default)")
	f.DurationVar(&lives[2], "id-token-lifetime", 0, "id_token lifetime (0: the provider default)")
	version.register(cmd)
	return cmd
}

// clientAction is a command that changes the state of one client.
func (c *cli) clientAction(use, short string, n needs, run func(e *adminEnv, id string, version int64) (*admin.Client, error)) *cobra.Command {
	byID := func(_ *adminEnv, id string) (string, error) { return id, nil }
	return recordAction(c, use+" CLIENT_ID", short, n, byID, run)
}

func (c *cli) clientEnableCommand() *cobra.Command {
	return c.clientAction("enable", "Let a disabled client authenticate again (its revoked tokens stay revoked)", 0,
		func(e *adminEnv, id string, v int64) (*admin.Client, error) { return e.svc.EnableClient(e.ctx, id, v) })
}

func (c *cli) clientDisableCommand() *cobra.Command {
	return c.clientAction("disable", "Stop a client and revoke every token it holds (needs the token store)", needTokens,
		func(e *adminEnv, id string, v int64) (*admin.Client, error) { return e.svc.DisableClient(e.ctx, id, v) })
}

func (c *cli) clientRotateSecretCommand() *cobra.Command {
	var grace time.Duration
	cmd := c.clientAction("rotate-secret", "Give a client a new secret, printed only here; the old one works for --grace", 0,
		func(e *adminEnv, id string, v int64) (*admin.Client, error) {
			return e.svc.RotateClientSecret(e.ctx, id, v, grace)
		})
	cmd.Flags().DurationVar(&grace, "grace", 0, "how long the old secret keeps working, e.g. 24h (0: it stops at once)")
	return cmd
}

func (c *cli) clientDeleteCommand() *cobra.Command {
	var version ifVersion
	cmd := &cobra.Command{
		Use:   "delete CLIENT_ID",
		Short: "Delete a client and every token it holds (needs the token store)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.runAdmin(cmd, needTokens, func(e *adminEnv) error {
				if err := e.svc.DeleteClient(e.ctx, args[0], version.version); err != nil {
					return err
				}
				_, err := fmt.Fprintf(e.out, "deleted client %s\n", args[0])
				return err
			})
		},
	}
	version.register(cmd)
	return cmd
}

// seconds is a lifetime as clients store it.
func seconds(d time.Duration) int64 { return int64(d / time.Second) }

func joinFields(list []string) string {
	out := ""
	for _, s := range list {
		if s == "" {
			continue
		}
		if out != "" {
			out += " "
		}
		out += s
	}
	return out
}
