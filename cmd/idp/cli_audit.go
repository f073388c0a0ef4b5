package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/tongxing/tongxing/provider/admin"
)

func (c *cli) auditCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "Read the audit log"}
	var (
		p            pageFlags
		filter       admin.AuditFilter
		since, until string
	)
	list := &cobra.Command{
		Use:   "list",
		Short: "List audit events, newest first (a table, or JSON with --json)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, t := range []struct {
				flag, value string
				dst         *time.Time
			}{{"--since", since, &filter.Since}, {"--until", until, &filter.Until}} {
				if t.value == "" {
					continue
				}
				v, err := time.Parse(time.RFC3339, t.value)
				if err != nil {
					return usageError{fmt.Errorf("%s: must be an RFC 3339 time such as 2024-03-01T08:00:00Z", t.flag)}
				}
				*t.dst = v
			}
			return c.runAdmin(cmd, 0, func(e *adminEnv) error {
				l, err := e.svc.ListAudit(e.ctx, filter, p.page())
				if err != nil || p.json {
					return orPrint(e, l, err)
				}
				rows := make([][]string, len(l.Items))
				for i, ev := range l.Items {
					rows[i] = []string{ev.Time.Format(time.RFC3339), dash(ev.Actor), ev.Action, dash(ev.Target), dash(ev.Source), dash(ev.Detail)}
				}
				return printTable(e.out, []string{"TIME", "ACTOR", "ACTION", "TARGET", "SOURCE", "DETAIL"}, rows)
			})
		},
	}
	p.register(list)
	f := list.Flags()
	f.StringVar(&filter.Actor, "actor", "", "only events of this actor (an admin client ID, cli:USER, ...)")
	f.StringVar(&filter.Action, "action", "", "only events of this action (client.create, user.sign_out, ...)")
	f.StringVar(&filter.Target, "target", "", "only events about this target (client:ID, user:SUB, ...)")
	f.StringVar(&since, "since", "", "only events at or after this RFC 3339 time")
	f.StringVar(&until, "until", "", "only events before this RFC 3339 time")
	cmd.AddCommand(list)
	return cmd
}
