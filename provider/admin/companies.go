package admin

import (
	"context"
	"fmt"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/credentials"
)

// CompanyChange is what an update may change of a company; the fields are
// those of the partner open API's getCompanyInfo.
type CompanyChange struct {
	Name             string `json:"name"`
	Type             string `json:"type"`
	TaxNumber        string `json:"tax_number"`
	Province         string `json:"province"`
	City             string `json:"city"`
	Zone             string `json:"zone"`
	Address          string `json:"address"`
	Disable          string `json:"disable"`
	TelPhone         string `json:"tel_phone"`
	LegalPersonPhone string `json:"legal_person_phone"`
	LegalPersonName  string `json:"legal_person_name"`
}

// Company is a company as the API shows it.
type Company struct {
	ID string `json:"id"`
	CompanyChange
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ETagVersion is the version the ETag of the company names.
func (c *Company) ETagVersion() int64 { return c.Version }

// companyField is a field of a company with its JSON name and the size of
// its column.
type companyField struct {
	name string
	ptr  *string
	max  int
}

func (ch *CompanyChange) fields() []companyField {
	return []companyField{
		{"name", &ch.Name, 200}, {"type", &ch.Type, 16}, {"tax_number", &ch.TaxNumber, 64},
		{"province", &ch.Province, 64}, {"city", &ch.City, 64}, {"zone", &ch.Zone, 64},
		{"address", &ch.Address, 255}, {"disable", &ch.Disable, 16}, {"tel_phone", &ch.TelPhone, 32},
		{"legal_person_phone", &ch.LegalPersonPhone, 32}, {"legal_person_name", &ch.LegalPersonName, 64},
	}
}

// Fields maps the JSON names of the change to its fields.
func (ch *CompanyChange) Fields() map[string]any {
	m := map[string]any{}
	for _, f := range ch.fields() {
		m[f.name] = f.ptr
	}
	return m
}

func (ch *CompanyChange) check(fe *fieldErrors) {
	if ch.Name == "" {
		fe.add("name", "is required")
	}
	for _, f := range ch.fields() {
		if utf8.RuneCountInString(*f.ptr) > f.max {
			fe.add(f.name, fmt.Sprintf("must be at most %d characters", f.max))
		}
	}
}

func companyChangeOf(c *models.Company) CompanyChange {
	return CompanyChange{Name: c.Name, Type: c.Type, TaxNumber: c.TaxNumber, Province: c.Province, City: c.City,
		Zone: c.Zone, Address: c.Address, Disable: c.Disable, TelPhone: c.TelPhone,
		LegalPersonPhone: c.LegalPersonPhone, LegalPersonName: c.LegalPersonName}
}

func (ch CompanyChange) applyTo(c *models.Company) {
	c.Name, c.Type, c.TaxNumber, c.Province, c.City, c.Zone = ch.Name, ch.Type, ch.TaxNumber, ch.Province, ch.City, ch.Zone
	c.Address, c.Disable, c.TelPhone = ch.Address, ch.Disable, ch.TelPhone
	c.LegalPersonPhone, c.LegalPersonName = ch.LegalPersonPhone, ch.LegalPersonName
}

func describeCompany(c *models.Company) *Company {
	return &Company{ID: c.ID, CompanyChange: companyChangeOf(c), Version: c.Version, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

// NewCompany is a company to create; ID is random when empty.
type NewCompany struct {
	ID string
	CompanyChange
}

// Fields maps the JSON names of a new company to its fields.
func (n *NewCompany) Fields() map[string]any {
	f := n.CompanyChange.Fields()
	f["id"] = &n.ID
	return f
}

// recordID is the syntax of IDs an admin may choose: safe in URLs.
var recordID = regexp.MustCompile(`^[A-Za-z0-9._~-]{1,64}$`)

// CreateCompany creates a company.
func (s *Service) CreateCompany(ctx context.Context, n NewCompany) (*Company, error) {
	var fe fieldErrors
	if n.ID == "" {
		n.ID = "co_" + credentials.RandomToken(15)
	} else if !recordID.MatchString(n.ID) {
		fe.add("id", "must be 1 to 64 characters of letters, digits and ._~-")
	}
	n.check(&fe)
	if err := fe.err(); err != nil {
		return nil, err
	}
	c := &models.Company{ID: n.ID}
	n.applyTo(c)
	if err := s.records.Companies.Create(ctx, c); err != nil {
		return nil, storeError(err, fmt.Sprintf("company %q", n.ID))
	}
	out := describeCompany(c)
	s.record(ctx, change{action: "company.create", target: "company:" + c.ID, after: out})
	return out, nil
}

// ListCompanies returns one page of the companies.
func (s *Service) ListCompanies(ctx context.Context, p Page) (Listing[*Company], error) {
	if err := checkPage(p); err != nil {
		return Listing[*Company]{}, err
	}
	list, err := s.records.Companies.List(ctx, p)
	if err != nil {
		return Listing[*Company]{}, err
	}
	out := make([]*Company, len(list))
	for i := range list {
		out[i] = describeCompany(&list[i])
	}
	return listing(out, p), nil
}

// GetCompany returns the company with the ID.
func (s *Service) GetCompany(ctx context.Context, id string) (*Company, error) {
	c, err := s.getCompany(ctx, id)
	if err != nil {
		return nil, err
	}
	return describeCompany(c), nil
}

func (s *Service) getCompany(ctx context.Context, id string) (*models.Company, error) {
	c, err := s.records.Companies.Get(ctx, id)
	return c, storeError(err, fmt.Sprintf("company %q", id))
}

// CompanyEdit changes a company; it sees the company as it is.
type CompanyEdit func(current *Company, ch *CompanyChange) error

// UpdateCompany changes a company, if version (when not 0) is its version.
func (s *Service) UpdateCompany(ctx context.Context, id string, version int64, edit CompanyEdit) (*Company, error) {
	var out *Company
	what := fmt.Sprintf("company %q", id)
	err := retry(version, func() error {
		c, err := s.getCompany(ctx, id)
		if err != nil {
			return err
		}
		if err := checkVersion(what, version, c.Version); err != nil {
			return err
		}
		before := describeCompany(c)
		ch := companyChangeOf(c)
		if err := edit(before, &ch); err != nil {
			return err
		}
		var fe fieldErrors
		ch.check(&fe)
		if err := fe.err(); err != nil {
			return err
		}
		ch.applyTo(c)
		if auditJSON(describeCompany(c)) == auditJSON(before) {
			out = before
			return nil
		}
		if err := s.records.Companies.Update(ctx, c); err != nil {
			return storeError(err, what)
		}
		out = describeCompany(c)
		s.record(ctx, change{action: "company.update", target: "company:" + id, before: before, after: out})
		return nil
	})
	return out, err
}

// DeleteCompany removes a company that has no users, if version (when not
// 0) is its version.
func (s *Service) DeleteCompany(ctx context.Context, id string, version int64) error {
	what := fmt.Sprintf("company %q", id)
	c, err := s.getCompany(ctx, id)
	if err != nil {
		return err
	}
	if err := checkVersion(what, version, c.Version); err != nil {
		return err
	}
	members, err := s.records.Users.List(ctx, models.UserFilter{CompanyID: id}, Page{Limit: 1})
	if err != nil {
		return err
	}
	if len(members) > 0 {
		return ErrConflict.WithDescription("the company still has users: unlink them first")
	}
	if err := s.records.Companies.Delete(ctx, id); err != nil {
		return storeError(err, what)
	}
	s.record(ctx, change{action: "company.delete", target: "company:" + id, before: describeCompany(c)})
	return nil
}

// ListCompanyUsers returns one page of the users of a company.
func (s *Service) ListCompanyUsers(ctx context.Context, id string, p Page) (Listing[*User], error) {
	if _, err := s.getCompany(ctx, id); err != nil {
		return Listing[*User]{}, err
	}
	return s.ListUsers(ctx, UserFilter{CompanyID: id}, p)
}

// LinkUser makes a user a member of a company (leaving any other).
func (s *Service) LinkUser(ctx context.Context, companyID, userID string, version int64) (*User, error) {
	if _, err := s.getCompany(ctx, companyID); err != nil {
		return nil, err
	}
	return s.setUser(ctx, userID, version, "company.link_user", "company:"+companyID, func(u *models.User) (bool, error) {
		if u.CompanyID != nil && *u.CompanyID == companyID {
			return false, nil
		}
		u.CompanyID = &companyID
		return true, nil
	})
}

// UnlinkUser takes a user out of a company; a user who is not its member
// is ErrNotFound.
func (s *Service) UnlinkUser(ctx context.Context, companyID, userID string, version int64) (*User, error) {
	if _, err := s.getCompany(ctx, companyID); err != nil {
		return nil, err
	}
	return s.setUser(ctx, userID, version, "company.unlink_user", "company:"+companyID, func(u *models.User) (bool, error) {
		if u.CompanyID == nil || *u.CompanyID != companyID {
			return false, ErrNotFound.WithDescription(fmt.Sprintf("user %q is not a member of company %q", userID, companyID)).
				WithCause(models.ErrNotFound)
		}
		u.CompanyID = nil
		return true, nil
	})
}
