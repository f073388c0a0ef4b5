package record

import (
	"bytes"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-oauth2/oauth2/v4/models"

	"github.com/tongxing/tongxing/provider/tokens"
)

func fullToken() *models.Token {
	at := time.UnixMilli(1_750_000_000_123)
	return &models.Token{
		ClientID: "client-1", UserID: "user-1", RedirectURI: "https://rp.example/cb",
		Scope: "openid profile", Code: "code-value", CodeChallenge: "challenge",
		CodeChallengeMethod: "S256", CodeCreateAt: at, CodeExpiresIn: 10 * time.Minute,
		Access: "access-value", AccessCreateAt: at, AccessExpiresIn: time.Hour,
		Refresh: tokens.Ref("refresh-value"), RefreshCreateAt: at, RefreshExpiresIn: 72 * time.Hour,
		Extension: url.Values{tokens.ExtFamily: {"fam-1"}, tokens.ExtNonce: {"n", "m"}, "empty": nil},
	}
}

func TestRoundTrip(t *testing.T) {
	in := fullToken()
	arts, err := Artifacts(in)
	if err != nil {
		t.Fatal(err)
	}
	want := *in
	want.Code, want.Access = tokens.Ref(in.Code), tokens.Ref(in.Access)
	want.Extension = url.Values{tokens.ExtFamily: {"fam-1"}, tokens.ExtNonce: {"n", "m"}}
	for _, self := range arts {
		b, err := Encode(in, self.Kind)
		if err != nil {
			t.Fatal(err)
		}
		for _, clear := range []string{"code-value", "access-value", "refresh-value"} {
			if bytes.Contains(b, []byte(clear)) {
				t.Errorf("encoding holds %q in clear", clear)
			}
		}
		for _, a := range arts {
			if got := bytes.Contains(b, a.Digest[:]); got != (a.Kind != self.Kind) {
				t.Errorf("encoding for %c holds the %c digest: %v", self.Kind, a.Kind, got)
			}
		}
		out, err := Decode(b, self.Kind, self.Digest)
		if err != nil {
			t.Fatal(err)
		}
		if got := *out; !equalToken(got, want) {
			t.Errorf("round trip for %c:\n got %+v\nwant %+v", self.Kind, got, want)
		}
	}
}

func equalToken(a, b models.Token) bool {
	ea, eb := url.Values(a.Extension).Encode(), url.Values(b.Extension).Encode()
	a.Extension, b.Extension = nil, nil
	return ea == eb && a.CodeCreateAt.Equal(b.CodeCreateAt) && a.AccessCreateAt.Equal(b.AccessCreateAt) &&
		a.RefreshCreateAt.Equal(b.RefreshCreateAt) &&
		a.ClientID == b.ClientID && a.UserID == b.UserID && a.RedirectURI == b.RedirectURI &&
		a.Scope == b.Scope && a.Code == b.Code && a.CodeChallenge == b.CodeChallenge &&
		a.CodeChallengeMethod == b.CodeChallengeMethod && a.CodeExpiresIn == b.CodeExpiresIn &&
		a.Access == b.Access && a.AccessExpiresIn == b.AccessExpiresIn && a.Refresh == b.Refresh &&
		a.RefreshExpiresIn == b.RefreshExpiresIn
}

func TestEncodeEmptyToken(t *testing.T) {
	b, err := Encode(models.NewToken(), Access)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 1 {
		t.Errorf("empty token encodes to %d bytes, want 1", len(b))
	}
	d, _ := DigestOf("x")
	out, err := Decode(b, Access, d)
	if err != nil || out.Access != d.Ref() || out.Refresh != "" || !out.AccessCreateAt.IsZero() {
		t.Errorf("Decode = %+v, %v", out, err)
	}
}

func TestEncodeMalformedRef(t *testing.T) {
	ti := models.NewToken()
	ti.Access = "ref:not-a-digest"
	if _, err := Encode(ti, Code); !errors.Is(err, ErrMalformedRef) {
		t.Errorf("Encode = %v, want ErrMalformedRef", err)
	}
	if _, err := Artifacts(ti); !errors.Is(err, ErrMalformedRef) {
		t.Errorf("Artifacts = %v, want ErrMalformedRef", err)
	}
}

func TestDecodeCorrupt(t *testing.T) {
	good, err := Encode(fullToken(), Access)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{
		"empty":       nil,
		"version":     {2},
		"unknown tag": {version, 99},
		"truncated":   good[:len(good)-3],
		"long string": {version, tagClient, 50, 'x'},
		"digest":      {version, tagAccess, 1, 2, 3},
	} {
		if _, err := Decode(b, Access, Digest{}); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: Decode = %v, want ErrCorrupt", name, err)
		}
	}
}

func TestDigest(t *testing.T) {
	if !strings.HasPrefix(tokens.Ref("x"), refPrefix) {
		t.Errorf("tokens.Ref does not start with %q", refPrefix)
	}
	// A value's digest is what its tokens.Ref encodes, whatever it looks
	// like, and the Ref gives the same digest back.
	for _, v := range []string{"tok", "REF:abc", "reF:" + strings.Repeat("A", 43), strings.Repeat("x", 48)} {
		d, ok := DigestOf(v)
		if !ok || d.Ref() != tokens.Ref(v) {
			t.Fatalf("DigestOf(%q).Ref() = %q, want %q", v, d.Ref(), tokens.Ref(v))
		}
		if d2, ok := DigestOf(d.Ref()); !ok || d2 != d {
			t.Errorf("DigestOf(Ref(%q)) differs from DigestOf(%q)", v, v)
		}
	}
	d, _ := DigestOf("tok")
	enc := strings.TrimPrefix(d.Ref(), refPrefix)
	for _, v := range []string{"", "ref:", "ref:abc",
		refPrefix + enc + "A",        // a character too long
		refPrefix + enc[:42],         // a character short
		refPrefix + enc[:42] + "!",   // not base64url
		refPrefix + enc[:40] + "+/A", // standard base64, not base64url
		refPrefix + enc + "=",        // padded
	} {
		if _, ok := DigestOf(v); ok {
			t.Errorf("DigestOf(%q) ok", v)
		}
	}
}

func TestArtifactsAndExpiry(t *testing.T) {
	ti := fullToken()
	ti.RefreshExpiresIn = 0
	ti.CodeExpiresIn = 1500 * time.Microsecond
	arts, err := Artifacts(ti)
	if err != nil {
		t.Fatal(err)
	}
	if len(arts) != 3 || arts[0].Kind != Code || arts[1].Kind != Access || arts[2].Kind != Refresh {
		t.Fatalf("Artifacts = %+v", arts)
	}
	if want := ti.CodeCreateAt.Add(2 * time.Millisecond); !arts[0].Expires.Equal(want) {
		t.Errorf("code expiry %v, want %v (rounded up to the millisecond)", arts[0].Expires, want)
	}
	if !arts[2].Expires.IsZero() || !Latest(arts).IsZero() {
		t.Error("a zero lifetime must mean no expiry")
	}
	if got, want := Latest(arts[:2]), ti.AccessCreateAt.Add(time.Hour); !got.Equal(want) {
		t.Errorf("Latest = %v, want %v", got, want)
	}
	b, _ := Encode(ti, Code)
	back, _ := Decode(b, Code, arts[0].Digest)
	for _, a := range arts {
		if !Expiry(back, a.Kind).Equal(a.Expires) {
			t.Errorf("%c expiry changes over a round trip", a.Kind)
		}
	}
	now := ti.AccessCreateAt
	if !Live(time.Time{}, now) || !Live(now.Add(time.Millisecond), now) || Live(now, now) {
		t.Error("Live is wrong")
	}
}

func TestMember(t *testing.T) {
	arts, err := Artifacts(fullToken())
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseMember(Member(arts))
	if err != nil {
		t.Fatal(err)
	}
	for i := range arts {
		if back[i].Kind != arts[i].Kind || back[i].Digest != arts[i].Digest {
			t.Errorf("member part %d differs", i)
		}
	}
	if !Indexed(arts, "") || Indexed(arts[1:2], "") || !Indexed(arts[1:2], "user") {
		t.Error("Indexed is wrong")
	}
	for _, m := range [][]byte{nil, {'a', 1}, append([]byte{'z'}, make([]byte, 32)...)} {
		if _, err := ParseMember(m); !errors.Is(err, ErrCorrupt) {
			t.Errorf("ParseMember(%v) = %v", m, err)
		}
	}
}

func TestTombstone(t *testing.T) {
	exp := time.UnixMilli(1_750_000_000_999)
	for _, c := range []struct {
		exp time.Time
		fam string
	}{{exp, "fam"}, {time.Time{}, ""}, {exp, ""}} {
		gotExp, gotFam, err := DecodeTombstone(EncodeTombstone(c.exp, c.fam))
		if err != nil || !gotExp.Equal(c.exp) || gotFam != c.fam {
			t.Errorf("tombstone %v %q -> %v %q %v", c.exp, c.fam, gotExp, gotFam, err)
		}
	}
	if _, _, err := DecodeTombstone(nil); !errors.Is(err, ErrCorrupt) {
		t.Errorf("DecodeTombstone(nil) = %v", err)
	}
}

func TestIndexedClient(t *testing.T) {
	tests := []struct {
		client string
		kinds  []Kind
		want   string
	}{
		{"c1", []Kind{Access}, ""},
		{"c1", nil, ""},
		{"c1", []Kind{Code}, "c1"},
		{"c1", []Kind{Access, Refresh}, "c1"},
		{"c1", []Kind{Refresh}, "c1"},
		{"", []Kind{Code, Access, Refresh}, ""},
	}
	for _, tt := range tests {
		arts := make([]Artifact, len(tt.kinds))
		for i, k := range tt.kinds {
			arts[i].Kind = k
		}
		if got := IndexedClient(&models.Token{ClientID: tt.client}, arts); got != tt.want {
			t.Errorf("IndexedClient(%q, %v) = %q, want %q", tt.client, tt.kinds, got, tt.want)
		}
	}
}

// BenchmarkDecode decodes a full record, as every token check does.
func BenchmarkDecode(b *testing.B) {
	in := fullToken()
	arts, err := Artifacts(in)
	if err != nil {
		b.Fatal(err)
	}
	enc, err := Encode(in, arts[0].Kind)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(enc, arts[0].Kind, arts[0].Digest); err != nil {
			b.Fatal(err)
		}
	}
}
