// Command idp-bench measures Tongxing under a fixed concurrent load on
// loopback. It builds and starts the provider as a separate process,
// registers its own clients and user through the idp CLI, prepares
// outside the timed window what each scenario consumes, and drives each
// scenario from an in-process load generator. Every scenario's rate is
// also given as a ratio to a trivial handler served by the same HTTP stack
// in the same run, which makes runs on different machines comparable.
//
// Usage:
//
//	go run ./cmd/idp-bench [flags]
//	go run ./cmd/idp-bench -smoke
//	go run ./cmd/idp-bench -compare old.json new.json
//
// docs/benchmarks.md describes the scenarios, the flags and the output.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// options are the flags of a benchmark run.
type options struct {
	duration time.Duration
	// referenceDuration is the measured time of each reference run, which
	// needs no more than a few seconds to be steady when the scenarios run
	// for minutes.
	referenceDuration time.Duration
	warmup            time.Duration
	connections       int
	scenarios         string
	mysqlDSN          string
	redisAddr         string
	soak              int64
	jsonPath          string
	smoke             bool
	idpBinary         string
	perfDir           string
	pprofDir          string
	serverEnv         serverEnv
}

// serverEnv is the repeatable -server-env flag: provider settings, as IDP_
// variables, that a run adds to the benchmark's own.
type serverEnv []string

func (e *serverEnv) String() string { return strings.Join(*e, " ") }

func (e *serverEnv) Set(kv string) error {
	name, _, ok := strings.Cut(kv, "=")
	if !ok || !strings.HasPrefix(name, "IDP_") {
		return fmt.Errorf("%q is not IDP_NAME=VALUE", kv)
	}
	*e = append(*e, kv)
	return nil
}

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

func run(args []string, stdout, stderr io.Writer) int {
	var (
		o            options
		serveAddr    string
		compare      bool
		listOnly     bool
		fs           = flag.NewFlagSet("idp-bench", flag.ContinueOnError)
		hiddenFlags  = map[string]bool{"serve-trivial": true}
		defaultConns = 32
	)
	fs.SetOutput(stderr)
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "measured time of each scenario")
	fs.DurationVar(&o.referenceDuration, "reference-duration", 0, "measured time of each of the two reference runs and of the raw signing runs (default: the value of -duration)")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "warm-up before each scenario's measured time (not counted)")
	fs.IntVar(&o.connections, "connections", defaultConns, "concurrent keep-alive connections, one request in flight on each")
	fs.StringVar(&o.scenarios, "scenarios", "all", "comma-separated `LIST` of scenarios to run (see -list)")
	fs.StringVar(&o.mysqlDSN, "mysql", "", "MySQL/MariaDB server `DSN`, e.g. 'root@tcp(127.0.0.1:3306)/': records in a new database tongxing_bench_<random>, dropped afterwards (default: embedded SQLite)")
	fs.StringVar(&o.redisAddr, "redis", "", "Redis node `ADDR` (host:port): tokens under a random key prefix, deleted afterwards (default: embedded token store)")
	fs.Int64Var(&o.soak, "soak", 0, "issue `N` live tokens through the token endpoint before the scenarios")
	fs.StringVar(&o.jsonPath, "json", "", "also write the results as JSON to `FILE`")
	fs.BoolVar(&o.smoke, "smoke", false, "run every scenario briefly (1s, 4 connections) and fail on any error or missing result")
	fs.StringVar(&o.idpBinary, "idp", "", "use the idp `BINARY` instead of building ./cmd/idp")
	fs.Var(&o.serverEnv, "server-env", "a provider setting `IDP_NAME=VALUE` for the run, e.g. IDP_DATABASE_CACHE_TTL=2s (repeatable)")
	fs.StringVar(&o.perfDir, "perf", "", "record the server's CPU with Linux perf during each measured window into the folder `DIR`")
	fs.StringVar(&o.pprofDir, "pprof", "", "save the server's CPU, allocation and heap profiles of each measured window into the folder `DIR` (the provider's debug.pprof_addr)")
	fs.BoolVar(&compare, "compare", false, "compare two result files: -compare OLD.json NEW.json")
	fs.BoolVar(&listOnly, "list", false, "list the scenarios and exit")
	fs.StringVar(&serveAddr, "serve-trivial", "", "serve the reference handler on this address")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: idp-bench [flags]\n       idp-bench -compare OLD.json NEW.json\n\nFlags:\n")
		fs.VisitAll(func(f *flag.Flag) {
			if hiddenFlags[f.Name] {
				return
			}
			name, usage := flag.UnquoteUsage(f)
			fmt.Fprintf(stderr, "  -%s %s\n    \t%s", f.Name, name, usage)
			if f.DefValue != "" && f.DefValue != "0" && f.DefValue != "0s" && f.DefValue != "false" {
				fmt.Fprintf(stderr, " (default %s)", f.DefValue)
			}
			fmt.Fprintln(stderr)
		})
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	switch {
	case serveAddr != "":
		if err := serveTrivial(serveAddr); err != nil {
			fmt.Fprintln(stderr, "idp-bench:", err)
			return exitFailure
		}
		return exitOK
	case listOnly:
		for _, s := range scenarios {
			fmt.Fprintf(stdout, "%-30s %s\n", s.name, s.about)
		}
		return exitOK
	case compare:
		if fs.NArg() != 2 {
			fmt.Fprintln(stderr, "idp-bench: -compare needs two result files: OLD.json NEW.json")
			return exitUsage
		}
		old, err1 := readReport(fs.Arg(0))
		cur, err2 := readReport(fs.Arg(1))
		if err := errors.Join(err1, err2); err != nil {
			fmt.Fprintln(stderr, "idp-bench:", err)
			return exitFailure
		}
		if err := writeComparison(stdout, old, cur); err != nil {
			fmt.Fprintln(stderr, "idp-bench:", err)
			return exitFailure
		}
		return exitOK
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "idp-bench: unexpected arguments %q\n", fs.Args())
		return exitUsage
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if o.smoke {
		if !set["duration"] {
			o.duration = time.Second
		}
		if !set["warmup"] {
			o.warmup = 200 * time.Millisecond
		}
		if !set["connections"] {
			o.connections = 4
		}
	}
	selected, err := selectScenarios(o.scenarios)
	if err != nil {
		fmt.Fprintln(stderr, "idp-bench: -scenarios:", err)
		return exitUsage
	}
	if o.connections < 1 || o.duration <= 0 || o.warmup < 0 || o.soak < 0 {
		fmt.Fprintln(stderr, "idp-bench: -connections and -duration must be positive, -warmup and -soak not negative")
		return exitUsage
	}
	switch {
	case !set["reference-duration"]:
		o.referenceDuration = o.duration
	case o.referenceDuration <= 0:
		fmt.Fprintln(stderr, "idp-bench: -reference-duration must be positive")
		return exitUsage
	}
	if o.pprofDir != "" {
		for _, kv := range o.serverEnv {
			if strings.HasPrefix(kv, pprofEnv+"=") {
				fmt.Fprintf(stderr, "idp-bench: -pprof sets %s itself; do not also give it with -server-env\n", pprofEnv)
				return exitUsage
			}
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := runBench(ctx, o, selected, stderr)
	if rep != nil && (len(rep.Results) > 0 || rep.Reference != nil) {
		writeTable(stdout, rep)
		if o.jsonPath != "" {
			if werr := writeJSON(o.jsonPath, rep); werr != nil {
				err = errors.Join(err, werr)
			} else {
				fmt.Fprintf(stderr, "results written to %s\n", o.jsonPath)
			}
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("interrupted: %w", err)
		}
		fmt.Fprintln(stderr, "idp-bench:", err)
		return exitFailure
	}
	if o.smoke {
		if problems := smokeProblems(rep, selected); len(problems) > 0 {
			for _, p := range problems {
				fmt.Fprintln(stderr, "idp-bench: smoke:", p)
			}
			return exitFailure
		}
		fmt.Fprintln(stderr, "idp-bench: smoke: every scenario ran without errors")
	}
	return exitOK
}

// smokeProblems lists what makes a run fail the smoke check: a missing
// reference, signing rate (or one of its two runs) or scenario (other
// than one skipped because the provider does not serve its route), no
// successful request, or any error.
func smokeProblems(rep *Report, selected []scenario) []string {
	var out []string
	check := func(r Result) {
		switch {
		case r.Requests == 0:
			out = append(out, fmt.Sprintf("%s: no successful request (%s)", r.Scenario, r.Note))
		case r.Errors > 0:
			out = append(out, fmt.Sprintf("%s: %d errors: %s", r.Scenario, r.Errors, strings.Join(r.ErrorSamples, "; ")))
		}
	}
	if rep.Reference == nil {
		out = append(out, "no reference result")
	} else {
		check(*rep.Reference)
	}
	if len(rep.Signing) != 2 {
		out = append(out, "no raw signing rates")
	}
	for _, s := range rep.Signing {
		if len(s.Runs) != 2 || s.PerSecond <= 0 {
			out = append(out, "raw "+s.Alg+" signing: not measured both before and after the scenarios")
		}
	}
	for _, s := range selected {
		r, ok := rep.result(s.name)
		skipped := false
		for _, sk := range rep.Skipped {
			skipped = skipped || sk.Scenario == s.name && s.route != ""
		}
		switch {
		case ok:
			check(r)
		case !skipped:
			out = append(out, s.name+": no result")
		}
	}
	return out
}

// environWithoutIDP is the process environment without IDP_ variables,
// so that only the benchmark's settings configure the provider.
func environWithoutIDP() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "IDP_") {
			out = append(out, kv)
		}
	}
	return out
}

// machine describes this computer.
func machine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), OS: runtime.GOOS, Arch: runtime.GOARCH, Go: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if kb, ok := procStatusKB(string(b), "MemTotal"); ok {
			m.MemoryMB = kb >> 20
		}
	}
	return m
}

// loadAvg returns the 1-minute load average, or 0.
func loadAvg() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

// runBench runs the whole benchmark and returns what it measured, also
// when it fails part-way. Progress goes to log.
func runBench(ctx context.Context, o options, selected []scenario, log io.Writer) (rep *Report, err error) {
	logf := func(format string, args ...any) { fmt.Fprintf(log, format+"\n", args...) }
	rep = &Report{
		Version: reportVersion, Started: time.Now().UTC().Truncate(time.Second), Machine: machine(),
		Backend:  Backend{Records: "sqlite", Tokens: "embedded"},
		Settings: Settings{Connections: o.connections, Duration: o.duration.Seconds(), ReferenceDuration: o.referenceDuration.Seconds(), Warmup: o.warmup.Seconds(), Smoke: o.smoke},
	}
	rep.LoadAvg[0] = loadAvg()
	if rep.LoadAvg[0] > 0.5 {
		logf("warning: load average %.2f: other work on this machine will lower and scatter the results", rep.LoadAvg[0])
	}
	defer func() {
		// An early failure returns no report.
		if rep != nil {
			rep.LoadAvg[1] = loadAvg()
		}
	}()
	tmp, err := os.MkdirTemp("", "idp-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	if o.perfDir != "" {
		if err := os.MkdirAll(o.perfDir, 0o755); err != nil {
			return nil, err
		}
	}
	if o.pprofDir != "" {
		if err := os.MkdirAll(o.pprofDir, 0o755); err != nil {
			return nil, fmt.Errorf("-pprof: %w", err)
		}
	}

	bin := o.idpBinary
	if bin == "" {
		logf("building ./cmd/idp")
		if bin, err = buildIDP(ctx, tmp); err != nil {
			return nil, err
		}
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	base := "http://" + addr
	environ := append(environWithoutIDP(),
		"IDP_ADDR="+addr,
		"IDP_ISSUER="+base,
		"IDP_DATA_DIR="+filepath.Join(tmp, "data"),
		"IDP_LOG_LEVEL=warn",
		// Codes are prepared up to a run's length before they are redeemed.
		"IDP_TOKENS_CODE_LIFETIME=10m",
		"IDP_COMPAT_PARTNER_AUTH_CODE_LIFETIME=10m",
	)
	environ = append(environ, o.serverEnv...)
	var pprofAddr string
	if o.pprofDir != "" {
		if pprofAddr, err = freeAddr(); err != nil {
			return nil, err
		}
		environ = append(environ, pprofEnv+"="+pprofAddr)
	}
	if o.mysqlDSN != "" {
		db, err := createDatabase(ctx, o.mysqlDSN)
		if err != nil {
			return nil, err
		}
		defer func() {
			if derr := db.drop(); derr != nil {
				err = errors.Join(err, derr)
			}
		}()
		logf("records: MySQL/MariaDB %s, database %s", db.version, db.name)
		rep.Backend.Records = "mysql " + db.version
		environ = append(environ, "IDP_DATABASE_DSN="+db.dsn)
	}
	var rds *benchRedis
	if o.redisAddr != "" {
		if rds, err = openRedis(ctx, o.redisAddr); err != nil {
			return nil, err
		}
		defer func() {
			n, cerr := rds.cleanup()
			if cerr != nil {
				err = errors.Join(err, fmt.Errorf("deleting the Redis keys %s*: %w", rds.prefix, cerr))
			} else {
				logf("deleted %d Redis keys under %s", n, rds.prefix)
			}
		}()
		logf("tokens: Redis %s at %s, key prefix %s", rds.version, rds.addr, rds.prefix)
		rep.Backend.Tokens = "redis " + rds.version
		environ = append(environ, "IDP_REDIS_ADDRS="+rds.addr, "IDP_REDIS_PREFIX="+rds.prefix)
	}

	srv, err := startProcess("idp serve", bin, []string{"serve"}, environ, filepath.Join(tmp, "idp.log"))
	if err != nil {
		return nil, err
	}
	defer srv.stop(15 * time.Second)
	if err := srv.waitReady(ctx, base+"/readyz", 2*time.Minute); err != nil {
		if pprofAddr != "" && !srv.alive() {
			err = fmt.Errorf("%w\n(-pprof configures %s, the setting debug.pprof_addr, which a provider without it refuses)", err, pprofEnv)
		}
		return nil, err
	}
	logf("provider pid %d on %s", srv.pid(), base)
	var srvProf *pprofSource
	if pprofAddr != "" {
		srvProf = newPprofSource(pprofAddr, o.pprofDir)
		if err := srvProf.check(ctx, 10*time.Second); err != nil {
			return nil, fmt.Errorf("-pprof: the provider does not serve /debug/pprof/ at %s=%s (a binary without debug.pprof_addr?): %w", pprofEnv, pprofAddr, err)
		}
		logf("pprof: profiles of the provider from %s into %s", pprofAddr, o.pprofDir)
	}
	e := &env{bin: bin, environ: environ, base: base, setup: newLoadClient(o.connections), conns: o.connections}
	if err := e.register(ctx); err != nil {
		return nil, err
	}
	if err := e.signIn(ctx); err != nil {
		return nil, err
	}

	// measure runs do against p for the warm-up and then d, sampling the
	// server's memory and CPU, and profiling it with -perf and -pprof
	// (prof is the process's pprof listener, nil without -pprof).
	measure := func(name string, p *process, prof *pprofSource, d time.Duration, do op) (Result, []time.Duration, error) {
		type started struct {
			rec *perfRecorder
			err error
		}
		var perfc chan started
		var timer *time.Timer
		if o.perfDir != "" {
			perfc = make(chan started, 1)
			timer = time.AfterFunc(o.warmup, func() {
				rec, err := startPerf(p.pid(), filepath.Join(o.perfDir, name+".perf.data"))
				perfc <- started{rec, err}
			})
		}
		var finishProfiles func() []error
		if prof != nil {
			finishProfiles = prof.window(ctx, name, o.warmup, d)
		}
		client := newLoadClient(o.connections)
		defer client.CloseIdleConnections()
		var progress atomic.Int64
		cfg := loadConfig{connections: o.connections, warmup: o.warmup, duration: d, progress: &progress}
		mem := watchMemory(p.pid(), &progress)
		cpu0, cpuOK := processCPU(p.pid())
		began := time.Now()
		lr := runLoad(ctx, cfg, client, do)
		elapsed := time.Since(began)
		cpu1, cpuOK1 := processCPU(p.pid())
		peak := mem.peak()
		if finishProfiles != nil {
			// Waits for the CPU profile, which ends with the window unless
			// a supply ran out first.
			for _, err := range finishProfiles() {
				if ctx.Err() == nil {
					logf("pprof: %s: %v", name, err)
				}
			}
		}
		if timer != nil && !timer.Stop() {
			// The recording started: end it and let perf write its file.
			st := <-perfc
			if st.err == nil {
				st.err = st.rec.finish()
			}
			if st.err != nil {
				logf("perf: %v", st.err)
			}
		}
		if err := ctx.Err(); err != nil {
			return Result{}, nil, err
		}
		if !p.alive() {
			return Result{}, nil, fmt.Errorf("%s exited during %s:\n%s", p.name, name, p.logTail(20))
		}
		p50, p99 := latencySummary(lr.latencies)
		r := Result{Scenario: name, Requests: lr.requests, Errors: lr.errors, Seconds: lr.seconds,
			P50Ms: ms(p50), P99Ms: ms(p99), PeakRSS: peak, ErrorSamples: lr.errSamples,
			RSSSamples: downsampleRSS(mem.series(), lr.from, time.Duration(lr.seconds*float64(time.Second)))}
		if lr.seconds > 0 {
			r.RPS = float64(lr.requests) / lr.seconds
		}
		if cpuOK && cpuOK1 && lr.completed > 0 {
			used := cpu1 - cpu0
			r.ServerCPUPerRequestMs = ms(used) / float64(lr.completed)
			r.ServerCores = used.Seconds() / elapsed.Seconds()
		}
		switch {
		case lr.exhausted && lr.seconds == 0:
			r.Note = "the prepared supply ran out during the warm-up"
		case lr.exhausted:
			r.Note = fmt.Sprintf("the prepared supply ran out: measured over %.1fs", lr.seconds)
		}
		return r, lr.latencies, nil
	}

	// The reference: the same HTTP stack answering a fixed body.
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	taddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	trivEnv := environWithoutIDP()
	var trivPprofAddr string
	if o.pprofDir != "" {
		if trivPprofAddr, err = freeAddr(); err != nil {
			return nil, err
		}
		trivEnv = append(trivEnv, pprofEnv+"="+trivPprofAddr)
	}
	triv, err := startProcess("trivial handler", self, []string{"-serve-trivial", taddr}, trivEnv, filepath.Join(tmp, "trivial.log"))
	if err != nil {
		return nil, err
	}
	defer triv.stop(5 * time.Second)
	if err := triv.waitReady(ctx, "http://"+taddr+"/", 30*time.Second); err != nil {
		return nil, err
	}
	var trivProf *pprofSource
	if trivPprofAddr != "" {
		trivProf = newPprofSource(trivPprofAddr, o.pprofDir)
		if err := trivProf.check(ctx, 10*time.Second); err != nil {
			return nil, fmt.Errorf("-pprof: the trivial handler: %w", err)
		}
	}
	logf("reference: trivial handler, %d connections, %s", o.connections, o.referenceDuration)
	ref, refLat, err := measure("trivial", triv, trivProf, o.referenceDuration, trivialOp("http://"+taddr))
	if err != nil {
		return rep, err
	}
	// The runs' RSS samples are kept in ReferenceRunResults only: the
	// combined reference has no single window to hold them.
	rep.ReferenceRunResults = []Result{ref}
	refOnly := ref
	refOnly.RSSSamples = nil
	rep.Reference = &refOnly
	rep.ReferenceRuns = []float64{ref.RPS}

	// The raw signing rates are references too: they last as long as the
	// trivial handler's runs, not as long as a scenario, and run before
	// and after the scenarios as it does.
	signing := func() ([]SignResult, error) {
		var out []SignResult
		for _, alg := range []string{"RS256", "ES256"} {
			logf("raw %s signing on %d goroutines, %s", alg, runtime.GOMAXPROCS(0), o.referenceDuration)
			s, err := signRate(ctx, alg, runtime.GOMAXPROCS(0), o.referenceDuration)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}
	if rep.Signing, err = signing(); err != nil {
		return rep, err
	}

	if o.soak > 0 {
		var before, keyBytesBefore int64
		if rds != nil {
			if before, err = rds.usedMemory(ctx); err != nil {
				return rep, err
			}
			if _, keyBytesBefore, err = rds.prefixUsage(ctx); err != nil {
				return rep, err
			}
		}
		logf("soak: issuing %d tokens", o.soak)
		s, err := soakFill(ctx, e, o.soak, o.connections, log)
		if s != nil {
			rep.Soak = s
		}
		if err != nil {
			return rep, err
		}
		if rds != nil {
			after, err := rds.usedMemory(ctx)
			if err != nil {
				return rep, err
			}
			logf("soak: measuring the memory of the run's Redis keys")
			keys, keyBytes, err := rds.prefixUsage(ctx)
			if err != nil {
				return rep, err
			}
			s.RedisUsedBefore, s.RedisUsedAfter, s.RedisKeysAfter = before, after, keys
			if s.Tokens > 0 {
				s.RedisBytesPerToken = float64(after-before) / float64(s.Tokens)
				s.RedisKeyBytesPerToken = float64(keyBytes-keyBytesBefore) / float64(s.Tokens)
			}
		}
		logf("soak: %d tokens in %.0fs", s.Tokens, s.Seconds)
	}

	p := plan{connections: o.connections, window: o.warmup + o.duration, smoke: o.smoke}
	for _, sc := range selected {
		if sc.route != "" {
			served, err := routeServed(ctx, e.setup, base+sc.route)
			if err != nil {
				return rep, err
			}
			if !served {
				rep.Skipped = append(rep.Skipped, Skip{Scenario: sc.name, Reason: "the provider does not serve " + sc.route})
				logf("%s: skipped, %s is not served", sc.name, sc.route)
				continue
			}
		}
		logf("%s: preparing", sc.name)
		do, note, err := sc.prepare(ctx, e, p)
		if err != nil {
			if ctx.Err() != nil {
				return rep, ctx.Err()
			}
			rep.Skipped = append(rep.Skipped, Skip{Scenario: sc.name, Reason: "preparation failed: " + err.Error()})
			logf("%s: preparation failed: %v", sc.name, err)
			continue
		}
		logf("%s: %d connections, %s", sc.name, o.connections, o.duration)
		r, _, err := measure(sc.name, srv, srvProf, o.duration, do)
		if err != nil {
			return rep, err
		}
		if note != "" {
			r.Note = strings.TrimPrefix(r.Note+"; "+note, "; ")
		}
		rep.Results = append(rep.Results, r)
		rep.setRatios()
		logf("%s: %.0f req/s (ratio %.2f), p99 %s, %d errors", sc.name, r.RPS, rep.Results[len(rep.Results)-1].Ratio, formatMs(r.P99Ms), r.Errors)
	}
	// The reference again: a change of the machine's load during the run
	// shows as a difference between the two, and the ratios use both.
	logf("reference again: trivial handler, %s", o.referenceDuration)
	last, lastLat, err := measure("trivial-after", triv, trivProf, o.referenceDuration, trivialOp("http://"+taddr))
	if err != nil {
		return rep, err
	}
	both := combine(ref, last, append(refLat, lastLat...))
	rep.Reference = &both
	rep.ReferenceRuns = append(rep.ReferenceRuns, last.RPS)
	rep.ReferenceRunResults = append(rep.ReferenceRunResults, last)
	rep.setRatios()
	again, err := signing()
	if err != nil {
		return rep, err
	}
	for i := range rep.Signing {
		rep.Signing[i] = combineSigning(rep.Signing[i], again[i])
	}
	return rep, nil
}

// combine merges two runs of one scenario: a and b with the latencies of
// both.
func combine(a, b Result, lat []time.Duration) Result {
	r := Result{Scenario: a.Scenario, Requests: a.Requests + b.Requests, Errors: a.Errors + b.Errors,
		Seconds: a.Seconds + b.Seconds, PeakRSS: max(a.PeakRSS, b.PeakRSS),
		ServerCPUPerRequestMs: (a.ServerCPUPerRequestMs + b.ServerCPUPerRequestMs) / 2,
		ServerCores:           (a.ServerCores + b.ServerCores) / 2}
	if r.Seconds > 0 {
		r.RPS = float64(r.Requests) / r.Seconds
	}
	p50, p99 := latencySummary(lat)
	r.P50Ms, r.P99Ms = ms(p50), ms(p99)
	for _, e := range append(a.ErrorSamples, b.ErrorSamples...) {
		if len(r.ErrorSamples) < maxErrSamples && !slices.Contains(r.ErrorSamples, e) {
			r.ErrorSamples = append(r.ErrorSamples, e)
		}
	}
	return r
}

// routeServed reports whether the provider has a route at u: any answer
// but 404 to a GET.
func routeServed(ctx context.Context, client *http.Client, u string) (bool, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	resp, err := client.Do(req)
	if err != nil {
		return false, err
	}
	drain(resp)
	return resp.StatusCode != http.StatusNotFound, nil
}
