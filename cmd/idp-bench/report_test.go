package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestRenderTable(t *testing.T) {
	var b bytes.Buffer
	renderTable(&b, []string{"scenario", "req/s", "p99"}, [][]string{
		{"trivial", "41234", "1.20ms"},
		{"introspection", "9", "12.5ms"},
		{"short"}, // a missing cell is blank
	})
	want := "" +
		"scenario       req/s     p99\n" +
		"-------------  -----  ------\n" +
		"trivial        41234  1.20ms\n" +
		"introspection      9  12.5ms\n" +
		"short\n"
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestFormats(t *testing.T) {
	tests := []struct{ got, want string }{
		{formatMs(0), "-"},
		{formatMs(0.4321), "0.43ms"},
		{formatMs(12.345), "12.3ms"},
		{formatMs(250.4), "250ms"},
		{formatMiB(0), "-"},
		{formatMiB(45 << 20), "45.0 MiB"},
		{formatRate(41234.6), "41235"},
		{formatRate(32.04), "32.0"},
		{formatRatio(0), "-"},
		{formatRatio(0.4567), "0.46"},
		{formatRatio(0.0026), "0.003"},
		{formatChange(100, 110), "+10.0%"},
		{formatChange(100, 95), "-5.0%"},
		{formatChange(0, 95), "-"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func sampleReport() *Report {
	rep := &Report{
		Version: reportVersion, Started: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC),
		Machine:   Machine{CPUs: 2, CPUModel: "Test CPU", OS: "linux", Arch: "amd64", Go: "go1.26"},
		Backend:   Backend{Records: "sqlite", Tokens: "embedded"},
		Settings:  Settings{Connections: 32, Duration: 10, Warmup: 2},
		Reference: &Result{Scenario: "trivial", Requests: 400000, Seconds: 10, RPS: 40000, P50Ms: 0.6, P99Ms: 2.1, PeakRSS: 12 << 20},
		Signing: []SignResult{{Alg: "RS256", Goroutines: 2, Seconds: 10, PerSecond: 1000, Runs: []float64{950, 1050}},
			{Alg: "ES256", Goroutines: 2, Seconds: 10, PerSecond: 20000, Runs: []float64{20000, 20000}}},
		Results: []Result{
			{Scenario: "client_credentials", Requests: 160000, Seconds: 10, RPS: 16000, P50Ms: 1.5, P99Ms: 8, PeakRSS: 40 << 20,
				ServerCPUPerRequestMs: 0.2, ServerCores: 1.5},
			{Scenario: "client_credentials_jwt_rs256", Requests: 8500, Seconds: 10, RPS: 850, P50Ms: 30, P99Ms: 60, PeakRSS: 41 << 20},
			{Scenario: "authorization_code", Requests: 5000, Errors: 2, Seconds: 5, RPS: 1000, P50Ms: 20, P99Ms: 50,
				Note: "the prepared supply ran out: measured over 5.0s", ErrorSamples: []string{"status 400: invalid_grant"}},
		},
		Skipped: []Skip{{Scenario: "partner_authorize", Reason: "the provider does not serve /x"}},
	}
	rep.setRatios()
	return rep
}

func TestSetRatios(t *testing.T) {
	rep := sampleReport()
	if rep.Reference.Ratio != 1 {
		t.Errorf("reference ratio %v", rep.Reference.Ratio)
	}
	if got := rep.Results[0].Ratio; got != 0.4 {
		t.Errorf("client_credentials ratio %v, want 0.4", got)
	}
	rep.Reference = nil
	rep.Results[0].Ratio = 0
	rep.setRatios() // no reference: ratios stay unset
	if rep.Results[0].Ratio != 0 {
		t.Error("ratio set without a reference")
	}
}

func TestWriteTable(t *testing.T) {
	var b bytes.Buffer
	writeTable(&b, sampleReport())
	out := b.String()
	for _, want := range []string{
		"32 connections, 10s per scenario after 2s warm-up; records sqlite, tokens embedded; 2 CPUs (Test CPU); load average 0.00 before, 0.00 after",
		"scenario                      req/s  ratio",
		"trivial (reference)           40000   1.00  0.60ms  2.10ms       0  12.0 MiB",
		"client_credentials            16000   0.40  1.50ms  8.00ms       0  40.0 MiB       0.20ms       1.50",
		"authorization_code             1000   0.03  20.0ms  50.0ms       2         -",
		"authorization_code: the prepared supply ran out",
		"raw RS256 signing, in-process, 2 goroutines: 1000 signatures/s, - CPU per signature (950 before the scenarios, 1050 after)",
		"client_credentials_jwt_rs256: 850 req/s = 85% of the raw RS256 signing rate",
		"skipped partner_authorize: the provider does not serve /x",
		"error in authorization_code: status 400: invalid_grant",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "client_credentials_jwt_es256:") {
		t.Error("compared a scenario that did not run with its signing rate")
	}
}

func TestWriteTableReferenceLengthAndRSS(t *testing.T) {
	rep := sampleReport()
	rep.Settings.Duration, rep.Settings.ReferenceDuration = 600, 30
	rep.ReferenceRuns = []float64{40000, 38000}
	var samples []RSSSample
	for i := range int64(31) {
		samples = append(samples, RSSSample{T: float64(i), RSS: 12 << 20, Requests: 40000 * i})
	}
	rep.ReferenceRunResults = []Result{
		{Scenario: "trivial", Seconds: 30, RSSSamples: samples},
		{Scenario: "trivial-after", Seconds: 30, RSSSamples: samples},
	}
	var b bytes.Buffer
	writeTable(&b, rep)
	out := b.String()
	for _, want := range []string{
		"32 connections, 10m0s per scenario (reference 30s) after 2s warm-up;",
		"  reference: 40000 req/s before the scenarios, 38000 after (-5.0%)\n" +
			"  the reference ran 30s each time, the scenarios 10m0s: ratios compare rates measured over different lengths\n",
		"RSS over the measured window",
		"trivial           30s   1080000    12.0 MiB  12.0 MiB  12.0 MiB     0 B              0 B",
		"trivial-after     30s   1080000",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}

	// Without a reference duration of its own (an older file, or the
	// default), nothing is said about it.
	rep.Settings.ReferenceDuration = 0
	b.Reset()
	writeTable(&b, rep)
	if strings.Contains(b.String(), "reference 30s") || strings.Contains(b.String(), "different lengths") {
		t.Errorf("table:\n%s", b.String())
	}
}

func TestJSONRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.json")
	rep := sampleReport()
	if err := writeJSON(path, rep); err != nil {
		t.Fatal(err)
	}
	got, err := readReport(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Results[2].Scenario != "authorization_code" || got.Results[2].Errors != 2 || got.Reference.RPS != 40000 ||
		got.Signing[1].Alg != "ES256" || !got.Started.Equal(rep.Started) {
		t.Fatalf("round trip lost data: %+v", got)
	}
	raw, _ := os.ReadFile(path)
	for _, key := range []string{`"rps"`, `"ratio"`, `"p50_ms"`, `"p99_ms"`, `"peak_rss_bytes"`, `"errors"`, `"reference"`} {
		if !bytes.Contains(raw, []byte(key)) {
			t.Errorf("JSON lacks %s", key)
		}
	}
	if bytes.Contains(raw, []byte(`"rss_samples"`)) || bytes.Contains(raw, []byte(`"reference_runs"`)) || bytes.Contains(raw, []byte(`"reference_duration_s"`)) {
		t.Error("empty RSS samples, reference runs or reference duration written")
	}

	rep.Settings.ReferenceDuration = 3
	rep.Results[0].RSSSamples = []RSSSample{{T: 0, RSS: 40 << 20, Requests: 0}, {T: 1.5, RSS: 41 << 20, Requests: 24000}}
	rep.ReferenceRunResults = []Result{{Scenario: "trivial", RSSSamples: []RSSSample{{T: 0.1, RSS: 12 << 20, Requests: 4000}}}, {Scenario: "trivial-after"}}
	if err := writeJSON(path, rep); err != nil {
		t.Fatal(err)
	}
	raw, _ = os.ReadFile(path)
	for _, key := range []string{`"rss_samples"`, `"t_s": 1.5`, `"rss_bytes": 42991616`, `"requests": 24000`, `"reference_runs"`, `"reference_duration_s": 3`} {
		if !bytes.Contains(raw, []byte(key)) {
			t.Errorf("JSON lacks %s", key)
		}
	}
	if got, err = readReport(path); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Results[0].RSSSamples, rep.Results[0].RSSSamples) || got.ReferenceRunResults[0].RSSSamples[0].Requests != 4000 ||
		got.Settings.referenceDuration() != 3 {
		t.Fatalf("round trip lost the RSS samples or the reference runs: %+v", got)
	}
	os.WriteFile(path, []byte(`{"version":99}`), 0o644)
	if _, err := readReport(path); err == nil || !strings.Contains(err.Error(), "version 99") {
		t.Errorf("another version was read: %v", err)
	}
	os.WriteFile(path, []byte(`not json`), 0o644)
	if _, err := readReport(path); err == nil {
		t.Error("garbage was read")
	}
}

// A file written before the RSS samples, the reference runs and the
// reference duration existed reads and compares as before: they are
// additions, not changes of meaning.
func TestCompareFileWithoutRSSSamples(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "old.json")
	os.WriteFile(old, []byte(`{"version": 1, "started": "2026-03-01T08:00:00Z",
		"settings": {"connections": 32, "duration_s": 10, "warmup_s": 2},
		"reference": {"scenario": "trivial", "requests": 400000, "seconds": 20, "rps": 20000, "ratio": 1},
		"reference_runs_rps": [21000, 19000],
		"results": [{"scenario": "client_credentials", "requests": 30000, "seconds": 10, "rps": 3000, "ratio": 0.15,
			"p99_ms": 20, "server_cpu_ms_per_request": 0.3}]}`), 0o644)
	rep, err := readReport(old)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Settings.referenceDuration() != 10 || rep.Results[0].RSSSamples != nil || rep.ReferenceRunResults != nil {
		t.Fatalf("read %+v", rep)
	}
	cur := sampleReport()
	cur.Settings.ReferenceDuration = 3
	cur.Results[0].RSSSamples = []RSSSample{{T: 0, RSS: 1, Requests: 1}}
	cur.ReferenceRunResults = []Result{{Scenario: "trivial"}, {Scenario: "trivial-after"}}
	path := filepath.Join(dir, "new.json")
	if err := writeJSON(path, cur); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"-compare", old, path}, &out, &errOut); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "client_credentials        3000      16000") {
		t.Fatalf("comparison:\n%s", out.String())
	}
}

func TestCompareReports(t *testing.T) {
	old := sampleReport()
	cur := sampleReport()
	cur.Reference.RPS = 50000
	cur.Results[0].RPS = 25000
	cur.Results[0].ServerCPUPerRequestMs = 0.15
	cur.Results = append(cur.Results[:1], Result{Scenario: "userinfo", RPS: 100})
	cur.setRatios()

	rows, onlyOld, onlyNew := compareReports(old, cur)
	var names []string
	for _, r := range rows {
		names = append(names, r.Scenario)
	}
	if !slices.Equal(names, []string{"trivial (reference)", "client_credentials"}) {
		t.Fatalf("rows %v", names)
	}
	if !slices.Equal(onlyOld, []string{"client_credentials_jwt_rs256", "authorization_code"}) || !slices.Equal(onlyNew, []string{"userinfo"}) {
		t.Fatalf("only old %v, only new %v", onlyOld, onlyNew)
	}
	cc := rows[1]
	if cc.OldRPS != 16000 || cc.NewRPS != 25000 || cc.OldRatio != 0.4 || cc.NewRatio != 0.5 {
		t.Fatalf("client_credentials row %+v", cc)
	}

	var b bytes.Buffer
	if err := writeComparison(&b, old, cur); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"client_credentials       16000      25000  +56.2%       0.40       0.50        +25.0%   8.00ms   8.00ms       0.20ms       0.15ms      -25.0%  0 -> 0",
		"only in the old run: authorization_code",
		"only in the new run: userinfo",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("comparison lacks %q:\n%s", want, out)
		}
	}

	none := sampleReport()
	none.Reference = nil
	none.Results = []Result{{Scenario: "other"}}
	if err := writeComparison(&b, old, none); err == nil {
		t.Error("compared runs with nothing in common")
	}
}

func TestSelectScenarios(t *testing.T) {
	all, err := selectScenarios("all")
	if err != nil || len(all) != len(scenarios) {
		t.Fatalf("all: %d, %v", len(all), err)
	}
	got, err := selectScenarios(" userinfo, client_credentials ")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].name != "client_credentials" || got[1].name != "userinfo" {
		t.Fatalf("not in run order: %v, %v", got[0].name, got[1].name)
	}
	if _, err := selectScenarios("client_credentials,nope"); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("unknown scenario: %v", err)
	}
	if _, err := selectScenarios(","); err == nil {
		t.Error("empty selection accepted")
	}
	seen := map[string]bool{}
	for _, s := range scenarios {
		if seen[s.name] || s.prepare == nil || s.about == "" {
			t.Errorf("scenario %q is repeated or incomplete", s.name)
		}
		seen[s.name] = true
	}
}

func TestSmokeProblems(t *testing.T) {
	selected := []scenario{{name: "client_credentials"}, {name: "client_credentials_jwt_rs256"}, {name: "authorization_code"},
		{name: "partner_authorize", route: "/x"}, {name: "userinfo"}}
	rep := sampleReport()
	problems := smokeProblems(rep, selected)
	want := []string{"authorization_code: 2 errors: status 400: invalid_grant", "userinfo: no result"}
	if !slices.Equal(problems, want) {
		t.Fatalf("problems\n%q\nwant\n%q", problems, want)
	}
	rep.Results[2].Errors, rep.Results[2].ErrorSamples = 0, nil
	rep.Results = append(rep.Results, Result{Scenario: "userinfo", Note: "the prepared supply ran out during the warm-up"})
	rep.Signing = nil
	problems = smokeProblems(rep, selected)
	want = []string{"no raw signing rates", "userinfo: no successful request (the prepared supply ran out during the warm-up)"}
	if !slices.Equal(problems, want) {
		t.Fatalf("problems\n%q\nwant\n%q", problems, want)
	}
	rep.Results = rep.Results[:len(rep.Results)-1]
	rep.Results = append(rep.Results, Result{Scenario: "userinfo", Requests: 10})
	rep.Signing = []SignResult{{Alg: "RS256", PerSecond: 1000, Runs: []float64{1000}}, {Alg: "ES256", Runs: []float64{0, 0}}}
	problems = smokeProblems(rep, selected)
	want = []string{"raw RS256 signing: not measured both before and after the scenarios",
		"raw ES256 signing: not measured both before and after the scenarios"}
	if !slices.Equal(problems, want) {
		t.Fatalf("problems\n%q\nwant\n%q", problems, want)
	}
}

func TestCombineSigning(t *testing.T) {
	tests := []struct {
		name string
		a, b SignResult
		want SignResult
	}{
		{
			name: "weighted by signatures",
			a:    SignResult{Alg: "RS256", Goroutines: 2, Seconds: 5, PerSecond: 2000, CPUPerSignatureMs: 1.0},
			b:    SignResult{Alg: "RS256", Goroutines: 2, Seconds: 5, PerSecond: 3000, CPUPerSignatureMs: 0.5},
			want: SignResult{Alg: "RS256", Goroutines: 2, Seconds: 10, PerSecond: 2500, CPUPerSignatureMs: 0.7, Runs: []float64{2000, 3000}},
		},
		{
			name: "runs of different lengths",
			a:    SignResult{Alg: "ES256", Goroutines: 2, Seconds: 1, PerSecond: 100},
			b:    SignResult{Alg: "ES256", Goroutines: 2, Seconds: 3, PerSecond: 300},
			want: SignResult{Alg: "ES256", Goroutines: 2, Seconds: 4, PerSecond: 250, Runs: []float64{100, 300}},
		},
		{
			name: "nothing signed",
			a:    SignResult{Alg: "ES256", Goroutines: 2},
			b:    SignResult{Alg: "ES256", Goroutines: 2},
			want: SignResult{Alg: "ES256", Goroutines: 2, Runs: []float64{0, 0}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := combineSigning(tt.a, tt.b)
			near := func(x, y float64) bool { return math.Abs(x-y) < 1e-9 }
			if got.Alg != tt.want.Alg || got.Goroutines != tt.want.Goroutines || !near(got.Seconds, tt.want.Seconds) ||
				!near(got.PerSecond, tt.want.PerSecond) || !near(got.CPUPerSignatureMs, tt.want.CPUPerSignatureMs) ||
				!slices.Equal(got.Runs, tt.want.Runs) {
				t.Errorf("combineSigning = %+v, want %+v", got, tt.want)
			}
		})
	}
}
