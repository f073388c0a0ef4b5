package main

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/clientreg"
)

func (c *cli) clientCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "client", Short: "Manage OAuth clients"}
	cmd.AddCommand(c.clientCreateCommand())
	return cmd
}

func (c *cli) clientCreateCommand() *cobra.Command {
	var (
		md     clientreg.Metadata
		scopes []string
		public bool
	)
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Register a client and print it as RFC 7591 metadata (the secret is shown only here)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := c.config()
			if err != nil {
				return err
			}
			a, err := openApp(cmd.Context(), cfg, cmd.ErrOrStderr(), true)
			if err != nil {
				return err
			}
			defer a.Close()
			if public {
				md.TokenEndpointAuthMethod = models.AuthMethodNone
			}
			md.Scope = joinFields(scopes)
			client, out, err := clientreg.New(md, a.secrets, time.Now())
			if err != nil {
				return usageError{err}
			}
			if err := a.store.Clients.Create(cmd.Context(), client); err != nil {
				return err
			}
			return printJSON(cmd.OutOrStdout(), out)
		},
	}
	f := cmd.Flags()
	f.StringVar(&md.ClientName, "name", "", "client name (required)")
	f.StringSliceVar(&md.GrantTypes, "grant-type", nil, "grant types: authorization_code, refresh_token, client_credentials (repeat or comma-separate)")
	f.StringSliceVar(&md.RedirectURIs, "redirect-uri", nil, "redirect URIs, matched exactly")
	f.StringSliceVar(&md.PostLogoutRedirectURIs, "post-logout-redirect-uri", nil, "where logout may return the user")
	f.StringSliceVar(&scopes, "scope", nil, "scopes the client may ask for")
	f.BoolVar(&public, "public", false, "a public client (no secret, PKCE required)")
	f.StringVar(&md.ClientID, "client-id", "", "client ID (default: random)")
	f.StringVar(&md.ClientSecret, "client-secret", "", "client secret (default: random)")
	f.StringVar(&md.TokenEndpointAuthMethod, "auth-method", "", "client_secret_basic (default) or client_secret_post")
	f.StringVar(&md.AccessTokenFormat, "access-token-format", "", "opaque (default) or jwt (RFC 9068)")
	f.StringVar(&md.AccessTokenAlg, "access-token-alg", "", "JWT access token algorithm: RS256 or ES256")
	f.StringVar(&md.IDTokenAlg, "id-token-alg", "", "id_token algorithm: RS256 or ES256")
	f.StringSliceVar(&md.LegacyAPIs, "legacy-api", nil, "legacy APIs the client may call")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

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
