package keys

import "github.com/go-jose/go-jose/v4"

// JWKS returns the public keys relying parties verify with: every key not
// past its ExpiresAt, newest first, including keys published ahead of
// signing and retired keys whose tokens may still be live.
func (s *Set) JWKS() jose.JSONWebKeySet {
	now := s.opts.Clock()
	st := s.state.Load()
	set := jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, 0, len(st.keys))}
	for _, k := range st.keys {
		if k.published(now) {
			set.Keys = append(set.Keys, k.public)
		}
	}
	return set
}

// PublicKey returns the published key with the given kid, so the provider
// can verify a JWT it signed (introspection of JWT access tokens, an
// id_token_hint). Keys past their ExpiresAt are not returned: a token they
// signed has expired.
func (s *Set) PublicKey(kid string) (jose.JSONWebKey, bool) {
	k, ok := s.state.Load().byID[kid]
	if !ok || !k.published(s.opts.Clock()) {
		return jose.JSONWebKey{}, false
	}
	return k.public, true
}

// Algorithms returns the algorithms that have a key signing now, in the
// order of Supported(): what discovery advertises as
// id_token_signing_alg_values_supported.
func (s *Set) Algorithms() []string {
	now := s.opts.Clock()
	var algs []string
	for _, alg := range Supported() {
		if _, err := s.current(alg, now); err == nil {
			algs = append(algs, alg)
		}
	}
	return algs
}
