package keys_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/tongxing/tongxing/provider/keys"
)

// testKeys makes a key of each kind a Set holds: P-256 and RSA 2048.
func testKeys(t *testing.T) (*ecdsa.PrivateKey, *rsa.PrivateKey) {
	t.Helper()
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return ec, rk
}

// TestSignerMatchesJOSE checks the signer against go-jose, the library that
// verifies tokens here and at relying parties: the same protected header
// and payload encoding, a signature go-jose accepts, and a token that is
// deterministic for a key and payload.
func TestSignerMatchesJOSE(t *testing.T) {
	ec, rk := testKeys(t)
	payload := []byte(`{"sub":"u1","aud":"c1","exp":1900000000}`)
	tests := []struct {
		alg, kid, typ string
		key           crypto.Signer
	}{
		{keys.ES256, "k1", "at+jwt", ec},
		{keys.ES256, "k1", "", ec},
		{keys.RS256, "k2", "JWT", rk},
		{keys.RS256, "", "JWT", rk},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%q/%q", tt.alg, tt.kid, tt.typ), func(t *testing.T) {
			s, err := keys.NewSigner(tt.alg, tt.kid, tt.typ, tt.key)
			if err != nil {
				t.Fatalf("NewSigner: %v", err)
			}
			tok, err := s.Sign(payload)
			if err != nil {
				t.Fatalf("Sign: %v", err)
			}
			opts := &jose.SignerOptions{}
			if tt.typ != "" {
				opts.WithType(jose.ContentType(tt.typ))
			}
			js, err := jose.NewSigner(jose.SigningKey{
				Algorithm: jose.SignatureAlgorithm(tt.alg),
				Key:       jose.JSONWebKey{Key: tt.key, KeyID: tt.kid},
			}, opts)
			if err != nil {
				t.Fatal(err)
			}
			ref, err := js.Sign(payload)
			if err != nil {
				t.Fatal(err)
			}
			want, err := ref.CompactSerialize()
			if err != nil {
				t.Fatal(err)
			}
			got, wantParts := strings.Split(tok, "."), strings.Split(want, ".")
			if len(got) != 3 || got[0] != wantParts[0] || got[1] != wantParts[1] {
				t.Errorf("token %s\nwant header and payload of %s", tok, want)
			}
			jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(tt.alg)})
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			out, err := jws.Verify(tt.key.Public())
			if err != nil || !bytes.Equal(out, payload) {
				t.Fatalf("Verify = %s, %v", out, err)
			}
			if h := jws.Signatures[0].Header; h.KeyID != tt.kid || h.Algorithm != tt.alg {
				t.Errorf("header kid %q alg %q", h.KeyID, h.Algorithm)
			}
			if again, err := s.Sign(payload); err != nil || again != tok {
				t.Errorf("second signature differs: %s, %v", again, err)
			}
		})
	}
}

// TestSignerECDSAWidth signs until both R and S have come out shorter than
// 32 bytes at least once (each does with probability 1/256 per signature)
// and checks every signature against the key: the JWS form pads them to
// fixed width (RFC 7518 §3.4), which a wrong conversion would get wrong
// only for those.
func TestSignerECDSAWidth(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := keys.NewSigner(keys.ES256, "k", "", key)
	if err != nil {
		t.Fatal(err)
	}
	var shortR, shortS int
	for i := 0; i < 20000 && (shortR == 0 || shortS == 0); i++ {
		payload := fmt.Appendf(nil, `{"n":%d}`, i)
		tok, err := s.Sign(payload)
		if err != nil {
			t.Fatalf("Sign: %v", err)
		}
		dot := strings.LastIndexByte(tok, '.')
		sig, err := base64.RawURLEncoding.DecodeString(tok[dot+1:])
		if err != nil || len(sig) != 64 {
			t.Fatalf("signature %q: %d bytes, %v", tok[dot+1:], len(sig), err)
		}
		r, sv := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
		if r.BitLen() <= 248 {
			shortR++
		}
		if sv.BitLen() <= 248 {
			shortS++
		}
		digest := sha256.Sum256([]byte(tok[:dot]))
		if !ecdsa.Verify(&key.PublicKey, digest[:], r, sv) {
			t.Fatalf("signature %d does not verify", i)
		}
	}
	if shortR == 0 || shortS == 0 {
		t.Fatalf("no short R (%d) or S (%d) in 20000 signatures", shortR, shortS)
	}
}

func TestNewSignerRejects(t *testing.T) {
	ec, rk := testKeys(t)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, alg string
		key       crypto.Signer
		unsup     bool
	}{
		{"P-256 key for RS256", keys.RS256, ec, false},
		{"RSA key for ES256", keys.ES256, rk, false},
		{"P-384 key for ES256", keys.ES256, p384, false},
		{"unsupported alg", "HS256", ec, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := keys.NewSigner(tt.alg, "k", "", tt.key)
			if err == nil || s != nil {
				t.Fatalf("NewSigner = %v, %v; want an error", s, err)
			}
			if errors.Is(err, keys.ErrUnsupportedAlg) != tt.unsup {
				t.Errorf("error %v: unsupported %v, want %v", err, !tt.unsup, tt.unsup)
			}
		})
	}
}

// TestGenerateKey checks that a generated key fits its algorithm, as the
// signer checks it, and that an unsupported algorithm is refused.
func TestGenerateKey(t *testing.T) {
	for _, alg := range keys.Supported() {
		key, err := keys.GenerateKey(alg)
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		if _, err := keys.NewSigner(alg, "k", "", key); err != nil {
			t.Errorf("%s: the generated key does not fit: %v", alg, err)
		}
	}
	if _, err := keys.GenerateKey("HS256"); !errors.Is(err, keys.ErrUnsupportedAlg) {
		t.Errorf("GenerateKey(HS256) = %v, want ErrUnsupportedAlg", err)
	}
}
