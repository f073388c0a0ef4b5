package keys

import (
	"encoding/json"
	"fmt"
)

// Sign returns payload as a compact JWS signed with the current key of alg,
// with alg, kid and, unless empty, typ in the protected header. typ names
// the kind of token so one kind cannot pass for another ("JWT" for
// id_tokens, "at+jwt" for RFC 9068 access tokens); callers pass constants,
// and a signer is kept per key and typ.
func (s *Set) Sign(alg, typ string, payload []byte) (string, error) {
	k, err := s.current(alg, s.opts.Clock())
	if err != nil {
		return "", err
	}
	signer, err := k.signer(typ)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("keys: sign with %q: %w", k.id, err)
	}
	return jws, nil
}

// SignJWT is Sign of claims encoded as JSON: a signed JWT.
func (s *Set) SignJWT(alg, typ string, claims any) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("keys: encode claims: %w", err)
	}
	return s.Sign(alg, typ, payload)
}
