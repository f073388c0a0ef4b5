package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/tongxing/tongxing/provider/admin"
	"github.com/tongxing/tongxing/provider/changes"
	"github.com/tongxing/tongxing/provider/tokens"
)

// adminEnv is what an administrative command works with: the service over
// the configured storage, and a context naming the CLI as the actor.
type adminEnv struct {
	ctx context.Context
	app *app
	svc *admin.Service
	out io.Writer
}

// needs says which stores beyond the database a command opens.
type needs int

const (
	// needTokens opens the token store, for commands that revoke or list
	// tokens.
	needTokens needs = 1 << iota
	// needKeys loads the signing key set, for key rotation.
	needKeys
)

// runAdmin opens the storage a command needs and runs f on it. Errors of
// the service are reported with the flags that set the fields at fault.
func (c *cli) runAdmin(cmd *cobra.Command, n needs, f func(e *adminEnv) error) error {
	cfg, err := c.config()
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	a, err := openApp(ctx, cfg, cmd.ErrOrStderr(), true)
	if err != nil {
		return err
	}
	defer a.Close()
	sc := admin.Config{Records: a.store, Secrets: a.secrets, Changes: cliChanges(a, cmd.ErrOrStderr()), Log: a.log}
	if n&needTokens != 0 {
		if sc.Tokens, err = openTokenStore(a); err != nil {
			return err
		}
	}
	if n&needKeys != 0 {
		if sc.Keys, err = a.signingKeys(ctx); err != nil {
			return fmt.Errorf("loading signing keys: %w", err)
		}
	}
	svc, err := admin.NewService(sc)
	if err != nil {
		return err
	}
	return cliError(f(&adminEnv{ctx: admin.WithActor(ctx, cliActor()), app: a, svc: svc, out: cmd.OutOrStdout()}))
}

// cliChanges is where the command line announces its changes to clients
// and users: through Redis when it is configured, so running servers drop
// the records at once. On the embedded backend the server runs in another
// process, which nothing here reaches: it reads a changed record again
// within database.cache_ttl.
func cliChanges(a *app, stderr io.Writer) changes.Publisher {
	if !a.cfg.UsesRedis() {
		return nil
	}
	return &warningPublisher{feed: a.changeFeed(), w: stderr, ttl: a.cfg.Database.CacheTTL}
}

// warningPublisher turns a notice that could not be sent into a warning
// for the person at the command line, and nothing more: the change is
// written by then, so the command succeeds, and running servers see it
// when their record cache expires.
type warningPublisher struct {
	feed   changes.Publisher
	w      io.Writer
	ttl    time.Duration
	warned bool
}

func (p *warningPublisher) Publish(ctx context.Context, n changes.Notice) error {
	if err := p.feed.Publish(ctx, n); err != nil && !p.warned {
		p.warned = true
		fmt.Fprintf(p.w, "warning: running servers could not be told of the change to %s %s (%v); "+
			"they will see it within database.cache_ttl (%s here)\n", n.Kind, n.ID, err, p.ttl)
	}
	return nil
}

// openTokenStore opens the token store for a command. A running server
// holds the embedded store's file lock, so the command then cannot run.
func openTokenStore(a *app) (tokens.Store, error) {
	ts, err := a.tokenStore()
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("the embedded token store %s is in use by a running server: "+
			"make this change through the admin API (%s%s) or stop the server first",
			filepath.Join(a.cfg.DataDir, "tokens.db"), a.cfg.Issuer, admin.Prefix)
	}
	return ts, err
}

// cliActor is who the audit log says made a change from the command line.
func cliActor() admin.Actor {
	name := ""
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	if name == "" {
		name = os.Getenv("USER")
	}
	if name == "" {
		name = "unknown"
	}
	return admin.Actor{ID: "cli:" + name, Source: "cli"}
}

// fieldFlags names the flag that sets each field of the admin API.
var fieldFlags = map[string]string{
	"client_id": "--client-id", "client_secret": "--client-secret", "client_name": "--name",
	"redirect_uris": "--redirect-uri", "post_logout_redirect_uris": "--post-logout-redirect-uri",
	"grant_types": "--grant-type", "scope": "--scope", "token_endpoint_auth_method": "--auth-method",
	"access_token_format": "--access-token-format", "access_token_signing_alg": "--access-token-alg",
	"id_token_signed_response_alg": "--id-token-alg", "legacy_apis": "--legacy-api",
	"access_token_lifetime": "--access-token-lifetime", "refresh_token_lifetime": "--refresh-token-lifetime",
	"id_token_lifetime": "--id-token-lifetime", "grace_period_seconds": "--grace",
	"username": "--username", "password": "--password", "phone": "--phone", "email": "--email",
	"nickname": "--nickname", "real_name": "--real-name", "avatar": "--avatar", "sex": "--sex",
	"is_admin": "--admin", "company_id": "--company",
	"id": "--id", "name": "--name", "type": "--type", "tax_number": "--tax-number", "province": "--province",
	"city": "--city", "zone": "--zone", "address": "--address", "disable": "--disable", "tel_phone": "--tel-phone",
	"legal_person_phone": "--legal-person-phone", "legal_person_name": "--legal-person-name",
	"alg": "--alg", "offset": "--offset", "limit": "--limit", "since": "--since", "until": "--until",
}

// adminError is an error of the service as the command line reports it;
// errors.Is still sees the repository sentinel it came from.
type adminError struct {
	msg string
	err error
}

func (e adminError) Error() string { return e.msg }
func (e adminError) Unwrap() error { return e.err }

// cliError rewrites an error of the service for people: its description,
// then each bad field with the flag that sets it. Invalid input is a usage
// error.
func cliError(err error) error {
	var ae *admin.Error
	if !errors.As(err, &ae) || ae.Status >= 500 {
		return err
	}
	parts := []string{}
	if ae.Description != "" && len(ae.Fields) == 0 {
		parts = append(parts, ae.Description)
	}
	for _, f := range ae.Fields {
		name := f.Field
		if flag := fieldFlags[f.Field]; flag != "" {
			name += " (" + flag + ")"
		}
		parts = append(parts, name+": "+f.Reason)
	}
	out := adminError{msg: strings.Join(parts, "; "), err: err}
	if errors.Is(err, admin.ErrInvalidRequest) {
		return usageError{out}
	}
	return out
}

// printTable writes rows under a header, aligned for people.
func printTable(w io.Writer, header []string, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

// pageFlags are the flags of a listing.
type pageFlags struct {
	offset, limit int
	json          bool
}

func (p *pageFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.IntVar(&p.offset, "offset", 0, "skip this many records")
	f.IntVar(&p.limit, "limit", admin.DefaultLimit, "list at most this many records (at most 1000)")
	f.BoolVar(&p.json, "json", false, "print JSON instead of a table")
}

func (p *pageFlags) page() admin.Page { return admin.Page{Offset: p.offset, Limit: p.limit} }

// ifVersion is the optional precondition of a change.
type ifVersion struct{ version int64 }

func (v *ifVersion) register(cmd *cobra.Command) {
	cmd.Flags().Int64Var(&v.version, "if-version", 0, "change the record only if it is still at this version")
}

// dash shows an empty value in a table.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// dashPtr shows an optional value in a table.
func dashPtr(s *string) string {
	if s == nil {
		return "-"
	}
	return dash(*s)
}

// recordAction is a command that changes the state of one record: its one
// argument names the record, find turns the name into the record's ID,
// and the record run returns is printed. --if-version sets the
// precondition.
func recordAction[T any](c *cli, use, short string, n needs, find func(e *adminEnv, name string) (string, error),
	run func(e *adminEnv, id string, version int64) (T, error)) *cobra.Command {
	var version ifVersion
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.runAdmin(cmd, n, func(e *adminEnv) error {
				id, err := find(e, args[0])
				if err != nil {
					return err
				}
				rec, err := run(e, id, version.version)
				return orPrint(e, rec, err)
			})
		},
	}
	version.register(cmd)
	return cmd
}
