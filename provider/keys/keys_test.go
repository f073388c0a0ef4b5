package keys_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/provider/keys"
)

func TestNewRejectsNegativeDurations(t *testing.T) {
	for name, opts := range map[string]keys.Options{
		"PublishDelay":     {PublishDelay: -time.Second},
		"MaxTokenLifetime": {MaxTokenLifetime: -time.Second},
		"ReloadInterval":   {ReloadInterval: -time.Second},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := keys.New(context.Background(), newRepo(t), opts); err == nil {
				t.Fatal("New accepted a negative duration")
			}
		})
	}
}

func TestEnsure(t *testing.T) {
	tests := []struct {
		name string
		algs []string
		want []string // algorithms stored, one key each
	}{
		{"none", nil, nil},
		{"RS256", []string{keys.RS256}, []string{keys.RS256}},
		{"ES256", []string{keys.ES256}, []string{keys.ES256}},
		{"both", []string{keys.RS256, keys.ES256}, []string{keys.RS256, keys.ES256}},
		{"repeated", []string{keys.ES256, keys.ES256}, []string{keys.ES256}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eachRepo(t, func(t *testing.T, repo models.SigningKeys) {
				ctx := context.Background()
				clk := newClock()
				set := newSet(t, repo, keys.Options{Clock: clk.Now, PublishDelay: time.Hour})
				for range 2 {
					if err := set.Ensure(ctx, tt.algs...); err != nil {
						t.Fatalf("Ensure: %v", err)
					}
				}
				recs := stored(t, repo)
				var algs []string
				for _, r := range recs {
					algs = append(algs, r.Alg)
					checkRecord(t, r, clk.Now())
				}
				slices.Sort(algs)
				want := slices.Sorted(slices.Values(tt.want))
				if !slices.Equal(algs, want) {
					t.Fatalf("stored algorithms %v, want %v", algs, want)
				}
				for _, alg := range tt.want {
					signingKID(t, set, alg) // signs at once despite PublishDelay
				}
				if got := len(set.JWKS().Keys); got != len(want) {
					t.Fatalf("JWKS has %d keys, want %d", got, len(want))
				}
			})
		})
	}
}

// checkRecord checks a freshly ensured record: PKCS #8 key of the right type,
// ID its thumbprint, active from now, in service.
func checkRecord(t *testing.T, r models.SigningKey, now time.Time) {
	t.Helper()
	priv, err := x509.ParsePKCS8PrivateKey(r.Private)
	if err != nil {
		t.Fatalf("%s: private key is not PKCS #8: %v", r.ID, err)
	}
	switch k := priv.(type) {
	case *rsa.PrivateKey:
		if r.Alg != keys.RS256 || k.N.BitLen() != 2048 {
			t.Errorf("%s: %s with RSA %d", r.ID, r.Alg, k.N.BitLen())
		}
	case *ecdsa.PrivateKey:
		if r.Alg != keys.ES256 || k.Curve != elliptic.P256() {
			t.Errorf("%s: %s with curve %s", r.ID, r.Alg, k.Curve.Params().Name)
		}
	default:
		t.Errorf("%s: key type %T", r.ID, priv)
	}
	kid, err := keys.Thumbprint(priv.(crypto.Signer).Public())
	if err != nil || kid != r.ID {
		t.Errorf("ID %q, thumbprint %q (%v)", r.ID, kid, err)
	}
	if r.ActiveFrom.After(now) || now.Sub(r.ActiveFrom) >= time.Millisecond {
		t.Errorf("%s: ActiveFrom %v, now %v", r.ID, r.ActiveFrom, now)
	}
	if r.RetiredAt != nil || r.ExpiresAt != nil {
		t.Errorf("%s: retired %v, expires %v", r.ID, r.RetiredAt, r.ExpiresAt)
	}
}

func TestThumbprintRFC7638(t *testing.T) {
	// The example key of RFC 7638 §3.1 and its thumbprint.
	const (
		n   = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
		e   = "AQAB"
		kid = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
	)
	var jwk jose.JSONWebKey
	if err := json.Unmarshal([]byte(`{"kty":"RSA","n":"`+n+`","e":"`+e+`"}`), &jwk); err != nil {
		t.Fatal(err)
	}
	got, err := keys.Thumbprint(jwk.Key)
	if err != nil || got != kid {
		t.Fatalf("Thumbprint = %q, %v; want %q", got, err, kid)
	}
}

func TestSign(t *testing.T) {
	tests := []struct {
		alg, typ string
	}{
		{keys.RS256, "JWT"},
		{keys.RS256, "at+jwt"},
		{keys.ES256, "JWT"},
		{keys.ES256, "at+jwt"},
		{keys.ES256, ""},
	}
	eachRepo(t, func(t *testing.T, repo models.SigningKeys) {
		clk := newClock()
		set := newSet(t, repo, keys.Options{Clock: clk.Now})
		if err := set.Ensure(context.Background(), keys.RS256, keys.ES256); err != nil {
			t.Fatalf("Ensure: %v", err)
		}
		for _, tt := range tests {
			t.Run(tt.alg+"/"+tt.typ, func(t *testing.T) {
				claims := map[string]any{"sub": "u1", "aud": "c1", "exp": float64(1900000000)}
				tok, err := set.SignJWT(tt.alg, tt.typ, claims)
				if err != nil {
					t.Fatalf("SignJWT: %v", err)
				}
				h, payload := verified(t, set, tok)
				if h.Algorithm != tt.alg {
					t.Errorf("alg %q, want %q", h.Algorithm, tt.alg)
				}
				typ, ok := h.ExtraHeaders[jose.HeaderType]
				switch {
				case tt.typ == "" && ok:
					t.Errorf("typ %v, want none", typ)
				case tt.typ != "" && typ != tt.typ:
					t.Errorf("typ %v, want %q", typ, tt.typ)
				}
				var got map[string]any
				if err := json.Unmarshal(payload, &got); err != nil || got["sub"] != "u1" || got["exp"] != claims["exp"] {
					t.Errorf("payload %s (%v)", payload, err)
				}
				pub, ok := set.PublicKey(h.KeyID)
				if !ok || pub.Algorithm != tt.alg || pub.Use != "sig" || !pub.IsPublic() {
					t.Fatalf("PublicKey(%q) = %+v, %v", h.KeyID, pub, ok)
				}
				jws, _ := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(tt.alg)})
				if _, err := jws.Verify(&pub); err != nil {
					t.Errorf("verify with PublicKey: %v", err)
				}
			})
		}
	})
}

func TestJWKSIsPublicJSON(t *testing.T) {
	set := newSet(t, newRepo(t), keys.Options{})
	if err := set.Ensure(context.Background(), keys.RS256, keys.ES256); err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(set.JWKS())
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil || len(doc.Keys) != 2 {
		t.Fatalf("JWKS %s (%v)", raw, err)
	}
	for _, k := range doc.Keys {
		for _, private := range []string{"d", "p", "q", "dp", "dq", "qi"} {
			if _, ok := k[private]; ok {
				t.Errorf("JWKS key %v carries private member %q", k["kid"], private)
			}
		}
		if k["use"] != "sig" || k["kid"] == "" || (k["alg"] != keys.RS256 && k["alg"] != keys.ES256) {
			t.Errorf("JWKS key %v", k)
		}
	}
}

func TestUnsupportedAlg(t *testing.T) {
	ctx := context.Background()
	set := newSet(t, newRepo(t), keys.Options{})
	if err := set.Ensure(ctx, keys.RS256); err != nil {
		t.Fatal(err)
	}
	tests := map[string]func(alg string) error{
		"Ensure": func(alg string) error { return set.Ensure(ctx, keys.RS256, alg) },
		"Rotate": func(alg string) error { _, err := set.Rotate(ctx, alg); return err },
		"Sign":   func(alg string) error { _, err := set.Sign(alg, "JWT", []byte(`{}`)); return err },
	}
	for name, op := range tests {
		for _, alg := range []string{"HS256", "none", "rs256", ""} {
			t.Run(name+"/"+alg, func(t *testing.T) {
				if err := op(alg); !errors.Is(err, keys.ErrUnsupportedAlg) {
					t.Fatalf("err = %v, want ErrUnsupportedAlg", err)
				}
			})
		}
	}
	if n := len(set.JWKS().Keys); n != 1 {
		t.Fatalf("failed calls changed the keys: %d in JWKS", n)
	}
}

func TestNoKey(t *testing.T) {
	set := newSet(t, newRepo(t), keys.Options{})
	if _, err := set.Sign(keys.ES256, "JWT", nil); !errors.Is(err, keys.ErrNoKey) {
		t.Fatalf("Sign on an empty set: %v, want ErrNoKey", err)
	}
	if err := set.Ensure(context.Background(), keys.RS256); err != nil {
		t.Fatal(err)
	}
	if _, err := set.Sign(keys.ES256, "JWT", nil); !errors.Is(err, keys.ErrNoKey) {
		t.Fatalf("Sign ES256 with only RS256: %v, want ErrNoKey", err)
	}
	if got := set.Algorithms(); !slices.Equal(got, []string{keys.RS256}) {
		t.Fatalf("Algorithms = %v", got)
	}
	if err := set.Ensure(context.Background(), keys.ES256); err != nil {
		t.Fatal(err)
	}
	if got := set.Algorithms(); !slices.Equal(got, []string{keys.RS256, keys.ES256}) {
		t.Fatalf("Algorithms = %v", got)
	}
}

func TestReloadRejectsBadRecord(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	rsaDER, _ := x509.MarshalPKCS8PrivateKey(rsaKey)
	rsaKID, _ := keys.Thumbprint(rsaKey.Public())
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	smallDER, _ := x509.MarshalPKCS8PrivateKey(small)
	smallKID, _ := keys.Thumbprint(small.Public())
	tests := []struct {
		name string
		rec  models.SigningKey
	}{
		{"not PKCS #8", models.SigningKey{ID: "garbage", Alg: keys.RS256, Private: []byte("garbage")}},
		{"ID is not the thumbprint", models.SigningKey{ID: "other", Alg: keys.RS256, Private: rsaDER}},
		{"RSA key labelled ES256", models.SigningKey{ID: rsaKID, Alg: keys.ES256, Private: rsaDER}},
		{"RSA 1024", models.SigningKey{ID: smallKID, Alg: keys.RS256, Private: smallDER}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eachRepo(t, func(t *testing.T, repo models.SigningKeys) {
				ctx := context.Background()
				clk := newClock()
				set := newSet(t, repo, keys.Options{Clock: clk.Now})
				if err := set.Ensure(ctx, keys.ES256); err != nil {
					t.Fatal(err)
				}
				kid := signingKID(t, set, keys.ES256)
				rec := tt.rec
				rec.ActiveFrom, rec.CreatedAt = clk.Now(), clk.Now()
				if err := repo.Create(ctx, &rec); err != nil {
					t.Fatal(err)
				}
				if err := set.Reload(ctx); err == nil {
					t.Fatal("Reload accepted the record")
				}
				if got := signingKID(t, set, keys.ES256); got != kid {
					t.Fatalf("signing with %q after a failed reload, want %q", got, kid)
				}
				if _, err := keys.New(ctx, repo, keys.Options{Clock: clk.Now}); err == nil {
					t.Fatal("New accepted the record")
				}
			})
		})
	}
}

func TestReloadIgnoresUnknownAlgorithm(t *testing.T) {
	ctx := context.Background()
	repo := newRepo(t)
	edKID := "future"
	if err := repo.Create(ctx, &models.SigningKey{ID: edKID, Alg: "EdDSA", Private: []byte("x"), ActiveFrom: time.Now()}); err != nil {
		t.Fatal(err)
	}
	set := newSet(t, repo, keys.Options{})
	if n := len(set.JWKS().Keys); n != 0 {
		t.Fatalf("JWKS has %d keys", n)
	}
	if _, ok := set.PublicKey(edKID); ok {
		t.Fatal("PublicKey returned a key of an unknown algorithm")
	}
}
