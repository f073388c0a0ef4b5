package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// moduleRoot returns the folder of the go.mod governing the current
// directory.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside the Tongxing module: run from the repository or pass -idp with a built binary")
	}
	return filepath.Dir(gomod), nil
}

// buildIDP builds ./cmd/idp of the module into dir.
func buildIDP(ctx context.Context, dir string) (string, error) {
	root, err := moduleRoot(ctx)
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "idp")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/idp")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/idp: %w\n%s", err, out)
	}
	return bin, nil
}

// freeAddr returns a loopback address with a port free at the time of the
// call.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// process is a server the benchmark started and watches.
type process struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	exited  chan struct{}
	waitErr error
}

// startProcess starts bin with args and env, its output going to logPath.
func startProcess(name, bin string, args, env []string, logPath string) (*process, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = childAttr()
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, logPath: logPath, exited: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		logFile.Close()
		close(p.exited)
	}()
	return p, nil
}

func (p *process) pid() int { return p.cmd.Process.Pid }

// logTail returns the last lines of the process's output.
func (p *process) logTail(lines int) string {
	b, _ := os.ReadFile(p.logPath)
	all := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}

// waitReady polls url until it answers 200, the process exits or timeout
// passes.
func (p *process) waitReady(ctx context.Context, url string, timeout time.Duration) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(timeout)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := client.Do(req); err == nil {
			drain(resp)
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-p.exited:
			return fmt.Errorf("%s exited (%v):\n%s", p.name, p.waitErr, p.logTail(20))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready at %s after %s:\n%s", p.name, url, timeout, p.logTail(20))
		}
	}
}

// stop ends the process: SIGTERM, then SIGKILL after grace.
func (p *process) stop(grace time.Duration) {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// alive reports whether the process still runs.
func (p *process) alive() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// memWatch follows the resident set of a process during a run: it resets
// the kernel's high-water mark at the start (writing 5 to clear_refs) and
// also samples VmRSS, for kernels that refuse the reset and to keep the
// resident set's course along with the requests served so far.
type memWatch struct {
	pid      int
	resetOK  bool
	requests *atomic.Int64 // successful requests so far, or nil
	stop     chan struct{}
	done     chan struct{}
	mu       sync.Mutex
	maxRSS   int64
	samples  []memSample
	interval time.Duration
}

func readStatus(pid int) string {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	return string(b)
}

// watchMemory starts watching the resident set of pid; requests, when not
// nil, counts the successful requests, read with each sample.
func watchMemory(pid int, requests *atomic.Int64) *memWatch {
	m := &memWatch{pid: pid, requests: requests, stop: make(chan struct{}), done: make(chan struct{}), interval: 100 * time.Millisecond}
	m.resetOK = os.WriteFile("/proc/"+strconv.Itoa(pid)+"/clear_refs", []byte("5"), 0) == nil
	go func() {
		defer close(m.done)
		t := time.NewTicker(m.interval)
		defer t.Stop()
		for {
			m.sample()
			select {
			case <-m.stop:
				return
			case <-t.C:
			}
		}
	}()
	return m
}

func (m *memWatch) sample() {
	status := readStatus(m.pid)
	if rss, ok := procStatusKB(status, "VmRSS"); ok {
		s := memSample{at: time.Now(), rss: rss}
		// Zero where the kernel does not split the resident set (before
		// Linux 4.5).
		s.anon, _ = procStatusKB(status, "RssAnon")
		s.file, _ = procStatusKB(status, "RssFile")
		if m.requests != nil {
			s.requests = m.requests.Load()
		}
		m.mu.Lock()
		m.maxRSS = max(m.maxRSS, rss)
		m.samples = append(m.samples, s)
		m.mu.Unlock()
	}
}

// series returns the samples taken; call it after peak.
func (m *memWatch) series() []memSample {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.samples
}

// peak ends the watch and returns the peak resident set in bytes: VmHWM
// when the reset worked, else the largest sample.
func (m *memWatch) peak() int64 {
	close(m.stop)
	<-m.done
	m.sample()
	peak := m.maxRSS
	if m.resetOK {
		if hwm, ok := procStatusKB(readStatus(m.pid), "VmHWM"); ok {
			peak = max(peak, hwm)
		}
	}
	return peak
}

// clockTicks is the unit of the CPU times in /proc/<pid>/stat (USER_HZ),
// 100 on every Linux architecture Go supports.
const clockTicks = 100

// procStatCPU returns the user plus system CPU time of a /proc/<pid>/stat
// line, in clock ticks. The command name (field 2) may hold spaces and
// parentheses, so fields are counted after its closing parenthesis.
func procStatCPU(stat string) (int64, bool) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(stat[i+1:])
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0, false
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return u + s, true
}

// processCPU returns the CPU time a process has used so far.
func processCPU(pid int) (time.Duration, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	ticks, ok := procStatCPU(string(b))
	return time.Duration(ticks) * time.Second / clockTicks, ok
}

// perfRecorder samples a process's CPU with Linux perf while a scenario
// is measured.
type perfRecorder struct {
	cmd  *exec.Cmd
	out  string
	logs bytes.Buffer
}

// startPerf starts perf record on pid writing to out; nil when perf is not
// installed.
func startPerf(pid int, out string) (*perfRecorder, error) {
	bin, err := exec.LookPath("perf")
	if err != nil {
		return nil, errors.New("perf is not installed (apt-get install linux-perf)")
	}
	r := &perfRecorder{out: out}
	r.cmd = exec.Command(bin, "record", "-F", "499", "-g", "-p", strconv.Itoa(pid), "-o", out)
	r.cmd.Stdout, r.cmd.Stderr = &r.logs, &r.logs
	if err := r.cmd.Start(); err != nil {
		return nil, err
	}
	return r, nil
}

// finish stops the recording and waits for perf to write its file.
func (r *perfRecorder) finish() error {
	_ = r.cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- r.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = r.cmd.Process.Kill()
		<-done
	}
	if _, err := os.Stat(r.out); err != nil {
		return fmt.Errorf("perf wrote no profile: %s", strings.TrimSpace(r.logs.String()))
	}
	return nil
}
