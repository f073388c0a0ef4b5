package tokens

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/go-oauth2/oauth2/v4"
)

// Extension keys the provider keeps in a token's extension values
// (oauth2.ExtendableTokenInfo). Stores persist the whole extension.
const (
	// ExtFamily names the grant family: every code, access and refresh
	// token that descends from one authorization shares it.
	ExtFamily = "fam"
	// ExtClientGeneration is the client's TokenGeneration when the token
	// was issued (see models.Client).
	ExtClientGeneration = "cg"
	// ExtAuthTime is the user's authentication time, epoch seconds.
	ExtAuthTime = "auth_time"
	// ExtNonce is the OIDC nonce of the authorization request.
	ExtNonce = "nonce"
	// ExtSession is the login session the grant came from.
	ExtSession = "sid"
	// ExtGrant is the grant type that first created the family.
	ExtGrant = "grant"
)

// ErrNotFound is returned by RemoveByCode and RemoveByRefresh when the value
// is not (or no longer) stored, and by Consumed when no tombstone exists. It
// is what makes redemption single-use: of two concurrent removals of the
// same code or refresh token, exactly one gets nil.
var ErrNotFound = errors.New("tokens: not found")

// Store is the provider's token store.
//
// Token values are never stored in clear: records are keyed by Ref(value).
// A record returned by GetByCode, GetByAccess or GetByRefresh carries the
// value it was looked up by in clear and its siblings (the access token of a
// record found by refresh token, and so on) as their Ref, which every Remove
// method accepts in place of the value.
//
// Get methods return (nil, nil) for a value that is unknown or expired, as
// go-oauth2's Manager expects. RemoveByAccess of an unknown value is not an
// error (revocation is idempotent).
type Store interface {
	oauth2.TokenStore

	// Consumed returns the family of a code or refresh token that was
	// removed by RemoveByCode or RemoveByRefresh, for as long as the value
	// would have lived; ErrNotFound otherwise.
	Consumed(ctx context.Context, value string) (family string, err error)
	// RevokeFamily removes every code, access and refresh token of a family.
	RevokeFamily(ctx context.Context, family string) error
	// RevokeClient removes every record of a client that has a code or a
	// refresh token. Lone access tokens are not indexed by client: they
	// expire on their own, and the provider refuses them once the client's
	// token generation changes (models.Client.TokenGeneration).
	RevokeClient(ctx context.Context, clientID string) error
	// RevokeUser removes every token issued for a user.
	RevokeUser(ctx context.Context, userID string) error
	// ListUser returns the live access/refresh records of a user.
	ListUser(ctx context.Context, userID string) ([]oauth2.TokenInfo, error)

	// Ping reports whether the store is reachable.
	Ping(ctx context.Context) error
	Close() error
}

// refPrefix marks a value that is already a Ref.
const refPrefix = "ref:"

// Ref returns the stored reference of a token value: a SHA-256 digest, so a
// store dump reveals no usable token. Ref of a Ref is itself.
func Ref(value string) string {
	if IsRef(value) {
		return value
	}
	sum := sha256.Sum256([]byte(value))
	return refPrefix + base64.RawURLEncoding.EncodeToString(sum[:])
}

// IsRef reports whether value is a Ref rather than a token.
func IsRef(value string) bool { return strings.HasPrefix(value, refPrefix) }

// Family returns the grant family recorded in ti, or "".
func Family(ti oauth2.TokenInfo) string { return Extension(ti, ExtFamily) }

// Extension returns the extension value key of ti, or "".
func Extension(ti oauth2.TokenInfo, key string) string {
	if e, ok := ti.(oauth2.ExtendableTokenInfo); ok && e.GetExtension() != nil {
		return e.GetExtension().Get(key)
	}
	return ""
}
