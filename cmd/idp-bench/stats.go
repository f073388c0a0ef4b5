package main

import (
	"bytes"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// percentile returns the nearest-rank p-th percentile (0 < p <= 100) of
// sorted, a slice in ascending order: the smallest value that at least p%
// of the values do not exceed. It returns 0 for an empty slice.
func percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(n)))
	rank = min(max(rank, 1), n)
	return sorted[rank-1]
}

// latencySummary sorts lat in place and returns its median and 99th
// percentile.
func latencySummary(lat []time.Duration) (p50, p99 time.Duration) {
	slices.Sort(lat)
	return percentile(lat, 50), percentile(lat, 99)
}

// jsonField returns the value of the string member name of a flat JSON
// object such as a token response, without decoding the document: the
// values the benchmark reads (tokens, subjects) never contain escapes, so
// a value holding a backslash is refused rather than half-read.
func jsonField(body []byte, name string) (string, bool) {
	key := []byte(`"` + name + `"`)
	for rest := body; ; {
		i := bytes.Index(rest, key)
		if i < 0 {
			return "", false
		}
		rest = rest[i+len(key):]
		v := bytes.TrimLeft(rest, " \t\r\n")
		if len(v) == 0 || v[0] != ':' {
			continue // the name occurred as a value, not as a member name
		}
		v = bytes.TrimLeft(v[1:], " \t\r\n")
		if len(v) == 0 || v[0] != '"' {
			return "", false
		}
		end := bytes.IndexByte(v[1:], '"')
		if end < 0 {
			return "", false
		}
		s := v[1 : 1+end]
		if bytes.IndexByte(s, '\\') >= 0 {
			return "", false
		}
		return string(s), true
	}
}

// jsonTrue reports whether the flat JSON object body has the member name
// set to true.
func jsonTrue(body []byte, name string) bool {
	key := []byte(`"` + name + `"`)
	i := bytes.Index(body, key)
	if i < 0 {
		return false
	}
	v := bytes.TrimLeft(body[i+len(key):], " \t\r\n")
	if len(v) == 0 || v[0] != ':' {
		return false
	}
	return bytes.HasPrefix(bytes.TrimLeft(v[1:], " \t\r\n"), []byte("true"))
}

// procStatusKB returns the value in bytes of a "Name:   1234 kB" line of
// /proc/<pid>/status.
func procStatusKB(status, name string) (int64, bool) {
	for line := range strings.SplitSeq(status, "\n") {
		rest, ok := strings.CutPrefix(line, name+":")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			return 0, false
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, false
		}
		if len(f) > 1 && strings.EqualFold(f[1], "kB") {
			n *= 1024
		}
		return n, true
	}
	return 0, false
}

// infoField returns the integer field name of a Redis INFO reply, whose
// lines are "name:value".
func infoField(info, name string) (int64, bool) {
	for line := range strings.SplitSeq(info, "\n") {
		v, ok := strings.CutPrefix(strings.TrimRight(line, "\r"), name+":")
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil
	}
	return 0, false
}

// infoString is infoField for a textual field.
func infoString(info, name string) string {
	for line := range strings.SplitSeq(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimRight(line, "\r"), name+":"); ok {
			return v
		}
	}
	return ""
}

// jsonInt returns the value of the integer member name of a flat JSON
// object.
func jsonInt(body []byte, name string) (int64, bool) {
	key := []byte(`"` + name + `"`)
	for rest := body; ; {
		i := bytes.Index(rest, key)
		if i < 0 {
			return 0, false
		}
		rest = rest[i+len(key):]
		v := bytes.TrimLeft(rest, " \t\r\n")
		if len(v) == 0 || v[0] != ':' {
			continue
		}
		v = bytes.TrimLeft(v[1:], " \t\r\n")
		end := 0
		for end < len(v) && (v[end] == '-' || v[end] >= '0' && v[end] <= '9') {
			end++
		}
		n, err := strconv.ParseInt(string(v[:end]), 10, 64)
		return n, err == nil
	}
}
