package main

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestPartnerProof(t *testing.T) {
	tests := []struct{ t, p int64 }{
		{1522404566000, 6000*3 + 2345},
		{1522404569999, 9999*3 + 2345},
		{1522404560000, 2345},
		{42, 42*3 + 2345},
	}
	for _, tt := range tests {
		if got := partnerProof(tt.t); got != tt.p {
			t.Errorf("partnerProof(%d) = %d, want %d", tt.t, got, tt.p)
		}
	}
}

func TestPartnerStamp(t *testing.T) {
	now := time.UnixMilli(1522404566123)
	q, err := url.ParseQuery(partnerStamp(now))
	if err != nil {
		t.Fatal(err)
	}
	if q.Get("t_") != "1522404566123" || q.Get("p_") != "20714" {
		t.Fatalf("stamp %v", q)
	}
	u := partnerAuthorizeURL("http://127.0.0.1:1", "a+b/c", now)
	if !strings.HasPrefix(u, "http://127.0.0.1:1"+pathPartnerAuthorize+"?access_token=a%2Bb%2Fc&t_=1522404566123&p_=20714") {
		t.Fatalf("url %s", u)
	}
}

func TestPartnerBasicIsNotFormEncoded(t *testing.T) {
	c := newCredentials("id+1", "s/e:c")
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(partnerBasic(c), "Basic "))
	if err != nil || string(raw) != "id+1:s/e:c" {
		t.Fatalf("partner Basic carries %q, %v", raw, err)
	}
	raw, _ = base64.StdEncoding.DecodeString(strings.TrimPrefix(c.basic, "Basic "))
	if string(raw) != "id%2B1:s%2Fe%3Ac" {
		t.Fatalf("token endpoint Basic carries %q", raw)
	}
}

func TestJSONInt(t *testing.T) {
	tests := []struct {
		body string
		want int64
		ok   bool
	}{
		{`{"data":{"auth_code":"c3a8"},"code":200,"message":"ok"}`, 200, true},
		{`{"data":null,"code": 100019,"message":"x"}`, 100019, true},
		{`{"data":{"auth_code":"c"}}`, 0, false},
		{`{"code":"200"}`, 0, false},
		{`{"code":-1}`, -1, true},
	}
	for _, tt := range tests {
		got, ok := jsonInt([]byte(tt.body), "code")
		if got != tt.want || ok != tt.ok {
			t.Errorf("jsonInt(%s) = %d, %v; want %d, %v", tt.body, got, ok, tt.want, tt.ok)
		}
	}
}

func TestCombine(t *testing.T) {
	a := Result{Scenario: "trivial", Requests: 300, Errors: 1, Seconds: 10, RPS: 30, PeakRSS: 5, ErrorSamples: []string{"x"}}
	b := Result{Scenario: "trivial", Requests: 100, Seconds: 10, RPS: 10, PeakRSS: 7, ErrorSamples: []string{"x", "y"}}
	lat := []time.Duration{4 * time.Millisecond, 1 * time.Millisecond, 3 * time.Millisecond, 2 * time.Millisecond}
	r := combine(a, b, lat)
	if r.Requests != 400 || r.Errors != 1 || r.Seconds != 20 || r.RPS != 20 || r.PeakRSS != 7 {
		t.Fatalf("combined %+v", r)
	}
	if r.P50Ms != 2 || r.P99Ms != 4 {
		t.Fatalf("p50 %v, p99 %v", r.P50Ms, r.P99Ms)
	}
	if strings.Join(r.ErrorSamples, ",") != "x,y" {
		t.Fatalf("samples %q", r.ErrorSamples)
	}
}
