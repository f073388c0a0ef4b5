package main

import (
	"encoding/json"
	"errors"
	"io"

	"github.com/spf13/cobra"

	"github.com/tongxing/tongxing/config"
	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/admin"
)

// Exit codes scripts can tell apart.
const (
	exitFailure  = 1 // anything else
	exitUsage    = 2 // bad flags, arguments or configuration
	exitExists   = 3 // the record already exists
	exitMissing  = 4 // the record does not exist
	exitConflict = 5 // the record changed since it was read, or the change breaks a rule
)

// usageError marks an error of the caller's input.
type usageError struct{ error }

func exitCode(err error) int {
	var ue usageError
	switch {
	case errors.As(err, &ue), errors.Is(err, admin.ErrInvalidRequest):
		return exitUsage
	case errors.Is(err, models.ErrAlreadyExists), errors.Is(err, admin.ErrAlreadyExists):
		return exitExists
	case errors.Is(err, models.ErrNotFound), errors.Is(err, admin.ErrNotFound):
		return exitMissing
	case errors.Is(err, models.ErrConflict), errors.Is(err, admin.ErrConflict):
		return exitConflict
	}
	return exitFailure
}

// cli holds what every subcommand shares.
type cli struct {
	environ    []string
	configPath string
}

func (c *cli) config() (config.Config, error) {
	cfg, err := config.Load(c.configPath, c.environ)
	if err != nil {
		return cfg, usageError{err}
	}
	return cfg, nil
}

func newRootCommand(environ []string) *cobra.Command {
	c := &cli{environ: environ}
	root := &cobra.Command{
		Use:           "idp",
		Short:         "Tongxing: an OAuth 2.0 and OpenID Connect provider",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.PersistentFlags().StringVar(&c.configPath, "config", "", "YAML configuration file (default: $IDP_CONFIG)")
	root.AddCommand(c.serveCommand(), c.migrateCommand(), c.clientCommand(), c.userCommand(), c.keysCommand(),
		c.companyCommand(), c.auditCommand(), c.adminCommand())
	markUsageErrors(root)
	return root
}

// printJSON writes v as indented JSON, the output scripts parse.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
