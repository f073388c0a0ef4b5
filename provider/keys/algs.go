package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/go-jose/go-jose/v4"
)

// JWS algorithms a Set can hold keys for.
const (
	RS256 = "RS256" // RSASSA-PKCS1-v1_5 with SHA-256, RSA 2048 keys
	ES256 = "ES256" // ECDSA P-256 with SHA-256
)

// rsaBits is the size of generated RSA keys, the minimum RFC 7518 §3.3
// allows.
const rsaBits = 2048

// Errors of the Set; wrapped with the algorithm or key they concern.
var (
	// ErrUnsupportedAlg means the algorithm is not one of Supported().
	ErrUnsupportedAlg = errors.New("keys: unsupported algorithm")
	// ErrNoKey means no key of the algorithm signs at this time; Ensure
	// creates one.
	ErrNoKey = errors.New("keys: no current key")
)

// Supported returns the JWS algorithms a Set can hold keys for, so
// configuration can be checked before any key is made.
func Supported() []string { return []string{RS256, ES256} }

func isSupported(alg string) bool { return alg == RS256 || alg == ES256 }

func unsupported(alg string) error { return fmt.Errorf("%w: %q", ErrUnsupportedAlg, alg) }

// GenerateKey makes a fresh private key for alg, of the size the Set
// generates when it rotates.
func GenerateKey(alg string) (crypto.Signer, error) {
	switch alg {
	case RS256:
		return rsa.GenerateKey(rand.Reader, rsaBits)
	case ES256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	return nil, unsupported(alg)
}

// checkKey rejects a stored key that does not fit its algorithm, so a
// tampered or mislabelled record never signs.
func checkKey(alg string, k crypto.Signer) error {
	switch alg {
	case RS256:
		if rk, ok := k.(*rsa.PrivateKey); ok && rk.N.BitLen() >= rsaBits {
			return nil
		}
		return fmt.Errorf("keys: %s needs an RSA key of at least %d bits", alg, rsaBits)
	case ES256:
		if ek, ok := k.(*ecdsa.PrivateKey); ok && ek.Curve == elliptic.P256() {
			return nil
		}
		return fmt.Errorf("keys: %s needs a P-256 ECDSA key", alg)
	}
	return unsupported(alg)
}

// parsePrivate decodes the PKCS #8 DER of a stored key.
func parsePrivate(der []byte) (crypto.Signer, error) {
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("keys: parse private key: %w", err)
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("keys: private key of type %T cannot sign", k)
	}
	return s, nil
}

// Thumbprint returns the RFC 7638 JWK thumbprint of a public key (SHA-256,
// base64url without padding): the kid of the key, derived from the key
// itself so it never collides and never needs coordinating.
func Thumbprint(pub crypto.PublicKey) (string, error) {
	jwk := jose.JSONWebKey{Key: pub}
	sum, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("keys: thumbprint: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(sum), nil
}
