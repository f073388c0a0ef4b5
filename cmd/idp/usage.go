package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// markUsageErrors makes every error of the caller's input exit with
// exitUsage. Cobra reports flag parse errors through the flag error func,
// but checks positional arguments and required flags on its own, with
// plain errors; this wraps those checks for every command of the tree.
func markUsageErrors(root *cobra.Command) {
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if args := c.Args; args != nil {
			c.Args = func(cmd *cobra.Command, a []string) error {
				if err := args(cmd, a); err != nil {
					return usageError{err}
				}
				return nil
			}
		}
		var required []string
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if _, ok := f.Annotations[cobra.BashCompOneRequiredFlag]; ok {
				required = append(required, f.Name)
				delete(f.Annotations, cobra.BashCompOneRequiredFlag)
			}
		})
		if len(required) > 0 && c.RunE != nil {
			run := c.RunE
			c.RunE = func(cmd *cobra.Command, a []string) error {
				var missing []string
				for _, name := range required {
					if !cmd.Flags().Changed(name) {
						missing = append(missing, "--"+name)
					}
				}
				if len(missing) > 0 {
					return usageError{fmt.Errorf("required flag(s) %s not set", strings.Join(missing, ", "))}
				}
				return run(cmd, a)
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
