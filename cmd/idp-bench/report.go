package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// reportVersion is the version of the JSON document; a reader refuses
// another one rather than compare fields that mean something else.
const reportVersion = 1

// Report is one run of the benchmark, as written by -json.
type Report struct {
	Version  int       `json:"version"`
	Started  time.Time `json:"started"`
	Machine  Machine   `json:"machine"`
	Backend  Backend   `json:"backend"`
	Settings Settings  `json:"settings"`
	// LoadAvg is the machine's 1-minute load average before and after the
	// run: other work on the machine takes CPU from both the provider and
	// the load generator.
	LoadAvg [2]float64 `json:"load_avg"`
	// Reference is the trivial handler under the same load, measured
	// before and after the scenarios and combined.
	Reference *Result `json:"reference,omitempty"`
	// ReferenceRuns are the reference's rates before and after.
	ReferenceRuns []float64 `json:"reference_runs_rps,omitempty"`
	// ReferenceRunResults are the reference's two runs in full, named
	// trivial and trivial-after: what the combined Reference cannot hold,
	// such as each run's RSS samples.
	ReferenceRunResults []Result `json:"reference_runs,omitempty"`
	// Signing is the raw in-process signing rate of each algorithm.
	Signing []SignResult `json:"signing,omitempty"`
	Soak    *Soak        `json:"soak,omitempty"`
	Results []Result     `json:"results"`
	Skipped []Skip       `json:"skipped,omitempty"`
}

// Machine describes where the run happened.
type Machine struct {
	CPUs     int    `json:"cpus"`
	CPUModel string `json:"cpu_model,omitempty"`
	MemoryMB int64  `json:"memory_mb,omitempty"`
	OS       string `json:"os"`
	Arch     string `json:"arch"`
	Go       string `json:"go"`
}

// Backend names the stores the provider ran on.
type Backend struct {
	Records string `json:"records"` // "sqlite" or "mysql <version>"
	Tokens  string `json:"tokens"`  // "embedded" or "redis <version>"
}

// Settings are the load parameters.
type Settings struct {
	Connections int     `json:"connections"`
	Duration    float64 `json:"duration_s"`
	// ReferenceDuration is the measured time of each reference run; 0 in
	// files written before it could differ from Duration.
	ReferenceDuration float64 `json:"reference_duration_s,omitempty"`
	Warmup            float64 `json:"warmup_s"`
	Smoke             bool    `json:"smoke,omitempty"`
}

// Result is one scenario (or the reference) under load.
type Result struct {
	Scenario string  `json:"scenario"`
	Requests int64   `json:"requests"` // successful requests in the window
	Errors   int64   `json:"errors"`   // failed requests in the window
	Seconds  float64 `json:"seconds"`  // length of the measured window
	RPS      float64 `json:"rps"`      // Requests / Seconds
	// Ratio is RPS over the reference's RPS (0 when there is none).
	Ratio float64 `json:"ratio"`
	P50Ms float64 `json:"p50_ms"`
	P99Ms float64 `json:"p99_ms"`
	// PeakRSS is the server's peak resident set during the run, in bytes.
	PeakRSS int64 `json:"peak_rss_bytes"`
	// ServerCPUPerRequestMs is the server process's CPU time (user and
	// system) over the whole run, warm-up included, divided by the
	// requests it completed; ServerCores is that CPU time over the run's
	// wall time: how many cores the server kept busy.
	ServerCPUPerRequestMs float64  `json:"server_cpu_ms_per_request"`
	ServerCores           float64  `json:"server_cpu_cores"`
	Note                  string   `json:"note,omitempty"`
	ErrorSamples          []string `json:"error_samples,omitempty"`
	// RSSSamples is the server's resident set over the measured window,
	// one point every max(1s, window/60) and the last one of the window.
	RSSSamples []RSSSample `json:"rss_samples,omitempty"`
}

// referenceDuration is the measured time of each reference run.
func (s Settings) referenceDuration() float64 {
	if s.ReferenceDuration > 0 {
		return s.ReferenceDuration
	}
	return s.Duration
}

// SignResult is the raw signing rate of one algorithm.
type SignResult struct {
	Alg        string  `json:"alg"`
	Goroutines int     `json:"goroutines"`
	Seconds    float64 `json:"seconds"`
	PerSecond  float64 `json:"per_second"`
	// Runs are the rates of the two runs, before and after the scenarios,
	// that PerSecond combines.
	Runs []float64 `json:"runs_per_second,omitempty"`
	// CPUPerSignatureMs is the CPU time per signature: unlike the rate, it
	// does not depend on how much of the machine the run got.
	CPUPerSignatureMs float64 `json:"cpu_ms_per_signature"`
}

// combineSigning merges two runs of one algorithm, as combine does for
// the reference: the signatures of both over the time of both.
func combineSigning(a, b SignResult) SignResult {
	na, nb := a.PerSecond*a.Seconds, b.PerSecond*b.Seconds
	r := SignResult{Alg: a.Alg, Goroutines: a.Goroutines, Seconds: a.Seconds + b.Seconds, Runs: []float64{a.PerSecond, b.PerSecond}}
	if r.Seconds > 0 {
		r.PerSecond = (na + nb) / r.Seconds
	}
	if na+nb > 0 {
		r.CPUPerSignatureMs = (a.CPUPerSignatureMs*na + b.CPUPerSignatureMs*nb) / (na + nb)
	}
	return r
}

// Soak describes the tokens put in the store before the scenarios.
type Soak struct {
	Tokens  int64   `json:"tokens"`
	Seconds float64 `json:"seconds"`
	Errors  int64   `json:"errors"`
	// RedisBytesPerToken is the growth of Redis used_memory over the fill
	// divided by the tokens issued (Redis only).
	RedisBytesPerToken float64 `json:"redis_bytes_per_token,omitempty"`
	RedisUsedBefore    int64   `json:"redis_used_memory_before,omitempty"`
	RedisUsedAfter     int64   `json:"redis_used_memory_after,omitempty"`
	// RedisKeyBytesPerToken is the growth of the summed MEMORY USAGE of
	// the run's own keys over the fill divided by the tokens issued: the
	// same figure, immune to what else the node does meanwhile.
	RedisKeyBytesPerToken float64 `json:"redis_key_bytes_per_token,omitempty"`
	RedisKeysAfter        int64   `json:"redis_keys_after,omitempty"`
}

// Skip is a selected scenario that did not run, and why.
type Skip struct {
	Scenario string `json:"scenario"`
	Reason   string `json:"reason"`
}

// result returns the result of scenario name, if any.
func (r *Report) result(name string) (Result, bool) {
	for _, x := range r.Results {
		if x.Scenario == name {
			return x, true
		}
	}
	return Result{}, false
}

// signRate returns the raw signing rate of alg, or 0.
func (r *Report) signRate(alg string) float64 {
	for _, s := range r.Signing {
		if s.Alg == alg {
			return s.PerSecond
		}
	}
	return 0
}

// setRatios fills every result's Ratio from the reference.
func (r *Report) setRatios() {
	if r.Reference == nil || r.Reference.RPS <= 0 {
		return
	}
	r.Reference.Ratio = 1
	for i := range r.Results {
		r.Results[i].Ratio = r.Results[i].RPS / r.Reference.RPS
	}
}

// ms converts a duration to fractional milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// formatMs renders milliseconds with a precision that suits their size.
func formatMs(v float64) string {
	switch {
	case v <= 0:
		return "-"
	case v < 10:
		return strconv.FormatFloat(v, 'f', 2, 64) + "ms"
	case v < 100:
		return strconv.FormatFloat(v, 'f', 1, 64) + "ms"
	}
	return strconv.FormatFloat(v, 'f', 0, 64) + "ms"
}

// formatMiB renders bytes as MiB.
func formatMiB(b int64) string {
	if b <= 0 {
		return "-"
	}
	return strconv.FormatFloat(float64(b)/(1<<20), 'f', 1, 64) + " MiB"
}

// formatRate renders a rate per second without decimals below a million.
func formatRate(v float64) string {
	if v >= 100 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// formatRatio renders a ratio to the reference with two decimals, three
// below 0.01 so that slow scenarios do not read as zero.
func formatRatio(v float64) string {
	switch {
	case v <= 0:
		return "-"
	case v < 0.01:
		return strconv.FormatFloat(v, 'f', 3, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// formatChange renders new/old-1 as a signed percentage.
func formatChange(old, new float64) string {
	if old <= 0 || new <= 0 {
		return "-"
	}
	return fmt.Sprintf("%+.1f%%", (new/old-1)*100)
}

// renderTable writes rows as columns separated by two spaces: the first
// column left-aligned, the others right-aligned, under a header and a rule.
func renderTable(w io.Writer, header []string, rows [][]string) {
	width := make([]int, len(header))
	for _, r := range append([][]string{header}, rows...) {
		for i, c := range r {
			if i < len(width) {
				width[i] = max(width[i], len([]rune(c)))
			}
		}
	}
	line := func(r []string) {
		var b strings.Builder
		for i := range width {
			c := ""
			if i < len(r) {
				c = r[i]
			}
			pad := strings.Repeat(" ", width[i]-len([]rune(c)))
			if i > 0 {
				b.WriteString("  ")
			}
			if i == 0 {
				b.WriteString(c + pad)
			} else {
				b.WriteString(pad + c)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	line(header)
	rule := make([]string, len(width))
	for i, n := range width {
		rule[i] = strings.Repeat("-", n)
	}
	line(rule)
	for _, r := range rows {
		line(r)
	}
}

// resultRow is a result as a row of the results table.
func resultRow(name string, r Result) []string {
	return []string{name, formatRate(r.RPS), formatRatio(r.Ratio), formatMs(r.P50Ms), formatMs(r.P99Ms),
		strconv.FormatInt(r.Errors, 10), formatMiB(r.PeakRSS), formatMs(r.ServerCPUPerRequestMs), formatCores(r.ServerCores)}
}

// formatCores renders a number of busy cores.
func formatCores(v float64) string {
	if v <= 0 {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// writeTable writes the results table of rep and what goes with it: raw
// signing rates, soak figures, the RSS over long windows, skipped
// scenarios and error samples.
func writeTable(w io.Writer, rep *Report) {
	refLength := ""
	if d := rep.Settings.referenceDuration(); d != rep.Settings.Duration {
		refLength = " (reference " + seconds(d) + ")"
	}
	fmt.Fprintf(w, "\nTongxing benchmark: %d connections, %s per scenario%s after %s warm-up; records %s, tokens %s; %d CPUs (%s); load average %.2f before, %.2f after\n\n",
		rep.Settings.Connections, seconds(rep.Settings.Duration), refLength, seconds(rep.Settings.Warmup),
		rep.Backend.Records, rep.Backend.Tokens, rep.Machine.CPUs, rep.Machine.CPUModel, rep.LoadAvg[0], rep.LoadAvg[1])
	header := []string{"scenario", "req/s", "ratio", "p50", "p99", "errors", "peak RSS", "srv CPU/req", "srv cores"}
	var rows [][]string
	if rep.Reference != nil {
		rows = append(rows, resultRow("trivial (reference)", *rep.Reference))
	}
	for _, r := range rep.Results {
		rows = append(rows, resultRow(r.Scenario, r))
	}
	renderTable(w, header, rows)
	if runs := rep.ReferenceRuns; len(runs) == 2 {
		fmt.Fprintf(w, "  reference: %s req/s before the scenarios, %s after (%s)\n", formatRate(runs[0]), formatRate(runs[1]), formatChange(runs[0], runs[1]))
	}
	if d := rep.Settings.referenceDuration(); d != rep.Settings.Duration {
		fmt.Fprintf(w, "  the reference ran %s each time, the scenarios %s: ratios compare rates measured over different lengths\n",
			seconds(d), seconds(rep.Settings.Duration))
	}
	for _, r := range rep.Results {
		if r.Note != "" {
			fmt.Fprintf(w, "  %s: %s\n", r.Scenario, r.Note)
		}
	}
	if len(rep.Signing) > 0 {
		fmt.Fprintln(w)
		for _, s := range rep.Signing {
			fmt.Fprintf(w, "raw %s signing, in-process, %d goroutines: %s signatures/s, %s CPU per signature",
				s.Alg, s.Goroutines, formatRate(s.PerSecond), formatMs(s.CPUPerSignatureMs))
			if len(s.Runs) == 2 {
				fmt.Fprintf(w, " (%s before the scenarios, %s after)", formatRate(s.Runs[0]), formatRate(s.Runs[1]))
			}
			fmt.Fprintln(w)
		}
		for _, c := range []struct{ scenario, alg string }{
			{"client_credentials_jwt_rs256", "RS256"}, {"client_credentials_jwt_es256", "ES256"},
		} {
			r, ok := rep.result(c.scenario)
			raw := rep.signRate(c.alg)
			if ok && raw > 0 && r.RPS > 0 {
				fmt.Fprintf(w, "%s: %s req/s = %.0f%% of the raw %s signing rate", c.scenario, formatRate(r.RPS), 100*r.RPS/raw, c.alg)
				if r.ServerCPUPerRequestMs > 0 {
					fmt.Fprintf(w, "; server CPU %s per request", formatMs(r.ServerCPUPerRequestMs))
					if o, ok := rep.result("client_credentials"); ok && o.ServerCPUPerRequestMs > 0 {
						fmt.Fprintf(w, " (opaque: %s)", formatMs(o.ServerCPUPerRequestMs))
					}
				}
				fmt.Fprintln(w)
			}
		}
	}
	if s := rep.Soak; s != nil {
		fmt.Fprintf(w, "\nsoak: %d live tokens issued before the scenarios in %.0fs (%d errors)", s.Tokens, s.Seconds, s.Errors)
		if s.RedisBytesPerToken > 0 {
			fmt.Fprintf(w, "; Redis used_memory %s -> %s: %.0f bytes per token", formatMiB(s.RedisUsedBefore), formatMiB(s.RedisUsedAfter), s.RedisBytesPerToken)
		}
		if s.RedisKeyBytesPerToken > 0 {
			fmt.Fprintf(w, "; MEMORY USAGE of the run's %d keys: %.0f bytes per token", s.RedisKeysAfter, s.RedisKeyBytesPerToken)
		}
		fmt.Fprintln(w)
	}
	writeRSSTrends(w, append(slices.Clip(rep.ReferenceRunResults), rep.Results...))
	for _, s := range rep.Skipped {
		fmt.Fprintf(w, "skipped %s: %s\n", s.Scenario, s.Reason)
	}
	all := rep.Results
	if rep.Reference != nil {
		all = append([]Result{*rep.Reference}, all...)
	}
	for _, r := range all {
		for _, e := range r.ErrorSamples {
			fmt.Fprintf(w, "error in %s: %s\n", r.Scenario, e)
		}
	}
}

func seconds(s float64) string { return time.Duration(s * float64(time.Second)).String() }

// writeJSON writes rep to path.
func writeJSON(path string, rep *Report) error {
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// readReport reads a result file written by -json.
func readReport(path string) (*Report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rep Report
	if err := json.Unmarshal(b, &rep); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if rep.Version != reportVersion {
		return nil, fmt.Errorf("%s: result format version %d, this program reads %d", path, rep.Version, reportVersion)
	}
	return &rep, nil
}

// compareRow is one scenario present in both runs.
type compareRow struct {
	Scenario         string
	OldRPS, NewRPS   float64
	OldRatio         float64
	NewRatio         float64
	OldP99, NewP99   float64
	OldCPU, NewCPU   float64
	OldErrs, NewErrs int64
}

// compareReports pairs the scenarios of two runs, in the order of the new
// run, the reference first, and lists those only one run has.
func compareReports(old, cur *Report) (rows []compareRow, onlyOld, onlyNew []string) {
	pair := func(name string, o, n Result) compareRow {
		return compareRow{Scenario: name, OldRPS: o.RPS, NewRPS: n.RPS, OldRatio: o.Ratio, NewRatio: n.Ratio,
			OldP99: o.P99Ms, NewP99: n.P99Ms, OldCPU: o.ServerCPUPerRequestMs, NewCPU: n.ServerCPUPerRequestMs,
			OldErrs: o.Errors, NewErrs: n.Errors}
	}
	if old.Reference != nil && cur.Reference != nil {
		rows = append(rows, pair("trivial (reference)", *old.Reference, *cur.Reference))
	}
	for _, n := range cur.Results {
		if o, ok := old.result(n.Scenario); ok {
			rows = append(rows, pair(n.Scenario, o, n))
		} else {
			onlyNew = append(onlyNew, n.Scenario)
		}
	}
	for _, o := range old.Results {
		if _, ok := cur.result(o.Scenario); !ok {
			onlyOld = append(onlyOld, o.Scenario)
		}
	}
	return rows, onlyOld, onlyNew
}

// writeComparison prints the per-scenario changes from old to cur. The
// ratio change is the one to read across machines: each ratio is already
// relative to the trivial handler of its own run.
func writeComparison(w io.Writer, old, cur *Report) error {
	rows, onlyOld, onlyNew := compareReports(old, cur)
	if len(rows) == 0 {
		return errors.New("the two runs have no scenario in common")
	}
	fmt.Fprintf(w, "old: %s, records %s, tokens %s, %d connections\n", old.Started.Format(time.RFC3339), old.Backend.Records, old.Backend.Tokens, old.Settings.Connections)
	fmt.Fprintf(w, "new: %s, records %s, tokens %s, %d connections\n\n", cur.Started.Format(time.RFC3339), cur.Backend.Records, cur.Backend.Tokens, cur.Settings.Connections)
	header := []string{"scenario", "old req/s", "new req/s", "change", "old ratio", "new ratio", "ratio change",
		"old p99", "new p99", "old CPU/req", "new CPU/req", "CPU change", "errors"}
	var table [][]string
	for _, r := range rows {
		table = append(table, []string{r.Scenario, formatRate(r.OldRPS), formatRate(r.NewRPS), formatChange(r.OldRPS, r.NewRPS),
			formatRatio(r.OldRatio), formatRatio(r.NewRatio), formatChange(r.OldRatio, r.NewRatio),
			formatMs(r.OldP99), formatMs(r.NewP99), formatMs(r.OldCPU), formatMs(r.NewCPU), formatChange(r.OldCPU, r.NewCPU),
			fmt.Sprintf("%d -> %d", r.OldErrs, r.NewErrs)})
	}
	renderTable(w, header, table)
	for _, s := range onlyOld {
		fmt.Fprintf(w, "only in the old run: %s\n", s)
	}
	for _, s := range onlyNew {
		fmt.Fprintf(w, "only in the new run: %s\n", s)
	}
	return nil
}
