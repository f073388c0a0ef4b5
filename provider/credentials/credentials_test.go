package credentials

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestSecretHasher(t *testing.T) {
	if _, err := NewSecretHasher(make([]byte, 31)); err == nil {
		t.Fatal("short key accepted")
	}
	h, err := NewSecretHasher(bytes.Repeat([]byte{1}, 32))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := NewSecretHasher(bytes.Repeat([]byte{2}, 32))
	stored := h.Hash("s3cret")
	tests := []struct {
		name   string
		h      *SecretHasher
		stored []byte
		secret string
		want   bool
	}{
		{"right secret", h, stored, "s3cret", true},
		{"wrong secret", h, stored, "s3cret!", false},
		{"empty secret", h, stored, "", false},
		{"other key", other, stored, "s3cret", false},
		{"nothing stored", h, nil, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.h.Verify(tt.stored, tt.secret); got != tt.want {
				t.Errorf("Verify = %v, want %v", got, tt.want)
			}
		})
	}
	if bytes.Equal(h.Derive("cookie"), h.Derive("csrf")) {
		t.Error("derived keys for different purposes are equal")
	}
}

func TestPassword(t *testing.T) {
	p := PasswordParams{Memory: 64, Time: 1, Threads: 1}
	stored := HashPassword("correct horse", p)
	if !strings.HasPrefix(stored, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q not in PHC form", stored)
	}
	if stored == HashPassword("correct horse", p) {
		t.Error("two hashes of one password are equal: salt not random")
	}
	tests := []struct {
		name    string
		stored  string
		pw      string
		want    bool
		wantErr bool
	}{
		{"right", stored, "correct horse", true, false},
		{"wrong", stored, "correct horse!", false, false},
		{"empty", stored, "", false, false},
		{"not phc", "plain", "x", false, true},
		{"bcrypt", "$2a$10$abcdefghijklmnopqrstuv", "x", false, true},
		{"bad version", strings.Replace(stored, "v=19", "v=16", 1), "correct horse", false, true},
		{"bad params", strings.Replace(stored, "m=64,t=1,p=1", "m=x", 1), "correct horse", false, true},
		{"bad salt", "$argon2id$v=19$m=64,t=1,p=1$***$AAAA", "x", false, true},
		{"empty hash", "$argon2id$v=19$m=64,t=1,p=1$AAAA$", "x", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := VerifyPassword(tt.stored, tt.pw)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("VerifyPassword = %v, %v; want %v, err %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestRandom(t *testing.T) {
	if a, b := NewClientSecret(), NewClientSecret(); a == b || len(a) != 43 {
		t.Errorf("secrets %q %q", a, b)
	}
	if h := RandomHex(20); len(h) != 40 {
		t.Errorf("RandomHex(20) = %q", h)
	}
}

// TestMACMatchesHMAC: the pooled MAC is HMAC-SHA-256, also when its states
// are reused concurrently and when it appends to a buffer.
func TestMACMatchesHMAC(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	m := NewMAC(key)
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Go(func() {
			for j := range 50 {
				data := []byte(fmt.Sprintf("message %d/%d", i, j))
				want := hmac.New(sha256.New, key)
				want.Write(data)
				if got := m.Sum([]byte("prefix"), data); string(got) != "prefix"+string(want.Sum(nil)) {
					t.Errorf("Sum(%q) = %x", data, got)
					return
				}
			}
		})
	}
	wg.Wait()
}
