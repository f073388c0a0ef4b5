package admin

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/changes"
	"github.com/tongxing/tongxing/provider/credentials"
	"github.com/tongxing/tongxing/provider/tokens"
)

// User is a user as the API shows it: never the password hash.
type User struct {
	Sub       string  `json:"sub"`
	Username  string  `json:"username"`
	Phone     *string `json:"phone"`
	Email     *string `json:"email"`
	Nickname  string  `json:"nickname"`
	RealName  string  `json:"real_name"`
	Avatar    string  `json:"avatar"`
	Sex       int     `json:"sex"`
	IsAdmin   bool    `json:"is_admin"`
	Disabled  bool    `json:"disabled"`
	CompanyID *string `json:"company_id"`
	// SessionsNotBefore is when the user was last signed out everywhere.
	SessionsNotBefore *time.Time `json:"sessions_not_before,omitempty"`
	Version           int64      `json:"version"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
}

// ETagVersion is the version the ETag of the user names.
func (u *User) ETagVersion() int64 { return u.Version }

func describeUser(u *models.User) *User {
	return &User{Sub: u.ID, Username: u.Username, Phone: u.Phone, Email: u.Email, Nickname: u.Nickname,
		RealName: u.RealName, Avatar: u.Avatar, Sex: u.Sex, IsAdmin: u.IsAdmin, Disabled: u.Disabled,
		CompanyID: u.CompanyID, SessionsNotBefore: u.SessionsNotBefore, Version: u.Version,
		CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

// UserChange is the profile of a user an update may change. An empty
// phone or email removes it.
type UserChange struct {
	Username string
	Phone    *string
	Email    *string
	Nickname string
	RealName string
	Avatar   string
	Sex      int
	IsAdmin  bool
}

// Fields maps the JSON names of the change to its fields.
func (ch *UserChange) Fields() map[string]any {
	return map[string]any{
		"username":  &ch.Username,
		"phone":     &ch.Phone,
		"email":     &ch.Email,
		"nickname":  &ch.Nickname,
		"real_name": &ch.RealName,
		"avatar":    &ch.Avatar,
		"sex":       &ch.Sex,
		"is_admin":  &ch.IsAdmin,
	}
}

func userChangeOf(u *models.User) UserChange {
	return UserChange{Username: u.Username, Phone: u.Phone, Email: u.Email, Nickname: u.Nickname,
		RealName: u.RealName, Avatar: u.Avatar, Sex: u.Sex, IsAdmin: u.IsAdmin}
}

// phoneSyntax is a phone number in E.164 digits, the + optional.
var phoneSyntax = regexp.MustCompile(`^\+?[0-9]{5,15}$`)

// normalise trims the username and turns an empty phone or email into
// none.
func (ch *UserChange) normalise() {
	ch.Username = strings.TrimSpace(ch.Username)
	for _, p := range []**string{&ch.Phone, &ch.Email} {
		if *p != nil && strings.TrimSpace(**p) == "" {
			*p = nil
		}
	}
}

// check adds the problems of the change to fe.
func (ch UserChange) check(fe *fieldErrors) {
	if n := utf8.RuneCountInString(ch.Username); n == 0 || n > 64 || strings.ContainsFunc(ch.Username, unicode.IsControl) {
		fe.add("username", "must be 1 to 64 characters, without control characters")
	}
	if ch.Phone != nil && !phoneSyntax.MatchString(*ch.Phone) {
		fe.add("phone", "must be an international number of 5 to 15 digits, optionally starting with +")
	}
	if ch.Email != nil {
		a, err := mail.ParseAddress(*ch.Email)
		if err != nil || a.Address != *ch.Email || len(*ch.Email) > 255 {
			fe.add("email", "must be a plain email address such as name@example.com")
		}
	}
	for _, f := range []struct {
		name, value string
		max         int
	}{{"nickname", ch.Nickname, 64}, {"real_name", ch.RealName, 64}, {"avatar", ch.Avatar, 512}} {
		if utf8.RuneCountInString(f.value) > f.max {
			fe.add(f.name, fmt.Sprintf("must be at most %d characters", f.max))
		}
	}
	if ch.Sex < 0 || ch.Sex > 2 {
		fe.add("sex", "must be 0 (unknown), 1 (male) or 2 (female)")
	}
}

func (ch UserChange) applyTo(u *models.User) {
	u.Username, u.Phone, u.Email = ch.Username, ch.Phone, ch.Email
	u.Nickname, u.RealName, u.Avatar, u.Sex, u.IsAdmin = ch.Nickname, ch.RealName, ch.Avatar, ch.Sex, ch.IsAdmin
}

// checkPassword adds the problems of a new password to fe.
func checkPassword(fe *fieldErrors, password string) {
	if utf8.RuneCountInString(password) < 8 || len(password) > 1024 {
		fe.add("password", "must be at least 8 characters (and at most 1024 bytes)")
	}
}

// NewUser is a user to create.
type NewUser struct {
	UserChange
	Password  string
	CompanyID string // optional; the company must exist
}

// Fields maps the JSON names of a new user to its fields.
func (n *NewUser) Fields() map[string]any {
	f := n.UserChange.Fields()
	f["password"] = &n.Password
	f["company_id"] = &n.CompanyID
	return f
}

// userTaken describes a create or update that collides with another user.
const userTaken = "the username, phone or email is taken by another user"

// CreateUser creates a user with a fresh subject and returns it.
func (s *Service) CreateUser(ctx context.Context, n NewUser) (*User, error) {
	n.normalise()
	var fe fieldErrors
	n.check(&fe)
	checkPassword(&fe, n.Password)
	if n.CompanyID != "" {
		switch _, err := s.records.Companies.Get(ctx, n.CompanyID); {
		case errors.Is(err, models.ErrNotFound):
			fe.add("company_id", "no such company")
		case err != nil:
			return nil, err
		}
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	u := &models.User{ID: "u_" + credentials.RandomToken(15),
		PasswordHash: credentials.HashPassword(n.Password, s.password)}
	n.applyTo(u)
	if n.CompanyID != "" {
		u.CompanyID = &n.CompanyID
	}
	if err := s.records.Users.Create(ctx, u); err != nil {
		return nil, userStoreError(err, u.ID)
	}
	out := describeUser(u)
	s.record(ctx, change{action: "user.create", target: "user:" + u.ID, after: out})
	return out, nil
}

// UserFilter narrows a user listing.
type UserFilter = models.UserFilter

// ListUsers returns one page of the users matching f: Query is a prefix of
// the username or phone.
func (s *Service) ListUsers(ctx context.Context, f UserFilter, p Page) (Listing[*User], error) {
	if err := checkPage(p); err != nil {
		return Listing[*User]{}, err
	}
	list, err := s.records.Users.List(ctx, f, p)
	if err != nil {
		return Listing[*User]{}, err
	}
	out := make([]*User, len(list))
	for i := range list {
		out[i] = describeUser(&list[i])
	}
	return listing(out, p), nil
}

// GetUser returns the user with the ID (the subject).
func (s *Service) GetUser(ctx context.Context, id string) (*User, error) {
	u, err := s.getUser(ctx, id)
	if err != nil {
		return nil, err
	}
	return describeUser(u), nil
}

func (s *Service) getUser(ctx context.Context, id string) (*models.User, error) {
	u, err := s.records.Users.Get(ctx, id)
	return u, storeError(err, fmt.Sprintf("user %q", id))
}

// UserEdit changes the profile of a user; it sees the user as it is.
type UserEdit func(current *User, ch *UserChange) error

// UpdateUser changes a user's profile, if version (when not 0) is the
// user's.
func (s *Service) UpdateUser(ctx context.Context, id string, version int64, edit UserEdit) (*User, error) {
	var out *User
	err := retry(version, func() error {
		u, err := s.getUser(ctx, id)
		if err != nil {
			return err
		}
		if err := checkVersion(fmt.Sprintf("user %q", id), version, u.Version); err != nil {
			return err
		}
		before := describeUser(u)
		ch := userChangeOf(u)
		if err := edit(before, &ch); err != nil {
			return err
		}
		ch.normalise()
		var fe fieldErrors
		ch.check(&fe)
		if err := fe.err(); err != nil {
			return err
		}
		ch.applyTo(u)
		if auditJSON(describeUser(u)) == auditJSON(before) {
			out = before
			return nil
		}
		if err := s.records.Users.Update(ctx, u); err != nil {
			return userStoreError(err, id)
		}
		s.announce(ctx, changes.User, id)
		out = describeUser(u)
		s.record(ctx, change{action: "user.update", target: "user:" + id, before: before, after: out})
		return nil
	})
	return out, err
}

// userStoreError is storeError for a write of user id, which can collide
// on the username, phone or email.
func userStoreError(err error, id string) error {
	e := storeError(err, fmt.Sprintf("user %q", id))
	if errors.Is(e, ErrAlreadyExists) {
		return ErrAlreadyExists.WithDescription(userTaken).WithCause(err)
	}
	return e
}

// setUser changes the state of a user with f, which reports whether it
// changed anything, and records action when it did.
func (s *Service) setUser(ctx context.Context, id string, version int64, action, detail string, f func(u *models.User) (bool, error)) (*User, error) {
	var out *User
	err := retry(version, func() error {
		u, err := s.getUser(ctx, id)
		if err != nil {
			return err
		}
		if err := checkVersion(fmt.Sprintf("user %q", id), version, u.Version); err != nil {
			return err
		}
		before := describeUser(u)
		changed, err := f(u)
		if err != nil {
			return err
		}
		if !changed {
			out = before
			return nil
		}
		if err := s.records.Users.Update(ctx, u); err != nil {
			return userStoreError(err, id)
		}
		s.announce(ctx, changes.User, id)
		out = describeUser(u)
		s.record(ctx, change{action: action, target: "user:" + id, detail: detail, before: before, after: out})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SetPassword replaces a user's password. It does not end the user's
// sessions; SignOut does.
func (s *Service) SetPassword(ctx context.Context, id string, version int64, password string) (*User, error) {
	var fe fieldErrors
	checkPassword(&fe, password)
	if err := fe.err(); err != nil {
		return nil, err
	}
	hash := credentials.HashPassword(password, s.password)
	return s.setUser(ctx, id, version, "user.set_password", "", func(u *models.User) (bool, error) {
		u.PasswordHash = hash
		return true, nil
	})
}

// DisableUser stops a user: they cannot sign in, their browser sessions
// end, and their tokens are refused at once and removed.
func (s *Service) DisableUser(ctx context.Context, id string, version int64) (*User, error) {
	ts, err := s.tokenStore()
	if err != nil {
		return nil, err
	}
	now := s.now()
	u, err := s.setUser(ctx, id, version, "user.disable", "", func(u *models.User) (bool, error) {
		if u.Disabled {
			return false, nil
		}
		u.Disabled, u.SessionsNotBefore = true, &now
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	if err := ts.RevokeUser(ctx, id); err != nil {
		return nil, fmt.Errorf("revoking the tokens of user %q: %w", id, err)
	}
	return u, nil
}

// EnableUser lets a disabled user sign in again. Their old sessions and
// tokens stay ended.
func (s *Service) EnableUser(ctx context.Context, id string, version int64) (*User, error) {
	return s.setUser(ctx, id, version, "user.enable", "", func(u *models.User) (bool, error) {
		changed := u.Disabled
		u.Disabled = false
		return changed, nil
	})
}

// SignOut signs a user out everywhere: every browser session that began
// before now ends, and every token issued for the user is removed.
func (s *Service) SignOut(ctx context.Context, id string, version int64) (*User, error) {
	ts, err := s.tokenStore()
	if err != nil {
		return nil, err
	}
	// Sessions first: a session that outlived the revocation could get
	// a new code.
	now := s.now()
	u, err := s.setUser(ctx, id, version, "user.sign_out", "", func(u *models.User) (bool, error) {
		u.SessionsNotBefore = &now
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	if err := ts.RevokeUser(ctx, id); err != nil {
		return nil, fmt.Errorf("revoking the tokens of user %q: %w", id, err)
	}
	return u, nil
}

// Identity is a third-party account linked to a user.
type Identity struct {
	ID        uint64    `json:"id"`
	Provider  string    `json:"provider"`
	Subject   string    `json:"subject"`
	ClientID  string    `json:"client_id"`
	CreatedAt time.Time `json:"created_at"`
}

// ListIdentities returns the third-party accounts of a user.
func (s *Service) ListIdentities(ctx context.Context, userID string) ([]Identity, error) {
	if _, err := s.getUser(ctx, userID); err != nil {
		return nil, err
	}
	list, err := s.records.Identities.ListByUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]Identity, len(list))
	for i, id := range list {
		out[i] = Identity{ID: id.ID, Provider: id.Provider, Subject: id.Subject, ClientID: id.ClientID, CreatedAt: id.CreatedAt}
	}
	return out, nil
}

// Session is a live grant of a user: which client holds it, for what, and
// until when. It never carries a token.
type Session struct {
	ClientID string `json:"client_id"`
	Scope    string `json:"scope"`
	// Grant is the grant type that started it.
	Grant string `json:"grant,omitempty"`
	// Family identifies the grant in the audit log (family:ID).
	Family           string     `json:"family,omitempty"`
	AuthTime         *time.Time `json:"auth_time,omitempty"`
	IssuedAt         time.Time  `json:"issued_at"`
	AccessExpiresAt  *time.Time `json:"access_expires_at,omitempty"`
	RefreshExpiresAt *time.Time `json:"refresh_expires_at,omitempty"`
}

// ListSessions returns the live grants of a user, newest first.
func (s *Service) ListSessions(ctx context.Context, userID string) ([]Session, error) {
	ts, err := s.tokenStore()
	if err != nil {
		return nil, err
	}
	if _, err := s.getUser(ctx, userID); err != nil {
		return nil, err
	}
	list, err := ts.ListUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]Session, 0, len(list))
	for _, ti := range list {
		se := Session{ClientID: ti.GetClientID(), Scope: ti.GetScope(), Grant: tokens.Extension(ti, tokens.ExtGrant),
			Family: tokens.Family(ti)}
		if sec, err := strconv.ParseInt(tokens.Extension(ti, tokens.ExtAuthTime), 10, 64); err == nil {
			t := time.Unix(sec, 0).UTC()
			se.AuthTime = &t
		}
		if ti.GetAccess() != "" {
			se.IssuedAt = ti.GetAccessCreateAt().UTC()
			exp := ti.GetAccessCreateAt().Add(ti.GetAccessExpiresIn()).UTC()
			se.AccessExpiresAt = &exp
		}
		if ti.GetRefresh() != "" {
			if se.IssuedAt.IsZero() {
				se.IssuedAt = ti.GetRefreshCreateAt().UTC()
			}
			if ti.GetRefreshExpiresIn() > 0 {
				exp := ti.GetRefreshCreateAt().Add(ti.GetRefreshExpiresIn()).UTC()
				se.RefreshExpiresAt = &exp
			}
		}
		out = append(out, se)
	}
	slices.SortStableFunc(out, func(a, b Session) int { return b.IssuedAt.Compare(a.IssuedAt) })
	return out, nil
}
