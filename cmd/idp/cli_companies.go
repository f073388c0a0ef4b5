package main

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/tongxing/tongxing/provider/admin"
)

func (c *cli) companyCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "company", Short: "Manage companies and their members"}
	cmd.AddCommand(c.companyCreateCommand(), c.companyListCommand(), c.companyGetCommand(), c.companyUpdateCommand(),
		c.companyDeleteCommand(), c.companyLinkCommand(), c.companyUnlinkCommand())
	return cmd
}

// companyField is a flag that sets a field of a company.
type companyField struct {
	flag, usage string
	dst         *string
}

// companyFields lists the flags of a company's fields, always in the same
// order.
func companyFields(ch *admin.CompanyChange) []companyField {
	return []companyField{
		{"name", "company name", &ch.Name},
		{"type", "company type", &ch.Type},
		{"tax-number", "tax number", &ch.TaxNumber},
		{"province", "province", &ch.Province},
		{"city", "city", &ch.City},
		{"zone", "district", &ch.Zone},
		{"address", "address", &ch.Address},
		{"disable", "the partner API's disable value", &ch.Disable},
		{"tel-phone", "telephone", &ch.TelPhone},
		{"legal-person-phone", "legal representative's phone", &ch.LegalPersonPhone},
		{"legal-person-name", "legal representative's name", &ch.LegalPersonName},
	}
}

// companyFlags registers a flag for each field of a company.
func companyFlags(cmd *cobra.Command, ch *admin.CompanyChange) {
	for _, f := range companyFields(ch) {
		cmd.Flags().StringVar(f.dst, f.flag, "", f.usage)
	}
}

func (c *cli) companyCreateCommand() *cobra.Command {
	var n admin.NewCompany
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a company and print it as JSON",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.runAdmin(cmd, 0, func(e *adminEnv) error {
				co, err := e.svc.CreateCompany(e.ctx, n)
				return orPrint(e, co, err)
			})
		},
	}
	companyFlags(cmd, &n.CompanyChange)
	cmd.Flags().StringVar(&n.ID, "id", "", "company ID (default: random)")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

func (c *cli) companyListCommand() *cobra.Command {
	var p pageFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List companies (a table, or JSON with --json)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.runAdmin(cmd, 0, func(e *adminEnv) error {
				l, err := e.svc.ListCompanies(e.ctx, p.page())
				if err != nil || p.json {
					return orPrint(e, l, err)
				}
				rows := make([][]string, len(l.Items))
				for i, co := range l.Items {
					rows[i] = []string{co.ID, co.Name, dash(co.City), dash(co.TelPhone), strconv.FormatInt(co.Version, 10)}
				}
				return printTable(e.out, []string{"ID", "NAME", "CITY", "TELEPHONE", "VERSION"}, rows)
			})
		},
	}
	p.register(cmd)
	return cmd
}

func (c *cli) companyGetCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "get COMPANY_ID",
		Short: "Print a company as JSON",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.runAdmin(cmd, 0, func(e *adminEnv) error {
				co, err := e.svc.GetCompany(e.ctx, args[0])
				return orPrint(e, co, err)
			})
		},
	}
}

func (c *cli) companyUpdateCommand() *cobra.Command {
	var (
		ch      admin.CompanyChange
		version ifVersion
	)
	cmd := &cobra.Command{
		Use:   "update COMPANY_ID",
		Short: "Change a company: each flag given replaces that field; print the company",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fl := cmd.Flags()
			if fl.NFlag() == 0 || fl.NFlag() == 1 && fl.Changed("if-version") {
				return usageError{errors.New("nothing to change: give at least one field flag")}
			}
			return c.runAdmin(cmd, 0, func(e *adminEnv) error {
				co, err := e.svc.UpdateCompany(e.ctx, args[0], version.version, func(_ *admin.Company, cur *admin.CompanyChange) error {
					into := companyFields(cur)
					for i, f := range companyFields(&ch) {
						if fl.Changed(f.flag) {
							*into[i].dst = *f.dst
						}
					}
					return nil
				})
				return orPrint(e, co, err)
			})
		},
	}
	companyFlags(cmd, &ch)
	version.register(cmd)
	return cmd
}

func (c *cli) companyDeleteCommand() *cobra.Command {
	var version ifVersion
	cmd := &cobra.Command{
		Use:   "delete COMPANY_ID",
		Short: "Delete a company that has no members",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.runAdmin(cmd, 0, func(e *adminEnv) error {
				if err := e.svc.DeleteCompany(e.ctx, args[0], version.version); err != nil {
					return err
				}
				_, err := fmt.Fprintf(e.out, "deleted company %s\n", args[0])
				return err
			})
		},
	}
	version.register(cmd)
	return cmd
}

// companyMember is link or unlink.
func (c *cli) companyMember(use, short string, run func(e *adminEnv, company, sub string, version int64) (*admin.User, error)) *cobra.Command {
	var version ifVersion
	cmd := &cobra.Command{
		Use:   use + " COMPANY_ID USER",
		Short: short,
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.runAdmin(cmd, 0, func(e *adminEnv) error {
				u, err := findUser(e, args[1])
				if err != nil {
					return err
				}
				u, err = run(e, args[0], u.Sub, version.version)
				return orPrint(e, u, err)
			})
		},
	}
	version.register(cmd)
	return cmd
}

func (c *cli) companyLinkCommand() *cobra.Command {
	return c.companyMember("link", "Make a user (by sub or username) a member of the company, leaving any other; print the user",
		func(e *adminEnv, company, sub string, v int64) (*admin.User, error) {
			return e.svc.LinkUser(e.ctx, company, sub, v)
		})
}

func (c *cli) companyUnlinkCommand() *cobra.Command {
	return c.companyMember("unlink", "Take a user out of the company; print the user",
		func(e *adminEnv, company, sub string, v int64) (*admin.User, error) {
			return e.svc.UnlinkUser(e.ctx, company, sub, v)
		})
}
