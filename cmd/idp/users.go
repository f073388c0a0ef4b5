package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/admin"
)

// userView is a user as `user create` prints it: never the password hash.
type userView struct {
	Sub       string    `json:"sub"`
	Username  string    `json:"username"`
	Phone     *string   `json:"phone"`
	Email     *string   `json:"email"`
	Nickname  string    `json:"nickname"`
	RealName  string    `json:"real_name"`
	IsAdmin   bool      `json:"is_admin"`
	Disabled  bool      `json:"disabled"`
	CompanyID *string   `json:"company_id"`
	CreatedAt time.Time `json:"created_at"`
}

func viewUser(u *admin.User) userView {
	return userView{Sub: u.Sub, Username: u.Username, Phone: u.Phone, Email: u.Email, Nickname: u.Nickname,
		RealName: u.RealName, IsAdmin: u.IsAdmin, Disabled: u.Disabled, CompanyID: u.CompanyID, CreatedAt: u.CreatedAt}
}

func (c *cli) userCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage users"}
	cmd.AddCommand(c.userCreateCommand(), c.userListCommand(), c.userGetCommand(), c.userUpdateCommand(),
		c.userSetPasswordCommand(), c.userDisableCommand(), c.userEnableCommand(), c.userIdentitiesCommand(),
		c.userSessionsCommand(), c.userSignOutCommand())
	return cmd
}

// newUser holds the fields of a user to create.
type newUser struct {
	username, password, phone, email, nickname, realName, company string
	admin                                                         bool
}

func (n newUser) input() admin.NewUser {
	in := admin.NewUser{Password: n.password, CompanyID: n.company}
	in.Username, in.Nickname, in.RealName, in.IsAdmin = n.username, n.nickname, n.realName, n.admin
	if n.phone != "" {
		in.Phone = &n.phone
	}
	if n.email != "" {
		in.Email = &n.email
	}
	return in
}

// createUser creates a user from the command line and returns its record.
func createUser(ctx context.Context, a *app, n newUser) (*models.User, error) {
	svc, err := admin.NewService(admin.Config{Records: a.store, Secrets: a.secrets, Changes: a.changeFeed(), Log: a.log})
	if err != nil {
		return nil, err
	}
	u, err := svc.CreateUser(admin.WithActor(ctx, cliActor()), n.input())
	if err != nil {
		return nil, cliError(err)
	}
	return a.store.Users.Get(ctx, u.Sub)
}

func (c *cli) userCreateCommand() *cobra.Command {
	var n newUser
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a user and print it as JSON with its sub",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.runAdmin(cmd, 0, func(e *adminEnv) error {
				u, err := e.svc.CreateUser(e.ctx, n.input())
				if err != nil {
					return err
				}
				return printJSON(e.out, viewUser(u))
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&n.username, "username", "", "username (required)")
	f.StringVar(&n.password, "password", "", "password, at least 8 characters (required)")
	f.StringVar(&n.phone, "phone", "", "phone number")
	f.StringVar(&n.email, "email", "", "email address")
	f.StringVar(&n.nickname, "nickname", "", "nickname")
	f.StringVar(&n.realName, "real-name", "", "real name")
	f.StringVar(&n.company, "company", "", "company ID")
	f.BoolVar(&n.admin, "admin", false, "mark the user as an administrator")
	_ = cmd.MarkFlagRequired("username")
	_ = cmd.MarkFlagRequired("password")
	return cmd
}

// findUser returns the user named by its sub or, failing that, its
// username.
func findUser(e *adminEnv, ref string) (*admin.User, error) {
	u, err := e.svc.GetUser(e.ctx, ref)
	if !errors.Is(err, models.ErrNotFound) {
		return u, err
	}
	rec, lerr := e.app.store.Users.GetByUsername(e.ctx, ref)
	if lerr != nil {
		return nil, err
	}
	return e.svc.GetUser(e.ctx, rec.ID)
}

func (c *cli) userListCommand() *cobra.Command {
	var (
		p      pageFlags
		filter admin.UserFilter
	)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List or search users (a table, or JSON with --json)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.runAdmin(cmd, 0, func(e *adminEnv) error {
				l, err := e.svc.ListUsers(e.ctx, filter, p.page())
				if err != nil || p.json {
					return orPrint(e, l, err)
				}
				return printUsers(e, l.Items)
			})
		},
	}
	p.register(cmd)
	cmd.Flags().StringVarP(&filter.Query, "query", "q", "", "only users whose username or phone starts with this")
	cmd.Flags().StringVar(&filter.CompanyID, "company", "", "only members of this company")
	return cmd
}

func printUsers(e *adminEnv, users []*admin.User) error {
	rows := make([][]string, len(users))
	for i, u := range users {
		rows[i] = []string{u.Sub, u.Username, dashPtr(u.Phone), dashPtr(u.Email), dashPtr(u.CompanyID),
			strconv.FormatBool(u.Disabled), strconv.FormatInt(u.Version, 10)}
	}
	return printTable(e.out, []string{"SUB", "USERNAME", "PHONE", "EMAIL", "COMPANY", "DISABLED", "VERSION"}, rows)
}

func (c *cli) userGetCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "get USER",
		Short: "Print a user (by sub or username) as JSON",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.runAdmin(cmd, 0, func(e *adminEnv) error {
				u, err := findUser(e, args[0])
				return orPrint(e, u, err)
			})
		},
	}
}

func (c *cli) userUpdateCommand() *cobra.Command {
	var (
		ch             admin.UserChange
		phone, email   string
		version        ifVersion
		changeableFlag = []string{"username", "phone", "email", "nickname", "real-name", "avatar", "sex", "admin"}
	)
	cmd := &cobra.Command{
		Use:   "update USER",
		Short: "Change a user's profile: each flag given replaces that field (an empty --phone or --email removes it)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fl := cmd.Flags()
			changed := false
			for _, name := range changeableFlag {
				changed = changed || fl.Changed(name)
			}
			if !changed {
				return usageError{errors.New("nothing to change: give at least one field flag")}
			}
			return c.runAdmin(cmd, 0, func(e *adminEnv) error {
				u, err := findUser(e, args[0])
				if err != nil {
					return err
				}
				u, err = e.svc.UpdateUser(e.ctx, u.Sub, version.version, func(_ *admin.User, cur *admin.UserChange) error {
					for flag, apply := range map[string]func(){
						"username":  func() { cur.Username = ch.Username },
						"phone":     func() { cur.Phone = &phone },
						"email":     func() { cur.Email = &email },
						"nickname":  func() { cur.Nickname = ch.Nickname },
						"real-name": func() { cur.RealName = ch.RealName },
						"avatar":    func() { cur.Avatar = ch.Avatar },
						"sex":       func() { cur.Sex = ch.Sex },
						"admin":     func() { cur.IsAdmin = ch.IsAdmin },
					} {
						if fl.Changed(flag) {
							apply()
						}
					}
					return nil
				})
				return orPrint(e, u, err)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&ch.Username, "username", "", "username")
	f.StringVar(&phone, "phone", "", "phone number (empty: none)")
	f.StringVar(&email, "email", "", "email address (empty: none)")
	f.StringVar(&ch.Nickname, "nickname", "", "nickname")
	f.StringVar(&ch.RealName, "real-name", "", "real name")
	f.StringVar(&ch.Avatar, "avatar", "", "avatar URL")
	f.IntVar(&ch.Sex, "sex", 0, "0 unknown, 1 male, 2 female")
	f.BoolVar(&ch.IsAdmin, "admin", false, "whether the user is an administrator")
	version.register(cmd)
	return cmd
}

func (c *cli) userSetPasswordCommand() *cobra.Command {
	var (
		password  string
		fromStdin bool
		version   ifVersion
	)
	cmd := &cobra.Command{
		Use:   "set-password USER",
		Short: "Set a user's password (--password-stdin keeps it out of the process list)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fl := cmd.Flags()
			switch {
			case fromStdin && fl.Changed("password"):
				return usageError{errors.New("give --password or --password-stdin, not both")}
			case fromStdin:
				line, err := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
				if err != nil && line == "" {
					return usageError{fmt.Errorf("--password-stdin: reading the password: %w", err)}
				}
				password = strings.TrimRight(line, "\r\n")
			case !fl.Changed("password"):
				return usageError{errors.New("give --password or --password-stdin")}
			}
			return c.runAdmin(cmd, 0, func(e *adminEnv) error {
				u, err := findUser(e, args[0])
				if err != nil {
					return err
				}
				u, err = e.svc.SetPassword(e.ctx, u.Sub, version.version, password)
				return orPrint(e, u, err)
			})
		},
	}
	cmd.Flags().StringVar(&password, "password", "", "the new password, at least 8 characters")
	cmd.Flags().BoolVar(&fromStdin, "password-stdin", false, "read the new password from the first line of stdin")
	version.register(cmd)
	return cmd
}

// userAction is a command that changes the state of one user, named by
// its sub, username or phone.
func (c *cli) userAction(use, short string, n needs, run func(e *adminEnv, sub string, version int64) (*admin.User, error)) *cobra.Command {
	bySub := func(e *adminEnv, ref string) (string, error) {
		u, err := findUser(e, ref)
		if err != nil {
			return "", err
		}
		return u.Sub, nil
	}
	return recordAction(c, use+" USER", short, n, bySub, run)
}

func (c *cli) userDisableCommand() *cobra.Command {
	return c.userAction("disable", "Stop a user: end their sessions and revoke their tokens (needs the token store)", needTokens,
		func(e *adminEnv, sub string, v int64) (*admin.User, error) { return e.svc.DisableUser(e.ctx, sub, v) })
}

func (c *cli) userEnableCommand() *cobra.Command {
	return c.userAction("enable", "Let a disabled user sign in again (their old sessions and tokens stay ended)", 0,
		func(e *adminEnv, sub string, v int64) (*admin.User, error) { return e.svc.EnableUser(e.ctx, sub, v) })
}

func (c *cli) userSignOutCommand() *cobra.Command {
	return c.userAction("sign-out", "Sign a user out everywhere: end every session and revoke every token (needs the token store)", needTokens,
		func(e *adminEnv, sub string, v int64) (*admin.User, error) { return e.svc.SignOut(e.ctx, sub, v) })
}

func (c *cli) userIdentitiesCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "identities USER",
		Short: "List the third-party accounts linked to a user",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.runAdmin(cmd, 0, func(e *adminEnv) error {
				u, err := findUser(e, args[0])
				if err != nil {
					return err
				}
				list, err := e.svc.ListIdentities(e.ctx, u.Sub)
				if err != nil || asJSON {
					return orPrint(e, list, err)
				}
				rows := make([][]string, len(list))
				for i, id := range list {
					rows[i] = []string{id.Provider, id.Subject, dash(id.ClientID), id.CreatedAt.Format(time.RFC3339)}
				}
				return printTable(e.out, []string{"PROVIDER", "SUBJECT", "CLIENT", "LINKED"}, rows)
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON instead of a table")
	return cmd
}

func (c *cli) userSessionsCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "sessions USER",
		Short: "List a user's live grants: client, scope, expiry (needs the token store)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.runAdmin(cmd, needTokens, func(e *adminEnv) error {
				u, err := findUser(e, args[0])
				if err != nil {
					return err
				}
				list, err := e.svc.ListSessions(e.ctx, u.Sub)
				if err != nil || asJSON {
					return orPrint(e, list, err)
				}
				rows := make([][]string, len(list))
				for i, s := range list {
					rows[i] = []string{s.ClientID, dash(s.Scope), dash(s.Grant), s.IssuedAt.Format(time.RFC3339),
						orDash(s.AccessExpiresAt), orDash(s.RefreshExpiresAt)}
				}
				return printTable(e.out, []string{"CLIENT", "SCOPE", "GRANT", "ISSUED", "ACCESS EXPIRES", "REFRESH EXPIRES"}, rows)
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON instead of a table")
	return cmd
}
