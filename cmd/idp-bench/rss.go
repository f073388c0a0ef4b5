package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"time"
)

// RSSSample is one point of the server's resident set over a measured
// window.
type RSSSample struct {
	T   float64 `json:"t_s"`       // seconds since the window began
	RSS int64   `json:"rss_bytes"` // VmRSS
	// RSSAnon and RSSFile split RSS (with the rarely used RssShmem) into
	// anonymous memory, the Go heap and stacks among it, and pages of
	// mapped files, such as the embedded token store's database, which
	// the kernel may reclaim. 0 where the kernel does not tell.
	RSSAnon  int64 `json:"rss_anon_bytes,omitempty"`
	RSSFile  int64 `json:"rss_file_bytes,omitempty"`
	Requests int64 `json:"requests"` // successful requests of the window so far
}

// memSample is one reading of the sampler, every 100 ms.
type memSample struct {
	at         time.Time
	rss        int64
	anon, file int64
	requests   int64
}

// maxRSSPoints bounds the points kept per window, so that a long run's
// JSON stays readable; windows under a minute keep one a second.
const maxRSSPoints = 60

// downsampleRSS keeps, of the samples taken during the window that began
// at from and lasted window, the first one at or after each step of
// max(1s, window/60), and the last one of the window, so the series ends
// where the window did.
func downsampleRSS(raw []memSample, from time.Time, window time.Duration) []RSSSample {
	if window <= 0 {
		return nil
	}
	step := max(time.Second, window/maxRSSPoints)
	point := func(s memSample, t time.Duration) RSSSample {
		return RSSSample{T: math.Round(t.Seconds()*1000) / 1000, RSS: s.rss, RSSAnon: s.anon, RSSFile: s.file, Requests: s.requests}
	}
	var (
		out     []RSSSample
		next    time.Duration
		pending *RSSSample
	)
	for _, s := range raw {
		t := s.at.Sub(from)
		if t < 0 || t > window {
			continue
		}
		p := point(s, t)
		if t >= next {
			out = append(out, p)
			next = (t/step + 1) * step
			pending = nil
		} else {
			pending = &p
		}
	}
	if pending != nil {
		out = append(out, *pending)
	}
	return out
}

// rssTrendMinWindow is the shortest window whose RSS trend is summarized:
// over a few seconds the garbage collector's cycles, not a trend, decide
// where the resident set stands.
const rssTrendMinWindow = 30

// rssTrendSkip is the share of the window left out at its start, where
// the server's heap still grows to the size the load keeps it at.
const rssTrendSkip = 0.1

// rssTrend summarizes the server's resident set over one measured window,
// from the first sample past its first tenth.
type rssTrend struct {
	Window   float64 // seconds
	From     float64 // when the first sample summarized was taken, in seconds
	Start    int64   // RSS at From
	End      int64   // RSS at the end of the window
	Max      int64   // the largest sample of the whole window
	Requests int64   // successful requests from From to the end
	// BytesPerRequest is the least-squares slope of RSS against the
	// requests served, over the samples from From on: what each request
	// leaves resident. Unlike end minus start, one garbage collection
	// cycle more or less at either end barely moves it. It is valid only
	// when SlopeOK (at least three samples over which requests grew).
	BytesPerRequest float64
	SlopeOK         bool
	// AnonBytesPerRequest is the same slope for the anonymous part of
	// RSS alone, valid when AnonOK (the samples have it): what the
	// process itself keeps, without the mapped files' pages.
	AnonBytesPerRequest float64
	AnonOK              bool
}

// summarizeRSS summarizes samples of a window of the given seconds; false
// when the window is shorter than rssTrendMinWindow or has fewer than two
// samples past its first tenth.
func summarizeRSS(samples []RSSSample, window float64) (rssTrend, bool) {
	if window < rssTrendMinWindow {
		return rssTrend{}, false
	}
	tr := rssTrend{Window: window}
	first := -1
	for i, s := range samples {
		tr.Max = max(tr.Max, s.RSS)
		if first < 0 && s.T >= rssTrendSkip*window {
			first = i
		}
	}
	if first < 0 || len(samples)-first < 2 {
		return rssTrend{}, false
	}
	tail := samples[first:]
	a, z := tail[0], tail[len(tail)-1]
	tr.From, tr.Start, tr.End, tr.Requests = a.T, a.RSS, z.RSS, z.Requests-a.Requests
	tr.BytesPerRequest, tr.SlopeOK = rssSlope(tail, func(s RSSSample) int64 { return s.RSS })
	if !slices.ContainsFunc(tail, func(s RSSSample) bool { return s.RSSAnon == 0 }) {
		tr.AnonBytesPerRequest, tr.AnonOK = rssSlope(tail, func(s RSSSample) int64 { return s.RSSAnon })
	}
	return tr, true
}

// rssSlope is the least-squares slope of the value of samples against
// requests; false with fewer than three samples or when requests did not
// grow.
func rssSlope(samples []RSSSample, value func(RSSSample) int64) (float64, bool) {
	n := float64(len(samples))
	if len(samples) < 3 {
		return 0, false
	}
	var mx, my float64
	for _, s := range samples {
		mx += float64(s.Requests)
		my += float64(value(s))
	}
	mx, my = mx/n, my/n
	var sxy, sxx float64
	for _, s := range samples {
		dx := float64(s.Requests) - mx
		sxy += dx * (float64(value(s)) - my)
		sxx += dx * dx
	}
	if sxx == 0 {
		return 0, false
	}
	return sxy / sxx, true
}

// formatSignedBytes renders a signed amount of bytes in B, KiB, MiB or GiB,
// whichever keeps it between 1 and 1024.
func formatSignedBytes(v float64) string {
	sign := "+"
	if v < 0 {
		sign, v = "-", -v
	}
	units := []string{"B", "KiB", "MiB", "GiB"}
	u := 0
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	prec := 1
	if u == 0 {
		prec = 0
	}
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if s == "0" || s == "0.0" {
		sign = ""
	}
	return sign + s + " " + units[u]
}

// writeRSSTrends writes the RSS summary of every result whose window is
// long enough, under a title; nothing when none is.
func writeRSSTrends(w io.Writer, results []Result) {
	var rows [][]string
	for _, r := range results {
		tr, ok := summarizeRSS(r.RSSSamples, r.Seconds)
		if !ok {
			continue
		}
		slope, anon := "-", "-"
		if tr.SlopeOK {
			slope = formatSignedBytes(tr.BytesPerRequest * 1e6)
		}
		if tr.AnonOK {
			anon = formatSignedBytes(tr.AnonBytesPerRequest * 1e6)
		}
		rows = append(rows, []string{r.Scenario, seconds(tr.Window), strconv.FormatInt(tr.Requests, 10),
			formatMiB(tr.Start), formatMiB(tr.End), formatMiB(tr.Max),
			formatSignedBytes(float64(tr.End - tr.Start)), slope, anon})
	}
	if len(rows) == 0 {
		return
	}
	fmt.Fprintln(w, "\nRSS over the measured window (windows of 30s or more, from the first sample past the first 10%):")
	renderTable(w, []string{"scenario", "window", "requests", "RSS at 10%", "at end", "max", "change", "per 1M requests", "anon per 1M"}, rows)
	fmt.Fprintln(w, "  per 1M requests: least-squares slope of RSS against the requests served, after the first 10%;")
	fmt.Fprintln(w, "  anon: the same for anonymous memory alone (Go heap, stacks), without mapped files such as the embedded token store's")
}
