package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tongxing/tongxing/provider/admin"
)

func (c *cli) adminCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "admin", Short: "Set up access to the admin API"}
	var n admin.NewClient
	bootstrap := &cobra.Command{
		Use:   "bootstrap",
		Short: "Create a client that may call the admin API and print it as RFC 7591 metadata with its secret",
		Long: "Create a confidential client registered for the client_credentials grant with the admin scope. " +
			"Its tokens, from POST /oauth2/token with grant_type=client_credentials and scope=admin, " +
			"authenticate requests to " + admin.Prefix + ". The secret is shown only here.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.runAdmin(cmd, 0, func(e *adminEnv) error {
				n.GrantTypes = []string{"client_credentials"}
				n.Scope = admin.Scope
				cl, err := e.svc.CreateClient(e.ctx, n)
				if err != nil {
					return err
				}
				if err := printJSON(e.out, cl.Metadata); err != nil {
					return err
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "Get a token: curl -s -u %s:<client_secret> -d grant_type=client_credentials -d scope=%s %s/oauth2/token\n",
					cl.ClientID, admin.Scope, e.app.cfg.Issuer)
				return nil
			})
		},
	}
	f := bootstrap.Flags()
	f.StringVar(&n.ClientID, "client-id", "admin", "the admin client's ID")
	f.StringVar(&n.ClientName, "name", "Admin API", "the admin client's name")
	cmd.AddCommand(bootstrap)
	return cmd
}
