package admin_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tongxing/tongxing/models"
	"github.com/tongxing/tongxing/models/modelstest"
	"github.com/tongxing/tongxing/provider/admin"
	"github.com/tongxing/tongxing/provider/changes"
	"github.com/tongxing/tongxing/provider/credentials"
	"github.com/tongxing/tongxing/provider/tokens/boltstore"
)

// recorder is a publisher that keeps what it is given and answers err.
type recorder struct {
	mu  sync.Mutex
	got []changes.Notice
	err error
}

func (r *recorder) Publish(_ context.Context, n changes.Notice) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, n)
	return r.err
}

// take returns the notices published since the last take.
func (r *recorder) take() []changes.Notice {
	r.mu.Lock()
	defer r.mu.Unlock()
	got := r.got
	r.got = nil
	return got
}

// newRecordedService is a Service on SQLite and the embedded token store
// that publishes to a recorder, and logs to a buffer.
func newRecordedService(t *testing.T) (*admin.Service, *recorder, *bytes.Buffer) {
	t.Helper()
	records := models.NewStore(modelstest.SQLite(t))
	ts, err := boltstore.Open(filepath.Join(t.TempDir(), "tokens.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ts.Close() })
	secrets, _ := credentials.NewSecretHasher(bytes.Repeat([]byte{5}, 32))
	rec := &recorder{}
	var log bytes.Buffer
	svc, err := admin.NewService(admin.Config{Records: records, Tokens: ts, Secrets: secrets, PasswordParams: cheap,
		Changes: rec, Log: slog.New(slog.NewTextHandler(&log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return svc, rec, &log
}

// Every write of a client or user record is announced, once, after it is
// made; what writes nothing announces nothing.
func TestServiceAnnouncesChanges(t *testing.T) {
	svc, rec, _ := newRecordedService(t)
	ctx := t.Context()
	client := changes.Notice{Kind: changes.Client, ID: "app"}
	var sub string
	user := func() changes.Notice { return changes.Notice{Kind: changes.User, ID: sub} }
	steps := []struct {
		name string
		do   func() error
		want func() []changes.Notice
	}{
		{"create client", func() error {
			_, err := svc.CreateClient(ctx, admin.NewClient{ClientID: "app", ClientChange: admin.ClientChange{ClientName: "App",
				GrantTypes: []string{"client_credentials"}, Scope: "api"}})
			return err
		}, nil},
		{"update client", func() error {
			_, err := svc.UpdateClient(ctx, "app", 0, func(_ *admin.Client, ch *admin.ClientChange) error {
				ch.ClientName = "App 2"
				return nil
			})
			return err
		}, func() []changes.Notice { return []changes.Notice{client} }},
		{"update client without a change", func() error {
			_, err := svc.UpdateClient(ctx, "app", 0, func(*admin.Client, *admin.ClientChange) error { return nil })
			return err
		}, nil},
		{"disable client", func() error { _, err := svc.DisableClient(ctx, "app", 0); return err },
			func() []changes.Notice { return []changes.Notice{client} }},
		{"disable client again", func() error { _, err := svc.DisableClient(ctx, "app", 0); return err }, nil},
		{"enable client", func() error { _, err := svc.EnableClient(ctx, "app", 0); return err },
			func() []changes.Notice { return []changes.Notice{client} }},
		{"enable client again", func() error { _, err := svc.EnableClient(ctx, "app", 0); return err }, nil},
		{"rotate secret", func() error { _, err := svc.RotateClientSecret(ctx, "app", 0, time.Hour); return err },
			func() []changes.Notice { return []changes.Notice{client} }},
		{"create user", func() error {
			u, err := svc.CreateUser(ctx, admin.NewUser{UserChange: admin.UserChange{Username: "ann"}, Password: "ann's password"})
			if err == nil {
				sub = u.Sub
			}
			return err
		}, nil},
		{"update user", func() error {
			_, err := svc.UpdateUser(ctx, sub, 0, func(_ *admin.User, ch *admin.UserChange) error {
				ch.Nickname = "Annie"
				return nil
			})
			return err
		}, func() []changes.Notice { return []changes.Notice{user()} }},
		{"set password", func() error { _, err := svc.SetPassword(ctx, sub, 0, "another password"); return err },
			func() []changes.Notice { return []changes.Notice{user()} }},
		{"sign out", func() error { _, err := svc.SignOut(ctx, sub, 0); return err },
			func() []changes.Notice { return []changes.Notice{user()} }},
		{"disable user", func() error { _, err := svc.DisableUser(ctx, sub, 0); return err },
			func() []changes.Notice { return []changes.Notice{user()} }},
		{"disable user again", func() error { _, err := svc.DisableUser(ctx, sub, 0); return err }, nil},
		{"enable user", func() error { _, err := svc.EnableUser(ctx, sub, 0); return err },
			func() []changes.Notice { return []changes.Notice{user()} }},
		{"create company", func() error {
			_, err := svc.CreateCompany(ctx, admin.NewCompany{ID: "co", CompanyChange: admin.CompanyChange{Name: "Co"}})
			return err
		}, nil},
		{"link user", func() error { _, err := svc.LinkUser(ctx, "co", sub, 0); return err },
			func() []changes.Notice { return []changes.Notice{user()} }},
		{"unlink user", func() error { _, err := svc.UnlinkUser(ctx, "co", sub, 0); return err },
			func() []changes.Notice { return []changes.Notice{user()} }},
		{"update with a stale version", func() error {
			_, err := svc.EnableUser(ctx, sub, 1)
			if !errors.Is(err, models.ErrConflict) {
				return errors.Join(errors.New("no conflict"), err)
			}
			return nil
		}, nil},
		{"delete client", func() error { return svc.DeleteClient(ctx, "app", 0) },
			func() []changes.Notice { return []changes.Notice{client} }},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		var want []changes.Notice
		if s.want != nil {
			want = s.want()
		}
		if got := rec.take(); !slices.Equal(got, want) {
			t.Errorf("%s announced %v, want %v", s.name, got, want)
		}
	}
}

// A notice that cannot be sent is logged; the change stands.
func TestServiceCarriesOnWhenAnnouncingFails(t *testing.T) {
	svc, rec, log := newRecordedService(t)
	ctx := t.Context()
	u, err := svc.CreateUser(ctx, admin.NewUser{UserChange: admin.UserChange{Username: "bo"}, Password: "bo's password"})
	if err != nil {
		t.Fatal(err)
	}
	rec.err = errors.New("redis: connection refused")
	got, err := svc.DisableUser(ctx, u.Sub, 0)
	if err != nil || !got.Disabled {
		t.Fatalf("DisableUser: %v %v", got, err)
	}
	if l := log.String(); !strings.Contains(l, "level=WARN") || !strings.Contains(l, "user:"+u.Sub) ||
		!strings.Contains(l, "connection refused") {
		t.Errorf("log:\n%s", l)
	}
	if after, _ := svc.GetUser(ctx, u.Sub); !after.Disabled {
		t.Error("the change was not kept")
	}
}
