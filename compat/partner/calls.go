package partner

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"strconv"
	"time"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider"
	"github.com/tongxing/tongxing/provider/oautherr"
	"github.com/tongxing/tongxing/provider/tokens"
)

// authorize is section 6.1: the partner presents a user's access token
// and gets an auth_code for that user, bound to itself.
func (a *API) authorize(ctx context.Context, req request) (object, error) {
	c, err := a.client(ctx, req)
	if err != nil {
		return nil, err
	}
	tok, err := a.user(ctx, req.accessToken)
	if err != nil {
		return nil, err
	}
	code, err := a.core.IssueCode(ctx, provider.CodeRequest{
		Client:   c,
		UserID:   tok.GetUserID(),
		Scope:    codeScope(c),
		Lifetime: a.codeLife,
		AuthTime: authTime(tok),
		Grant:    GrantType,
		Retain:   codeRetention,
		Format:   provider.CodeFormatHex40,
	})
	if err != nil {
		return nil, err
	}
	a.event(ctx, slog.LevelInfo, "partner_authorize", c.ID, tok.GetUserID(), "scope: "+code.GetScope())
	return object{{"auth_code", str(code.GetCode())}}, nil
}

// userInfo is section 6.2.
func (a *API) userInfo(ctx context.Context, req request) (object, error) {
	g, err := a.codeGrant(ctx, req, func(x access) bool { return x.user })
	if err != nil {
		return nil, err
	}
	u, err := a.users.Get(ctx, g.userID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, ErrUnauthorized
	}
	if err != nil {
		return nil, err
	}
	return a.userData(u, g.clear), nil
}

// companyInfo is section 6.3: the company of the code's user.
func (a *API) companyInfo(ctx context.Context, req request) (object, error) {
	g, err := a.codeGrant(ctx, req, func(x access) bool { return x.company })
	if err != nil {
		return nil, err
	}
	u, err := a.users.Get(ctx, g.userID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, ErrUnauthorized
	}
	if err != nil {
		return nil, err
	}
	if u.CompanyID == nil || *u.CompanyID == "" {
		return nil, ErrEmpty
	}
	co, err := a.companies.Get(ctx, *u.CompanyID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, ErrEmpty
	}
	if err != nil {
		return nil, err
	}
	return a.companyData(co, g.clear), nil
}

// client authenticates the partner with the core and checks it may call
// this API. The core answers one invalid_client for every failure; the
// document tells an unknown client_id (100008) from the rest (100002).
func (a *API) client(ctx context.Context, req request) (*models.Client, error) {
	c, err := a.core.AuthenticateClient(ctx, req.clientID, req.clientSecret)
	if errors.Is(err, oautherr.ErrInvalidClient) {
		_, err := a.clients.Get(ctx, req.clientID)
		switch {
		case errors.Is(err, models.ErrNotFound):
			return nil, ErrUnknownClient
		case err != nil:
			return nil, err
		}
		return nil, ErrClientDenied
	}
	if err != nil {
		return nil, err
	}
	// A public client authenticates without its secret: it can never be a
	// partner. (The auth_codes cannot be traded for tokens at the token
	// endpoint: the core redeems only codes of its own browser flow.)
	if c.Public || !c.AllowsLegacyAPI(LegacyAPI) {
		return nil, ErrClientDenied
	}
	return c, nil
}

// user checks the access token: it must be live and speak for a user.
func (a *API) user(ctx context.Context, token string) (provider.Grant, error) {
	g, _, err := a.core.CheckAccessToken(ctx, token)
	if errors.Is(err, provider.ErrInactive) {
		return provider.Grant{}, a.inactive(ctx, token)
	}
	if err != nil {
		return provider.Grant{}, err
	}
	if g.GetUserID() == "" {
		return provider.Grant{}, ErrUnauthorized // a client's own token
	}
	return g, nil
}

// inactive is the answer for an access token the core refused.
func (a *API) inactive(ctx context.Context, token string) error {
	expired, err := a.core.AccessTokenExpired(ctx, token)
	switch {
	case err != nil:
		return err
	case expired:
		return ErrTokenExpired
	}
	return ErrUnauthorized
}

// dataGrant is what a checked auth_code allows.
type dataGrant struct {
	userID string
	clear  bool
}

// codeGrant runs the checks of getUserInfo and getCompanyInfo: the
// client, the access token, then the auth_code, which must be a live code
// of this API issued to this client for the token's user, whose scope
// allows the call. The code is not redeemed: it serves both calls until it
// expires.
func (a *API) codeGrant(ctx context.Context, req request, allows func(access) bool) (dataGrant, error) {
	c, err := a.client(ctx, req)
	if err != nil {
		return dataGrant{}, err
	}
	tok, err := a.user(ctx, req.accessToken)
	if err != nil {
		return dataGrant{}, err
	}
	code, err := a.lookupCode(ctx, req.authCode)
	if err != nil {
		return dataGrant{}, err
	}
	uid := tok.GetUserID()
	switch {
	case code.GetClientID() != c.ID:
		a.event(ctx, slog.LevelWarn, "partner_code_misuse", c.ID, uid, "auth_code of another client")
		return dataGrant{}, ErrCodeOtherClient
	case code.GetUserID() != uid:
		a.event(ctx, slog.LevelWarn, "partner_code_misuse", c.ID, uid, "auth_code of another user")
		return dataGrant{}, ErrCodeOtherUser
	case a.core.CodeExpired(code):
		return dataGrant{}, ErrCodeExpired
	}
	x := scopeAccess(code.GetScope())
	if !allows(x) {
		return dataGrant{}, ErrCodeScope
	}
	return dataGrant{userID: uid, clear: x.clear}, nil
}

// codeRetention is how long the core keeps an auth_code after it expires,
// so that a late call is told 100020 (expired) rather than 100019 (unknown).
const codeRetention = 24 * time.Hour

// codeSyntax is the shape of an auth_code, as in the document: 40 hex
// digits. Anything else is refused before the store is asked.
var codeSyntax = regexp.MustCompile(`^[0-9a-f]{40}$`)

// lookupCode returns the auth_code's grant from the core. An expired code
// the store has already dropped is unknown, as it is to the core.
func (a *API) lookupCode(ctx context.Context, code string) (provider.Grant, error) {
	if !codeSyntax.MatchString(code) {
		return provider.Grant{}, ErrCodeUnknown
	}
	g, err := a.core.LookupCode(ctx, code)
	if errors.Is(err, provider.ErrInactive) {
		return provider.Grant{}, ErrCodeUnknown
	}
	if err != nil {
		return provider.Grant{}, err
	}
	// A code of the browser flow is not an auth_code of this API.
	if tokens.Extension(g.TokenInfo, tokens.ExtGrant) != GrantType {
		return provider.Grant{}, ErrCodeUnknown
	}
	return g, nil
}

// authTime is when the token's user signed in, or zero (meaning now) when
// the token does not say.
func authTime(g provider.Grant) time.Time {
	s := tokens.Extension(g.TokenInfo, tokens.ExtAuthTime)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}
	}
	return time.Unix(n, 0)
}

// event appends to the audit log. A failure to write it is logged, never
// turned into a failure of the call. Events never carry a token or code.
func (a *API) event(ctx context.Context, level slog.Level, action, clientID, userID, detail string) {
	a.log.Log(ctx, level, "partner open API event", "action", action, "client", clientID, "user", userID, "detail", detail)
	if a.audit == nil {
		return
	}
	err := a.audit.Append(ctx, &models.AuditEvent{
		Time: a.now(), Actor: clientID, Action: action, Target: "user:" + userID,
		Source: provider.Source(ctx), Detail: detail,
	})
	if err != nil {
		a.log.ErrorContext(ctx, "writing the audit log failed", "action", action, "error", err)
	}
}
