package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/sys/unix"

	"github.com/nsview/nsview/internal/agent"
	"github.com/nsview/nsview/internal/kerneltest"
	"github.com/nsview/nsview/internal/scan"
	"github.com/nsview/nsview/internal/snapshot"
	"github.com/nsview/nsview/internal/testutil"
)

// TestServeHelperProcess is not a test: the serve tests run the test
// binary as `nsview serve ...` through it (the os/exec helper-process
// pattern), so that signals and exit statuses are real.
func TestServeHelperProcess(t *testing.T) {
	if os.Getenv("NSVIEW_SERVE_HELPER") != "1" {
		t.Skip("runs only as the nsview process of the serve tests")
	}
	args := os.Args
	for len(args) > 0 && args[0] != "--" {
		args = args[1:]
	}
	os.Exit(runCLI(append([]string{"nsview"}, args[1:]...), environment{stdout: os.Stdout, stderr: os.Stderr}))
}

// server is an `nsview serve` process started by a test.
type server struct {
	cmd    *exec.Cmd
	addr   string // HOST:PORT it listens on
	mu     sync.Mutex
	stderr bytes.Buffer
	done   chan struct{} // closed when its stderr is at EOF
}

// listening is the line exporter-toolkit logs once it serves.
var listening = regexp.MustCompile(`msg="Listening on" address=(\S+)`)

// startServe runs `nsview serve --listen 127.0.0.1:0 args...` and returns
// once it listens. When the test ends it is stopped with SIGTERM, by PID,
// and must exit 0.
func startServe(t *testing.T, args ...string) *server {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestServeHelperProcess$", "--", "serve", "--listen", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "NSVIEW_SERVE_HELPER=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, done: make(chan struct{})}
	addr := make(chan string, 1)
	go s.readStderr(pipe, addr)
	t.Cleanup(func() { s.stop(t, syscall.SIGTERM) })
	select {
	case s.addr = <-addr:
	case <-s.done:
		t.Fatalf("nsview serve ended before listening; stderr:\n%s", s.log())
	case <-time.After(60 * time.Second):
		t.Fatalf("nsview serve did not listen in time; stderr:\n%s", s.log())
	}
	return s
}

// readStderr keeps the server's stderr and sends the address it listens on.
func (s *server) readStderr(pipe io.Reader, addr chan<- string) {
	defer close(s.done)
	lines := bufio.NewScanner(pipe)
	for lines.Scan() {
		s.mu.Lock()
		fmt.Fprintln(&s.stderr, lines.Text())
		s.mu.Unlock()
		if m := listening.FindStringSubmatch(lines.Text()); m != nil {
			select {
			case addr <- m[1]:
			default:
			}
		}
	}
}

func (s *server) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stderr.String()
}

// stop sends sig to the server, waits for it and checks that it exited 0.
// It does nothing when the server has been stopped already.
func (s *server) stop(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if s.cmd.ProcessState != nil {
		return
	}
	if err := s.cmd.Process.Signal(sig); err != nil {
		t.Errorf("signal nsview serve: %v", err)
	}
	select {
	case <-s.done:
	case <-time.After(60 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
	if err := s.cmd.Wait(); err != nil {
		t.Errorf("nsview serve after %v: %v; stderr:\n%s", sig, err, s.log())
	}
}

func (s *server) url(path string) string { return "http://" + s.addr + path }

// newClient returns an HTTP client whose connections are closed when the
// test ends.
func newClient(t *testing.T) *http.Client {
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	return &http.Client{Transport: transport, Timeout: time.Minute}
}

// parseMetrics parses a scrape in the text format into sample values keyed
// by name and label values, e.g. "nsview_namespaces/net".
func parseMetrics(t *testing.T, text string) map[string]float64 {
	t.Helper()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("parse the scrape: %v\n%s", err, text)
	}
	values := map[string]float64{}
	for name, f := range families {
		for _, m := range f.GetMetric() {
			key := name
			for _, l := range m.GetLabel() {
				key += "/" + l.GetValue()
			}
			values[key] = m.GetGauge().GetValue() + m.GetCounter().GetValue() + m.GetUntyped().GetValue()
		}
	}
	return values
}

// requireTool returns the path of a tool the test needs, or skips (fails
// under NSVIEW_REQUIRE_NS=1, as CI installs it).
func requireTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		kerneltest.Require(t, name+" is not installed")
	}
	return path
}

// TestServeUsageErrors: bad flags and arguments exit 2 with one line.
func TestServeUsageErrors(t *testing.T) {
	testutil.CheckLeaks(t)
	cases := map[string][]string{
		"unknown flag":        {"--bogus"},
		"stray argument":      {"extra"},
		"listen without port": {"--listen", "127.0.0.1"},
		"port not a number":   {"--listen", "127.0.0.1:http"},
		"port too large":      {"--listen", "127.0.0.1:65536"},
		"bad duration":        {"--scan-interval", "often"},
		"interval too short":  {"--scan-interval", "100ms"},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := runCLI(append([]string{"nsview", "serve"}, args...), environment{stdout: &stdout, stderr: &stderr})
			if code != exitUsage || strings.Count(stderr.String(), "\n") != 1 || !strings.HasPrefix(stderr.String(), "nsview: ") {
				t.Errorf("serve %q: exit %d, stderr %q; want exit 2 and one line", args, code, stderr.String())
			}
		})
	}
}

// TestServeRuntimeErrors: a busy port, an unusable procfs or web config
// file exit 1 with one line, before serving anything, leaking nothing.
func TestServeRuntimeErrors(t *testing.T) {
	testutil.CheckLeaks(t)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	dir := t.TempDir()
	badConfig := filepath.Join(dir, "web.yml")
	if err := os.WriteFile(badConfig, []byte("basic_auth_users: [not, a, map]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := map[string][]string{
		"port in use":          {"--listen", busy.Addr().String()},
		"no procfs":            {"--listen", "127.0.0.1:0", "--proc", filepath.Join(dir, "none")},
		"missing web config":   {"--listen", "127.0.0.1:0", "--web.config.file", filepath.Join(dir, "none.yml")},
		"malformed web config": {"--listen", "127.0.0.1:0", "--web.config.file", badConfig},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			testutil.CheckLeaks(t)
			var stdout, stderr bytes.Buffer
			code := runCLI(append([]string{"nsview", "serve"}, args...), environment{stdout: &stdout, stderr: &stderr})
			if code != exitRuntime || strings.Count(stderr.String(), "\n") != 1 || !strings.HasPrefix(stderr.String(), "nsview: ") {
				t.Errorf("serve %q: exit %d, stderr %q; want exit 1 and one line", args, code, stderr.String())
			}
		})
	}
}

// TestServePromtool: a scrape passes `promtool check metrics`.
func TestServePromtool(t *testing.T) {
	testutil.CheckLeaks(t)
	promtool := requireTool(t, "promtool")
	s := startServe(t)
	status, body := testutil.Fetch(t, newClient(t), s.url("/metrics"), "", "")
	if status != http.StatusOK {
		t.Fatalf("/metrics: status %d", status)
	}
	check := exec.Command(promtool, "check", "metrics")
	check.Stdin = strings.NewReader(body)
	if out, err := check.CombinedOutput(); err != nil || len(out) != 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

// TestServeSIGINT: SIGINT, like SIGTERM (every startServe), shuts the
// server down gracefully with exit status 0.
func TestServeSIGINT(t *testing.T) {
	testutil.CheckLeaks(t)
	s := startServe(t)
	s.stop(t, syscall.SIGINT)
	if !strings.Contains(s.log(), `msg="Shutting down"`) {
		t.Errorf("no shutdown logged:\n%s", s.log())
	}
}

// TestServeBasicAuth: with basic_auth_users in the web config file, every
// endpoint answers 401 without the right credentials.
func TestServeBasicAuth(t *testing.T) {
	testutil.CheckLeaks(t)
	hash, err := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(t.TempDir(), "web.yml")
	if err := os.WriteFile(config, fmt.Appendf(nil, "basic_auth_users:\n  prometheus: %s\n", hash), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, "--web.config.file", config)
	client := newClient(t)
	for _, path := range []string{"/metrics", "/healthz"} {
		for _, c := range []struct {
			user, password string
			want           int
		}{{"", "", http.StatusUnauthorized}, {"prometheus", "wrong", http.StatusUnauthorized}, {"prometheus", "s3cret", http.StatusOK}} {
			if status, _ := testutil.Fetch(t, client, s.url(path), c.user, c.password); status != c.want {
				t.Errorf("%s as %q/%q: status %d, want %d", path, c.user, c.password, status, c.want)
			}
		}
	}
}

// TestServeConcurrentScrapes: 50 scrapes at once, within the scan
// interval, are all answered from the one scan the server did at start.
func TestServeConcurrentScrapes(t *testing.T) {
	testutil.CheckLeaks(t)
	s := startServe(t, "--scan-interval", "1h")
	client := newClient(t)
	var wg sync.WaitGroup
	bodies := make(chan string, 50)
	for range 50 {
		wg.Go(func() {
			resp, err := client.Get(s.url("/metrics"))
			if err != nil {
				bodies <- err.Error()
				return
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			bodies <- string(body)
		})
	}
	wg.Wait()
	close(bodies)
	for body := range bodies {
		if !strings.Contains(body, "\nnsview_scans_total 1\n") {
			t.Fatalf("a concurrent scrape did not reuse the first scan:\n%s", body)
		}
	}
}

// TestServeMatchesKernel compares the namespace counts of a scrape of the
// live /proc with readlink on /proc/*/ns/* done here, retrying when
// processes come and go between the two.
func TestServeMatchesKernel(t *testing.T) {
	testutil.CheckLeaks(t)
	if os.Geteuid() != 0 {
		kerneltest.Require(t, "not root")
	}
	s := startServe(t, "--scan-interval", "1s")
	client := newClient(t)
	var mismatch string
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); {
		before := liveNamespaces(t)
		_, body := testutil.Fetch(t, client, s.url("/metrics"), "", "")
		after := liveNamespaces(t)
		if mismatch = compareCounts(parseMetrics(t, body), before, after); mismatch == "" {
			return
		}
		time.Sleep(500 * time.Millisecond) // let a new scan become due
	}
	t.Errorf("no scrape matched readlink on /proc within the deadline; last mismatch: %s", mismatch)
}

// compareCounts says how the namespaces with processes in a scrape differ
// from the distinct inodes readlink found before and after it; "" when they
// agree (and nothing changed in between).
func compareCounts(metrics map[string]float64, before, after map[string]map[string]bool) string {
	for _, typ := range scan.AllTypes {
		name := typ.String()
		withProcs := metrics["nsview_namespaces/"+name] - metrics["nsview_namespaces_without_processes/"+name]
		if len(before[name]) != len(after[name]) || withProcs != float64(len(before[name])) {
			return fmt.Sprintf("%s: scrape %v, readlink %d before and %d after", name, withProcs, len(before[name]), len(after[name]))
		}
	}
	return ""
}

// liveNamespaces returns the distinct targets of /proc/*/ns/TYPE by type.
func liveNamespaces(t *testing.T) map[string]map[string]bool {
	t.Helper()
	links, err := filepath.Glob("/proc/[0-9]*/ns/*")
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]map[string]bool{}
	for _, link := range links {
		target, err := os.Readlink(link)
		typ := filepath.Base(link)
		if err != nil || !strings.HasPrefix(target, typ+":[") {
			continue // gone, or a *_for_children link
		}
		if found[typ] == nil {
			found[typ] = map[string]bool{}
		}
		found[typ][target] = true
	}
	return found
}

// TestServeNamespaceWithoutProcesses: a process that entered a user
// namespace and then a child of it leaves the first without processes;
// the metric counts it and every other ancestor, as ioctl(NS_GET_PARENT)
// walked here finds them. Only that process is scanned, so other
// processes on the host do not change the count.
func TestServeNamespaceWithoutProcesses(t *testing.T) {
	testutil.CheckLeaks(t)
	if os.Geteuid() != 0 {
		kerneltest.Require(t, "not root")
	}
	requireTool(t, "unshare")
	cmd := exec.Command("unshare", "--user", "--map-root-user", "unshare", "--user", "--map-root-user", "sleep", "1000")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		kerneltest.Require(t, err.Error())
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	pid := cmd.Process.Pid
	waitForCommand(t, pid, "sleep 1000")
	ancestors := userAncestors(t, pid)
	if ancestors < 2 {
		t.Fatalf("the kernel shows %d ancestors of the sleep's user namespace, want at least 2", ancestors)
	}
	a := agent.New(func() (*scan.Index, error) {
		opts := serveScanOptions(scan.DefaultRoot)
		opts.OnlyPID = pid
		return scan.Scan(opts)
	}, time.Hour)
	srv := httptest.NewServer(agent.NewHandler(a))
	t.Cleanup(srv.Close)
	_, body := testutil.Fetch(t, srv.Client(), srv.URL+"/metrics", "", "")
	metrics := parseMetrics(t, body)
	if got := metrics["nsview_namespaces_without_processes/user"]; got != float64(ancestors) {
		t.Errorf("nsview_namespaces_without_processes{type=\"user\"} = %v, the kernel shows %d ancestors", got, ancestors)
	}
	if got := metrics["nsview_namespaces/user"]; got != float64(ancestors+1) {
		t.Errorf("nsview_namespaces{type=\"user\"} = %v, want %d", got, ancestors+1)
	}
}

// userAncestors counts the ancestors of pid's user namespace with
// ioctl(NS_GET_PARENT), which fails with EPERM at the initial one.
func userAncestors(t *testing.T, pid int) int {
	t.Helper()
	fd, err := unix.Open(fmt.Sprintf("/proc/%d/ns/user", pid), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		parent, err := unix.IoctlRetInt(fd, unix.NS_GET_PARENT)
		unix.Close(fd)
		if errors.Is(err, unix.EPERM) {
			return n
		}
		if err != nil {
			t.Fatalf("NS_GET_PARENT: %v", err)
		}
		fd, n = parent, n+1
	}
}

// TestServePrometheus: a real Prometheus server scrapes nsview serve and
// answers a query for nsview_namespaces.
func TestServePrometheus(t *testing.T) {
	testutil.CheckLeaks(t)
	prometheus := requireTool(t, "prometheus")
	s := startServe(t)
	dir := t.TempDir()
	config := filepath.Join(dir, "prometheus.yml")
	yml := fmt.Sprintf("scrape_configs:\n  - job_name: nsview\n    scrape_interval: 1s\n    static_configs:\n      - targets: ['%s']\n", s.addr)
	if err := os.WriteFile(config, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	web := freeAddr(t)
	cmd := exec.Command(prometheus, "--config.file="+config, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+web, "--log.level=warn")
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		stopped := time.AfterFunc(30*time.Second, func() { cmd.Process.Kill() })
		cmd.Wait()
		stopped.Stop()
	})
	client := newClient(t)
	query := "http://" + web + "/api/v1/query?query=" + url.QueryEscape("nsview_namespaces")
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if n := queryResults(client, query); n == len(scan.AllTypes) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Prometheus has no nsview_namespaces series for every type; its log:\n%s", log.String())
		}
	}
}

// queryResults returns how many series a Prometheus instant query returned,
// or -1 while Prometheus is not answering yet.
func queryResults(client *http.Client, query string) int {
	resp, err := client.Get(query)
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	var answer struct {
		Status string `json:"status"`
		Data   struct {
			Result []struct {
				Metric map[string]string `json:"metric"`
			} `json:"result"`
		} `json:"data"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&answer) != nil || answer.Status != "success" {
		return -1
	}
	return len(answer.Data.Result)
}

// freeAddr returns a 127.0.0.1 address with a port that was free a moment
// ago, for servers that cannot be told to pick one themselves.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// BenchmarkServeScrape measures one scrape of the live /proc that scans
// (interval 0, which the command does not allow), with the scan options of
// nsview serve; cpu-ms/op is the CPU time the process spent, all
// goroutines included.
func BenchmarkServeScrape(b *testing.B) {
	a := agent.New(func() (*scan.Index, error) { return scan.Scan(serveScanOptions(scan.DefaultRoot)) }, 0)
	srv := httptest.NewServer(agent.NewHandler(a))
	defer srv.Close()
	client := srv.Client()
	start := cpuTime(b)
	for b.Loop() {
		resp, err := client.Get(srv.URL + "/metrics")
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	b.ReportMetric(float64((cpuTime(b)-start).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	if r, _ := a.Last(); r.Index != nil {
		b.ReportMetric(float64(len(r.Index.Processes)), "procs")
	}
}

// cpuTime is the user and system CPU time of this process so far.
func cpuTime(b *testing.B) time.Duration {
	var usage unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &usage); err != nil {
		b.Fatal(err)
	}
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
}

// TestServeSnapshot fetches /snapshot: a snapshot document without
// command lines, unless the agent was started with --snapshot-commands,
// that nsview --input reads back from the URL.
func TestServeSnapshot(t *testing.T) {
	testutil.CheckLeaks(t)
	for _, withCommands := range []bool{false, true} {
		var args []string
		if withCommands {
			args = []string{"--snapshot-commands"}
		}
		s := startServe(t, args...)
		status, body := testutil.Fetch(t, newClient(t), s.url("/snapshot"), "", "")
		if status != http.StatusOK {
			t.Fatalf("/snapshot: status %d: %s", status, body)
		}
		doc, err := snapshot.Decode([]byte(body))
		if err != nil {
			t.Fatalf("/snapshot is not a snapshot: %v", err)
		}
		commands := 0
		for _, p := range doc.Processes {
			if p.Command != nil {
				commands++
			}
		}
		if (commands > 0) != withCommands || len(doc.Namespaces) == 0 {
			t.Errorf("--snapshot-commands %v: %d of %d processes with a command line, %d namespaces",
				withCommands, commands, len(doc.Processes), len(doc.Namespaces))
		}
		var stdout, stderr strings.Builder
		code := runCLI([]string{"nsview", "--input", s.url("/snapshot"), "-t", "pid", "-n", "-o", "ns"}, environment{stdout: &stdout, stderr: &stderr})
		if want := fmt.Sprint(nsInode(t, os.Getpid(), "pid")); code != 0 || !strings.Contains(stdout.String(), want) {
			t.Errorf("nsview --input %s: exit %d, stdout %q, stderr %q; want the test's pid namespace %s", s.url("/snapshot"), code, stdout.String(), stderr.String(), want)
		}
	}
}
