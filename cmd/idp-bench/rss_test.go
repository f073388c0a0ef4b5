package main

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDownsampleRSS(t *testing.T) {
	from := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	// every returns samples every 100 ms from first to last seconds
	// (relative to from), RSS and requests growing with time.
	every := func(first, last float64) []memSample {
		var out []memSample
		for ms := int(first * 1000); ms <= int(last*1000); ms += 100 {
			out = append(out, memSample{at: from.Add(time.Duration(ms) * time.Millisecond), rss: int64(1000 + ms), anon: int64(600 + ms), file: 400, requests: int64(ms / 10)})
		}
		return out
	}
	at := func(secs ...float64) []memSample {
		var out []memSample
		for _, s := range secs {
			out = append(out, memSample{at: from.Add(time.Duration(s * float64(time.Second))), rss: 1, requests: 2})
		}
		return out
	}
	times := func(s []RSSSample) []float64 {
		var out []float64
		for _, p := range s {
			out = append(out, p.T)
		}
		return out
	}
	grid := func(step, last float64) []float64 {
		var out []float64
		for t := 0.0; t <= last; t += step {
			out = append(out, t)
		}
		return out
	}
	tests := []struct {
		name   string
		raw    []memSample
		window time.Duration
		want   []float64
	}{
		{"one a second, warm-up and after the window left out", every(-0.5, 3.3), 3 * time.Second, []float64{0, 1, 2, 3}},
		{"the window's last sample ends the series", every(-0.5, 3.3), 2500 * time.Millisecond, []float64{0, 1, 2, 2.5}},
		{"window/60 apart in a long window", every(0, 130), 120 * time.Second, grid(2, 120)},
		{"late samples: the first at or after each step", at(0.05, 1.3, 1.4, 2.9), 3 * time.Second, []float64{0.05, 1.3, 2.9}},
		{"a window shortened by a supply running out", every(0, 10), 1200 * time.Millisecond, []float64{0, 1, 1.2}},
		{"no sample in the window", at(-1, 5), 3 * time.Second, nil},
		{"no window", every(0, 3), 0, nil},
	}
	for _, tt := range tests {
		got := downsampleRSS(tt.raw, from, tt.window)
		if !slices.Equal(times(got), tt.want) {
			t.Errorf("%s: times %v, want %v", tt.name, times(got), tt.want)
		}
	}
	// Each point keeps its sample's figures.
	got := downsampleRSS(every(0, 3), from, 3*time.Second)
	if got[1] != (RSSSample{T: 1, RSS: 2000, RSSAnon: 1600, RSSFile: 400, Requests: 100}) {
		t.Errorf("point %+v", got[1])
	}
}

func TestSummarizeRSS(t *testing.T) {
	const mib = 1 << 20
	// series returns a sample a second from 0 to last, 1,000 requests a
	// second, RSS given by rss(t, requests).
	series := func(last int, rss func(t, req int64) int64) []RSSSample {
		var out []RSSSample
		for i := range int64(last + 1) {
			out = append(out, RSSSample{T: float64(i), RSS: rss(i, 1000*i), Requests: 1000 * i})
		}
		return out
	}
	tests := []struct {
		name    string
		samples []RSSSample
		window  float64
		ok      bool
		want    rssTrend
		slope   float64 // bytes per request, checked within 1%
		anon    float64 // the same for anonymous memory
	}{
		{
			name:    "flat",
			samples: series(60, func(t, req int64) int64 { return 50 * mib }),
			window:  60, ok: true,
			want: rssTrend{Window: 60, From: 6, Start: 50 * mib, End: 50 * mib, Max: 50 * mib, Requests: 54000, SlopeOK: true},
		},
		{
			name:    "100 bytes per request",
			samples: series(60, func(t, req int64) int64 { return 40*mib + 100*req }),
			window:  60, ok: true,
			want:  rssTrend{Window: 60, From: 6, Start: 40*mib + 600000, End: 40*mib + 6000000, Max: 40*mib + 6000000, Requests: 54000, SlopeOK: true},
			slope: 100,
		},
		{
			name: "growth in the first tenth is warm-up, not a trend",
			samples: series(60, func(t, req int64) int64 {
				if t < 6 {
					return (10 + 10*t) * mib // up to 60 MiB at 5 s
				}
				return 40 * mib
			}),
			window: 60, ok: true,
			want: rssTrend{Window: 60, From: 6, Start: 40 * mib, End: 40 * mib, Max: 60 * mib, Requests: 54000, SlopeOK: true},
		},
		{
			name: "garbage collection sawtooth around 50 bytes per request",
			samples: series(100, func(t, req int64) int64 {
				saw := int64(mib)
				if t%2 == 1 {
					saw = -mib
				}
				return 30*mib + 50*req + saw
			}),
			window: 100, ok: true,
			want:  rssTrend{Window: 100, From: 10, Start: 30*mib + 500000 + mib, End: 30*mib + 5000000 + mib, Max: 30*mib + 5000000 + mib, Requests: 90000, SlopeOK: true},
			slope: 50,
		},
		{
			name:    "less than a byte per request",
			samples: series(40, func(t, req int64) int64 { return 20*mib + t }),
			window:  40, ok: true,
			want:  rssTrend{Window: 40, From: 4, Start: 20*mib + 4, End: 20*mib + 40, Max: 20*mib + 40, Requests: 36000, SlopeOK: true},
			slope: 0.001,
		},
		{
			name:    "two samples past the first tenth: no slope",
			samples: []RSSSample{{T: 0, RSS: 5}, {T: 10, RSS: 7, Requests: 10}, {T: 30, RSS: 9, Requests: 30}},
			window:  30, ok: true,
			want: rssTrend{Window: 30, From: 10, Start: 7, End: 9, Max: 9, Requests: 20},
		},
		{
			name: "a mapped file's pages grow, anonymous memory does not",
			samples: func() []RSSSample {
				s := series(60, func(t, req int64) int64 { return 30*mib + 500*req })
				for i := range s {
					s[i].RSSAnon, s[i].RSSFile = 20*mib, 10*mib+500*s[i].Requests
				}
				return s
			}(),
			window: 60, ok: true,
			want:  rssTrend{Window: 60, From: 6, Start: 30*mib + 3000000, End: 30*mib + 30000000, Max: 30*mib + 30000000, Requests: 54000, SlopeOK: true, AnonOK: true},
			slope: 500, anon: 0,
		},
		{
			name: "anonymous memory grows 80 bytes per request",
			samples: func() []RSSSample {
				s := series(60, func(t, req int64) int64 { return 30*mib + 80*req })
				for i := range s {
					s[i].RSSAnon = 20*mib + 80*s[i].Requests
				}
				return s
			}(),
			window: 60, ok: true,
			want:  rssTrend{Window: 60, From: 6, Start: 30*mib + 480000, End: 30*mib + 4800000, Max: 30*mib + 4800000, Requests: 54000, SlopeOK: true, AnonOK: true},
			slope: 80, anon: 80,
		},
		{
			name:    "a window under 30s",
			samples: series(29, func(t, req int64) int64 { return mib }),
			window:  29.9,
		},
		{
			name:    "one sample past the first tenth",
			samples: []RSSSample{{T: 0, RSS: 5}, {T: 30, RSS: 9}},
			window:  30,
		},
		{
			name:   "no samples",
			window: 60,
		},
	}
	for _, tt := range tests {
		got, ok := summarizeRSS(tt.samples, tt.window)
		if ok != tt.ok {
			t.Errorf("%s: ok %v, want %v", tt.name, ok, tt.ok)
			continue
		}
		slope, anon := got.BytesPerRequest, got.AnonBytesPerRequest
		got.BytesPerRequest, got.AnonBytesPerRequest = 0, 0
		if got != tt.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
		if math.Abs(slope-tt.slope) > 0.01*math.Abs(tt.slope)+1e-9 {
			t.Errorf("%s: slope %v bytes per request, want %v", tt.name, slope, tt.slope)
		}
		if math.Abs(anon-tt.anon) > 0.01*math.Abs(tt.anon)+1e-9 {
			t.Errorf("%s: anonymous slope %v bytes per request, want %v", tt.name, anon, tt.anon)
		}
	}

	// Requests that do not grow leave the slope undefined.
	stuck := []RSSSample{{T: 0, RSS: 1}, {T: 10, RSS: 2}, {T: 20, RSS: 3}, {T: 30, RSS: 4}}
	if tr, ok := summarizeRSS(stuck, 30); !ok || tr.SlopeOK {
		t.Errorf("no requests: ok %v, slope %+v", ok, tr)
	}
}

func TestFormatSignedBytes(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{0, "0 B"},
		{0.3, "0 B"},
		{512, "+512 B"},
		{-512, "-512 B"},
		{12.6 * 1024, "+12.6 KiB"},
		{-3 * (1 << 20), "-3.0 MiB"},
		{2.5 * (1 << 30), "+2.5 GiB"},
		{5000 * (1 << 30), "+5000.0 GiB"},
		{-0.01, "0 B"},
	}
	for _, tt := range tests {
		if got := formatSignedBytes(tt.v); got != tt.want {
			t.Errorf("formatSignedBytes(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

func TestWriteRSSTrends(t *testing.T) {
	const mib = 1 << 20
	long := Result{Scenario: "client_credentials", Seconds: 60}
	for i := range int64(61) {
		long.RSSSamples = append(long.RSSSamples, RSSSample{T: float64(i), RSS: 40*mib + 100*3000*i, RSSAnon: 30*mib + 3000*i, Requests: 3000 * i})
	}
	short := Result{Scenario: "userinfo", Seconds: 10, RSSSamples: long.RSSSamples[:11]}
	var b bytes.Buffer
	writeRSSTrends(&b, []Result{short, long})
	out := b.String()
	for _, want := range []string{
		"RSS over the measured window (windows of 30s or more",
		"scenario            window  requests  RSS at 10%    at end       max     change  per 1M requests  anon per 1M\n",
		"client_credentials    1m0s    162000    41.7 MiB  57.2 MiB  57.2 MiB  +15.4 MiB        +95.4 MiB   +976.6 KiB\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "userinfo") {
		t.Errorf("summarized a 10s window:\n%s", out)
	}
	b.Reset()
	writeRSSTrends(&b, []Result{short})
	if b.Len() != 0 {
		t.Errorf("wrote %q with no window long enough", b.String())
	}
}
