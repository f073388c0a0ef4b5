package provider

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"

	"github.com/go-jose/go-jose/v4"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/oautherr"
)

// handleLogout is RP-initiated logout (OpenID Connect RP-Initiated Logout
// 1.0): it ends the browser's session and returns the user to the client
// when the client registered the post_logout_redirect_uri.
func (p *Provider) handleLogout(w http.ResponseWriter, r *http.Request) {
	q, err := queryOrForm(w, r)
	if err != nil {
		p.renderError(w, err)
		return
	}
	target, err := p.logoutTarget(r, q)
	if err != nil {
		p.renderError(w, err)
		return
	}
	p.clearSession(w)
	if target != "" {
		http.Redirect(w, r, target, http.StatusSeeOther)
		return
	}
	p.render(w, "message.html", http.StatusOK, pageData{Title: "已退出 · Signed out", Message: "您已退出登录。You are signed out."})
}

// logoutTarget returns where to send the user after logout, "" for the
// provider's own page.
func (p *Provider) logoutTarget(r *http.Request, q url.Values) (string, error) {
	if err := single(q); err != nil {
		return "", err
	}
	redirect := q.Get("post_logout_redirect_uri")
	if redirect == "" {
		return "", nil
	}
	clientID := q.Get("client_id")
	if hint := q.Get("id_token_hint"); hint != "" {
		aud, err := p.hintAudience(hint)
		if err != nil {
			return "", err
		}
		if clientID != "" && clientID != aud {
			return "", oautherr.ErrInvalidRequest.WithDescription("client_id does not match id_token_hint")
		}
		clientID = aud
	}
	if clientID == "" {
		return "", oautherr.ErrInvalidRequest.WithDescription("post_logout_redirect_uri needs client_id or id_token_hint")
	}
	c, err := p.clients.Get(r.Context(), clientID)
	if errors.Is(err, models.ErrNotFound) {
		return "", oautherr.ErrInvalidRequest.WithDescription("unknown client")
	}
	if err != nil {
		return "", err
	}
	if !c.PostLogoutRedirectURIs.Contains(redirect) {
		return "", oautherr.ErrInvalidRequest.WithDescription("post_logout_redirect_uri is not registered for this client")
	}
	u, _ := url.Parse(redirect)
	if st := q.Get("state"); st != "" {
		v := u.Query()
		v.Set("state", st)
		u.RawQuery = v.Encode()
	}
	return u.String(), nil
}

// hintAudience verifies an id_token_hint was signed by this provider and
// returns its audience. An expired hint is still a good hint.
func (p *Provider) hintAudience(hint string) (string, error) {
	bad := oautherr.ErrInvalidRequest.WithDescription("id_token_hint is not an id_token of this provider")
	jws, err := jose.ParseSignedCompact(hint, algorithms(p.signer.Algorithms()))
	if err != nil || len(jws.Signatures) != 1 {
		return "", bad
	}
	set := p.signer.JWKS()
	keys := set.Key(jws.Signatures[0].Header.KeyID)
	if len(keys) == 0 {
		return "", bad
	}
	payload, err := jws.Verify(keys[0])
	if err != nil {
		return "", bad
	}
	var claims struct {
		Iss string `json:"iss"`
		Aud string `json:"aud"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Iss != p.issuer || claims.Aud == "" {
		return "", bad
	}
	return claims.Aud, nil
}

func algorithms(names []string) []jose.SignatureAlgorithm {
	out := make([]jose.SignatureAlgorithm, 0, len(names))
	for _, n := range names {
		if !slices.Contains(out, jose.SignatureAlgorithm(n)) {
			out = append(out, jose.SignatureAlgorithm(n))
		}
	}
	return out
}
