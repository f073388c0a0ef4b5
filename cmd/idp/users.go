package main

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/credentials"
)

// userView is a user as the CLI prints it: never the password hash.
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

func viewUser(u *models.User) userView {
	return userView{Sub: u.ID, Username: u.Username, Phone: u.Phone, Email: u.Email, Nickname: u.Nickname,
		RealName: u.RealName, IsAdmin: u.IsAdmin, Disabled: u.Disabled, CompanyID: u.CompanyID, CreatedAt: u.CreatedAt}
}

func (c *cli) userCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage users"}
	cmd.AddCommand(c.userCreateCommand())
	return cmd
}

// newUser holds the fields of a user to create.
type newUser struct {
	username, password, phone, email, nickname, realName, company string
	admin                                                         bool
}

// build validates the fields and returns the record, password hashed.
func (n newUser) build() (*models.User, error) {
	var errs []error
	n.username = strings.TrimSpace(n.username)
	if l := utf8.RuneCountInString(n.username); l == 0 || l > 64 {
		errs = append(errs, errors.New("--username: must be 1 to 64 characters"))
	}
	if utf8.RuneCountInString(n.password) < 8 {
		errs = append(errs, errors.New("--password: must be at least 8 characters"))
	}
	if n.email != "" && !strings.Contains(n.email, "@") {
		errs = append(errs, errors.New("--email: not an email address"))
	}
	if len(errs) > 0 {
		return nil, usageError{errors.Join(errs...)}
	}
	u := &models.User{
		ID:           "u_" + credentials.RandomToken(15),
		Username:     n.username,
		PasswordHash: credentials.HashPassword(n.password, credentials.DefaultPasswordParams),
		Nickname:     n.nickname,
		RealName:     n.realName,
		IsAdmin:      n.admin,
	}
	if n.phone != "" {
		u.Phone = &n.phone
	}
	if n.email != "" {
		u.Email = &n.email
	}
	if n.company != "" {
		u.CompanyID = &n.company
	}
	return u, nil
}

func createUser(ctx context.Context, a *app, n newUser) (*models.User, error) {
	u, err := n.build()
	if err != nil {
		return nil, err
	}
	return u, a.store.Users.Create(ctx, u)
}

func (c *cli) userCreateCommand() *cobra.Command {
	var n newUser
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a user and print it as JSON with its sub",
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
			u, err := createUser(cmd.Context(), a, n)
			if err != nil {
				return err
			}
			return printJSON(cmd.OutOrStdout(), viewUser(u))
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
