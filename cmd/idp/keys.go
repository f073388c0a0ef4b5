package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

func (c *cli) keysCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "keys", Short: "Manage signing keys"}
	var alg string
	rotate := &cobra.Command{
		Use:   "rotate",
		Short: "Create a new signing key; the old one stays published until its tokens expire",
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
			set, err := a.signingKeys(cmd.Context())
			if err != nil {
				return err
			}
			k, err := set.Rotate(cmd.Context(), alg)
			if err != nil {
				return usageError{err}
			}
			return printJSON(cmd.OutOrStdout(), map[string]any{"kid": k.ID, "alg": k.Alg, "active_from": k.ActiveFrom})
		},
	}
	rotate.Flags().StringVar(&alg, "alg", "RS256", "algorithm of the new key: RS256 or ES256")
	var asJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List signing keys",
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
			ks, err := a.store.Keys.List(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				out := make([]map[string]any, 0, len(ks))
				for _, k := range ks {
					out = append(out, map[string]any{"kid": k.ID, "alg": k.Alg, "active_from": k.ActiveFrom, "retired_at": k.RetiredAt, "expires_at": k.ExpiresAt})
				}
				return printJSON(cmd.OutOrStdout(), out)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "KID\tALG\tACTIVE FROM\tRETIRED\tEXPIRES")
			for _, k := range ks {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.ID, k.Alg, k.ActiveFrom.Format(time.RFC3339), orDash(k.RetiredAt), orDash(k.ExpiresAt))
			}
			return tw.Flush()
		},
	}
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(rotate, list)
	return cmd
}

func orDash(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Format(time.RFC3339)
}
