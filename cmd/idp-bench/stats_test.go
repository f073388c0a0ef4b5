package main

import (
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one value is every percentile", ms(7), 99, 7 * time.Millisecond},
		{"median of two is the lower", ms(1, 2), 50, time.Millisecond},
		{"median of three", ms(1, 2, 3), 50, 2 * time.Millisecond},
		{"p50 of 1..100", hundred, 50, 50 * time.Millisecond},
		{"p99 of 1..100", hundred, 99, 99 * time.Millisecond},
		{"p100 is the maximum", hundred, 100, 100 * time.Millisecond},
		{"a tiny percentile is the minimum", hundred, 0.001, time.Millisecond},
		{"p99 of ten is the maximum", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond},
		{"p90 of ten", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 90, 9 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := percentile(tt.sorted, tt.p); got != tt.want {
			t.Errorf("%s: percentile(p%v) = %v, want %v", tt.name, tt.p, got, tt.want)
		}
	}
}

func TestLatencySummarySorts(t *testing.T) {
	lat := []time.Duration{9, 1, 5, 3, 7, 2, 8, 4, 6, 10}
	p50, p99 := latencySummary(lat)
	if p50 != 5 || p99 != 10 {
		t.Fatalf("p50, p99 = %v, %v; want 5ns, 10ns", p50, p99)
	}
	if lat[0] != 1 || lat[9] != 10 {
		t.Fatalf("not sorted in place: %v", lat)
	}
}

func TestJSONField(t *testing.T) {
	tests := []struct {
		body, name, want string
		ok               bool
	}{
		{`{"access_token":"abc","token_type":"Bearer"}`, "access_token", "abc", true},
		{`{"token_type": "Bearer", "access_token" : "a.b.c"}`, "access_token", "a.b.c", true},
		{"{\n  \"sub\": \"u_1\"\n}", "sub", "u_1", true},
		{`{"scope":"refresh_token","refresh_token":"r1"}`, "refresh_token", "r1", true}, // the name as a value first
		{`{"access_token":"abc"}`, "refresh_token", "", false},
		{`{"expires_in":3600}`, "expires_in", "", false}, // not a string
		{`{"access_token":"a\"b"}`, "access_token", "", false},
		{`{"access_token":"unterminated`, "access_token", "", false},
		{`{"access_token":""}`, "access_token", "", true},
	}
	for _, tt := range tests {
		got, ok := jsonField([]byte(tt.body), tt.name)
		if got != tt.want || ok != tt.ok {
			t.Errorf("jsonField(%s, %q) = %q, %v; want %q, %v", tt.body, tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestJSONTrue(t *testing.T) {
	tests := []struct {
		body string
		want bool
	}{
		{`{"active":true,"sub":"u"}`, true},
		{`{"active": true}`, true},
		{`{"active":false}`, false},
		{`{"sub":"active"}`, false},
		{`{}`, false},
	}
	for _, tt := range tests {
		if got := jsonTrue([]byte(tt.body), "active"); got != tt.want {
			t.Errorf("jsonTrue(%s) = %v, want %v", tt.body, got, tt.want)
		}
	}
}

func TestProcStatusKB(t *testing.T) {
	status := "Name:\tidp\nVmPeak:\t  812344 kB\nVmHWM:\t   45120 kB\nVmRSS:\t   40000 kB\nThreads:\t9\n"
	if v, ok := procStatusKB(status, "VmHWM"); !ok || v != 45120*1024 {
		t.Errorf("VmHWM = %d, %v", v, ok)
	}
	if v, ok := procStatusKB(status, "VmRSS"); !ok || v != 40000*1024 {
		t.Errorf("VmRSS = %d, %v", v, ok)
	}
	if v, ok := procStatusKB(status, "Threads"); !ok || v != 9 {
		t.Errorf("Threads = %d, %v", v, ok)
	}
	if _, ok := procStatusKB(status, "VmSwap"); ok {
		t.Error("found a missing field")
	}
	if _, ok := procStatusKB(status, "Vm"); ok {
		t.Error("matched a prefix of a field name")
	}
}

func TestInfoField(t *testing.T) {
	info := "# Memory\r\nused_memory:1048576\r\nused_memory_human:1.00M\r\nused_memory_rss:5000000\r\n# Server\r\nredis_version:7.0.15\r\n"
	if v, ok := infoField(info, "used_memory"); !ok || v != 1048576 {
		t.Errorf("used_memory = %d, %v", v, ok)
	}
	if _, ok := infoField(info, "used_memory_human"); ok {
		t.Error("parsed a non-integer field")
	}
	if _, ok := infoField(info, "maxmemory"); ok {
		t.Error("found a missing field")
	}
	if v := infoString(info, "redis_version"); v != "7.0.15" {
		t.Errorf("redis_version = %q", v)
	}
}

func TestProcStatCPU(t *testing.T) {
	// Field 2 may hold spaces and parentheses; utime is 1500, stime 250.
	stat := "4242 (idp (x) y) S 1 4242 4242 0 -1 4194560 9000 0 0 0 1500 250 0 0 20 0 9 0 1234 812344320 11280 18446744073709551615\n"
	if got, ok := procStatCPU(stat); !ok || got != 1750 {
		t.Fatalf("procStatCPU = %d, %v; want 1750", got, ok)
	}
	if _, ok := procStatCPU("4242 (idp) S 1 2"); ok {
		t.Error("parsed a truncated line")
	}
	if _, ok := procStatCPU("garbage"); ok {
		t.Error("parsed garbage")
	}
}
