package provider

import (
	"testing"
	"time"

	"github.com/tongxing/tongxing/models"
)

func TestSessionHonoured(t *testing.T) {
	signOut := time.Date(2024, 3, 1, 8, 0, 0, 500_000_000, time.UTC) // 08:00:00.500
	at := func(ms int64) *time.Time { v := signOut.Add(time.Duration(ms) * time.Millisecond); return &v }
	sec := signOut.Unix()
	cases := []struct {
		name string
		s    session
		u    models.User
		want bool
	}{
		{"never signed out", session{AuthTime: sec, Started: signOut.UnixMilli()}, models.User{}, true},
		{"began before the sign-out", session{AuthTime: sec, Started: signOut.UnixMilli() - 1}, models.User{SessionsNotBefore: at(0)}, false},
		{"began at the sign-out", session{AuthTime: sec, Started: signOut.UnixMilli()}, models.User{SessionsNotBefore: at(0)}, true},
		// Within the same second: the milliseconds decide.
		{"began after it in the same second", session{AuthTime: sec, Started: signOut.UnixMilli() + 200}, models.User{SessionsNotBefore: at(0)}, true},
		{"began in the second before", session{AuthTime: sec - 1, Started: (sec - 1) * 1000}, models.User{SessionsNotBefore: at(0)}, false},
		// A cookie sealed before sessions carried milliseconds counts from
		// the start of its second.
		{"old cookie, same second", session{AuthTime: sec}, models.User{SessionsNotBefore: at(0)}, false},
		{"old cookie, later second", session{AuthTime: sec + 1}, models.User{SessionsNotBefore: at(0)}, true},
		{"disabled user", session{AuthTime: sec, Started: signOut.UnixMilli()}, models.User{Disabled: true}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.s.honoured(&tc.u); got != tc.want {
				t.Fatalf("honoured = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSessionStartCarriesMilliseconds(t *testing.T) {
	now := time.Date(2024, 3, 1, 8, 0, 0, 123_456_789, time.UTC)
	sc := newSessionCodec("s", make([]byte, 32), time.Hour, func() time.Time { return now })
	s := sc.start("u1")
	if s.Started != now.UnixMilli() || s.AuthTime != now.Unix() {
		t.Fatalf("session %+v, want Started %d and AuthTime %d", s, now.UnixMilli(), now.Unix())
	}
}
