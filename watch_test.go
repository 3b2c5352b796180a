package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nsview/nsview/internal/filter"
	"github.com/nsview/nsview/internal/fixture"
	"github.com/nsview/nsview/internal/kerneltest"
	"github.com/nsview/nsview/internal/render"
)

// nsviewCommand is nsview (this test binary, as TestServeHelperProcess)
// run with args.
func nsviewCommand(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	self, err := filepath.Abs(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, append([]string{"-test.run=^TestServeHelperProcess$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), "NSVIEW_SERVE_HELPER=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	return cmd
}

// startNsview starts nsview with args, its standard output a pipe for the
// test to read and its standard error kept for failure messages.
func startNsview(t *testing.T, args ...string) (*exec.Cmd, io.ReadCloser, *bytes.Buffer) {
	t.Helper()
	cmd := nsviewCommand(t, args...)
	stderr := new(bytes.Buffer)
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, out, stderr
}

// watchEvent is one line of nsview --watch --json.
type watchEvent struct {
	Event string
	NS    uint64
	Type  string
}

// parseEvent checks that line is an event with exactly the keys time (in
// RFC 3339), event and namespace, and returns it.
func parseEvent(line string) (watchEvent, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(line), &raw); err != nil {
		return watchEvent{}, err
	}
	if len(raw) != 3 || raw["time"] == nil || raw["event"] == nil || raw["namespace"] == nil {
		return watchEvent{}, fmt.Errorf("keys are not time, event, namespace")
	}
	var stamp string
	var e watchEvent
	var ns struct {
		NS   uint64
		Type string
	}
	if err := json.Unmarshal(raw["time"], &stamp); err != nil {
		return e, err
	}
	if _, err := time.Parse(time.RFC3339, stamp); err != nil {
		return e, err
	}
	if err := json.Unmarshal(raw["event"], &e.Event); err != nil {
		return e, err
	}
	if err := json.Unmarshal(raw["namespace"], &ns); err != nil {
		return e, err
	}
	e.NS, e.Type = ns.NS, ns.Type
	return e, nil
}

// TestWatchJSONEvents follows a network namespace a test process holds
// through nsview --watch --json: added, then removed once it is killed.
func TestWatchJSONEvents(t *testing.T) {
	kerneltest.RequireRoot(t)
	cmd, out, stderr := startNsview(t, "--watch", "--json", "--interval", "200ms", "-t", "net")
	lines := make(chan string)
	go func() {
		defer close(lines)
		scanner := bufio.NewScanner(out)
		scanner.Buffer(nil, 1<<20)
		for scanner.Scan() {
			lines <- scanner.Text()
		}
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			for range lines {
			}
			cmd.Wait()
		}
	})
	next := func(want string, inode uint64) {
		t.Helper()
		for {
			select {
			case line, ok := <-lines:
				if !ok {
					t.Fatalf("nsview --watch ended before %s %d; stderr:\n%s", want, inode, stderr.String())
				}
				e, err := parseEvent(line)
				if err != nil {
					t.Fatalf("line %q: %v", line, err)
				}
				if e.Type != "net" {
					t.Fatalf("-t net printed %q", line)
				}
				if e.Event == want && e.NS == inode {
					return
				}
			case <-time.After(60 * time.Second):
				t.Fatalf("no %s event for %d", want, inode)
			}
		}
	}
	next("added", nsInode(t, os.Getpid(), "net"))
	holder := kerneltest.Start(t, "unshare", "--net", "sh", "-c", "echo ready; exec sleep 1000")
	inode := nsInode(t, holder.PID, "net")
	next("added", inode)
	holder.Kill()
	next("removed", inode)

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for range lines {
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("nsview --watch after SIGTERM: %v; stderr:\n%s", err, stderr.String())
	}
}

// TestWatchEndsWhenReaderCloses: once the reader of a pipe has gone, as
// head(1) does after its lines, nsview --watch must end with success at
// its next interval, even when no namespace changes and so nothing is
// written that would fail with EPIPE.
func TestWatchEndsWhenReaderCloses(t *testing.T) {
	cmd, out, stderr := startNsview(t, "--watch", "--json", "--interval", "100ms", "-t", "uts")
	waited := false
	t.Cleanup(func() {
		if !waited {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	if f, ok := out.(*os.File); ok {
		f.SetReadDeadline(time.Now().Add(30 * time.Second))
	}
	if _, err := bufio.NewReader(out).ReadString('\n'); err != nil {
		t.Fatalf("no first event: %v; stderr:\n%s", err, stderr.String())
	}
	out.Close()
	waited = true
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("nsview --watch after its reader closed: %v; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Errorf("nsview --watch still ran 10 s after its reader closed")
	}
}

// TestReaderGone: only a pipe whose reader has closed, or a socket whose
// peer has, counts as gone; open pipes, files, /dev/null and writers that
// are no files do not.
func TestReaderGone(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	file, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	pair, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	sock, peer := os.NewFile(uintptr(pair[0]), "socket"), os.NewFile(uintptr(pair[1]), "peer")
	defer sock.Close()
	for _, tc := range []struct {
		name string
		out  io.Writer
		want bool
	}{
		{"pipe with its reader", w, false},
		{"/dev/null", devNull, false},
		{"regular file", file, false},
		{"buffer", &bytes.Buffer{}, false},
		{"socket with its peer", sock, false},
	} {
		if got := readerGone(tc.out); got != tc.want {
			t.Errorf("%s: gone %v, want %v", tc.name, got, tc.want)
		}
	}
	r.Close()
	peer.Close()
	if !readerGone(w) {
		t.Errorf("pipe whose reader closed: not gone")
	}
	if !readerGone(sock) {
		t.Errorf("socket whose peer closed: not gone")
	}
}

func TestWatchUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--watch", "--interval", "10ms"},
		{"--interval", "1s"},
		{"--watch", "--input", "-"},
		{"--watch", "--tree", "--json"},
		{"--watch", "--dot"},
		{"--watch", "snapshot"},
	} {
		var stdout, stderr bytes.Buffer
		if status := runCLI(append([]string{"nsview"}, args...), environment{stdout: &stdout, stderr: &stderr}); status != exitUsage {
			t.Errorf("nsview %s: status %d, want %d; stderr: %s", strings.Join(args, " "), status, exitUsage, stderr.String())
		}
	}
}

// TestWatchTerminal runs nsview --watch in a shell on a terminal tmux
// draws, sees a new UTS namespace's row marked with "+ " and then "- "
// when it vanishes, and after Ctrl-C the shell again with the cursor
// shown.
func TestWatchTerminal(t *testing.T) {
	kerneltest.RequireRoot(t)
	if _, err := exec.LookPath("tmux"); err != nil {
		kerneltest.Require(t, "no tmux")
	}
	socket, session := "nsview-watch-test-"+strconv.Itoa(os.Getpid()), "watch"
	tmux := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("tmux", append([]string{"-L", socket}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %s: %v: %s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	tmux("new-session", "-d", "-s", session, "-x", "160", "-y", "50", "sh")
	t.Cleanup(func() {
		exec.Command("tmux", "-L", socket, "kill-session", "-t", session).Run()
		exec.Command("tmux", "-L", socket, "kill-server").Run()
	})
	self, err := filepath.Abs(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	// The interval is long enough that a row stays marked while the test
	// polls the pane, even on a busy machine.
	tmux("send-keys", "-t", session, fmt.Sprintf("NSVIEW_SERVE_HELPER=1 %s -test.run='^TestServeHelperProcess$' -- --watch --interval 1s -t uts; echo nsview-exit=$?", self), "Enter")
	waitFor := func(what string, seen func(line string) bool) {
		t.Helper()
		for end := time.Now().Add(60 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
			for line := range strings.SplitSeq(tmux("capture-pane", "-p", "-t", session), "\n") {
				if seen(line) {
					return
				}
			}
		}
		t.Fatalf("the pane never showed %s:\n%s", what, tmux("capture-pane", "-p", "-t", session))
	}
	waitFor("the table", func(line string) bool { return strings.Contains(line, "NPROCS") })
	holder := kerneltest.Start(t, "unshare", "--uts", "sh", "-c", "echo ready; exec sleep 1000")
	inode := strconv.FormatUint(nsInode(t, holder.PID, "uts"), 10)
	row := func(mark string) func(string) bool {
		return func(line string) bool {
			return strings.HasPrefix(line, mark) && strings.Contains(line, inode+" uts")
		}
	}
	waitFor("the new row marked +", row("+ "))
	holder.Kill()
	waitFor("the vanished row marked -", row("- "))
	tmux("send-keys", "-t", session, "C-c")
	waitFor("the exit status", func(line string) bool { return strings.Contains(line, "nsview-exit=") })
	pane := tmux("capture-pane", "-p", "-t", session)
	if !strings.Contains(pane, "nsview-exit=0") {
		t.Errorf("nsview --watch after Ctrl-C did not exit 0:\n%s", pane)
	}
	if cursor := strings.TrimSpace(tmux("display", "-p", "-t", session, "#{cursor_flag}")); cursor != "1" {
		t.Errorf("the cursor is hidden after nsview --watch (cursor_flag %q)", cursor)
	}
}

// BenchmarkWatchCycle is one interval of nsview --watch on a generated
// procfs of 10,000 processes: a scan, the diff with the last frame, and
// the events (json) or the redrawn, marked table (table).
func BenchmarkWatchCycle(b *testing.B) {
	root := fixture.TempDir(b)
	if err := fixture.Generate(root, 10000); err != nil {
		b.Fatal(err)
	}
	for _, mode := range []string{"json", "table"} {
		b.Run(mode, func(b *testing.B) {
			cfg := config{root: root, kind: filter.Namespaces, interval: time.Second,
				render: render.Options{JSON: mode == "json", Width: 160}}
			view, err := render.NewView(cfg.kind, cfg.render)
			if err != nil {
				b.Fatal(err)
			}
			w := &watcher{cfg: cfg, env: environment{stdout: io.Discard}, view: view, needs: scanNeeds(cfg, view)}
			show := w.printEvents(bufio.NewWriter(io.Discard))
			if mode == "table" {
				show = w.drawFrames(io.Discard)
			}
			var prev *frame
			for b.Loop() {
				cur, err := w.scan()
				if err != nil {
					b.Fatal(err)
				}
				if err := show(prev, cur); err != nil {
					b.Fatal(err)
				}
				prev = cur
			}
		})
	}
}
