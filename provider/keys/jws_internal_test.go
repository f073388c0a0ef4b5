package keys

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestFixedECDSA(t *testing.T) {
	tests := []struct {
		name string
		der  []byte
		want []byte // nil: errECDSASignature
	}{
		{"small R and S", []byte{0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x07},
			[]byte{0, 0, 0, 5, 0, 0, 0, 7}},
		{"sign octets dropped", []byte{0x30, 0x0c, 0x02, 0x05, 0x00, 0x80, 0, 0, 1, 0x02, 0x03, 0x00, 0xff, 0xfe},
			[]byte{0x80, 0, 0, 1, 0, 0, 0xff, 0xfe}},
		{"R too wide", []byte{0x30, 0x0a, 0x02, 0x05, 0x01, 0, 0, 0, 1, 0x02, 0x01, 0x07}, nil},
		{"S too wide", []byte{0x30, 0x0a, 0x02, 0x01, 0x07, 0x02, 0x05, 0x01, 0, 0, 0, 1}, nil},
		{"negative R", []byte{0x30, 0x06, 0x02, 0x01, 0x85, 0x02, 0x01, 0x07}, nil},
		{"not a sequence", []byte{0x31, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x07}, nil},
		{"trailing data", []byte{0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x07, 0x00}, nil},
		{"extra integer", []byte{0x30, 0x09, 0x02, 0x01, 0x05, 0x02, 0x01, 0x07, 0x02, 0x01, 0x01}, nil},
		{"one integer", []byte{0x30, 0x03, 0x02, 0x01, 0x05}, nil},
		{"empty", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := fixedECDSA(tt.der, 4)
			if tt.want == nil {
				if !errors.Is(err, errECDSASignature) {
					t.Fatalf("fixedECDSA = %x, %v; want errECDSASignature", got, err)
				}
				return
			}
			if err != nil || !bytes.Equal(got, tt.want) {
				t.Fatalf("fixedECDSA = %x, %v; want %x", got, err, tt.want)
			}
		})
	}
}

// fakeKey is a P-256 key whose signatures are replaced, to reach the
// error paths of Sign that a real key never takes.
type fakeKey struct {
	*ecdsa.PrivateKey
	sig []byte
	err error
}

func (k fakeKey) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) { return k.sig, k.err }

func TestSignerErrors(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	broken := errors.New("token device unplugged")
	tests := []struct {
		name   string
		key    fakeKey
		ecSize int
		want   string
	}{
		{"key fails", fakeKey{key, nil, broken}, 32, broken.Error()},
		{"not DER", fakeKey{key, []byte{1, 2, 3}, nil}, 32, errECDSASignature.Error()},
		{"wrong length", fakeKey{key, make([]byte, 63), nil}, 0, "signature of 63 bytes, want 64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Signer{key: tt.key, prefix: "e30.", sigLen: 64, ecSize: tt.ecSize}
			tok, err := s.Sign([]byte(`{}`))
			if err == nil || tok != "" || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Sign = %q, %v; want an error with %q", tok, err, tt.want)
			}
		})
	}
}
