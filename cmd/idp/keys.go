package main

import (
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
			return c.runAdmin(cmd, needKeys, func(e *adminEnv) error {
				k, err := e.svc.RotateKey(e.ctx, alg)
				if err != nil {
					return err
				}
				return printJSON(e.out, map[string]any{"kid": k.KID, "alg": k.Alg, "active_from": k.ActiveFrom})
			})
		},
	}
	rotate.Flags().StringVar(&alg, "alg", "RS256", "algorithm of the new key: RS256 or ES256")
	var asJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List signing keys",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.runAdmin(cmd, 0, func(e *adminEnv) error {
				ks, err := e.svc.ListKeys(e.ctx)
				if err != nil || asJSON {
					return orPrint(e, ks, err)
				}
				rows := make([][]string, len(ks))
				for i, k := range ks {
					rows[i] = []string{k.KID, k.Alg, k.ActiveFrom.Format(time.RFC3339), orDash(k.RetiredAt), orDash(k.ExpiresAt)}
				}
				return printTable(e.out, []string{"KID", "ALG", "ACTIVE FROM", "RETIRED", "EXPIRES"}, rows)
			})
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
