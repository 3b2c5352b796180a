package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/nsview/nsview/internal/kerneltest"
)

// churnScript forks and reaps short-lived processes as fast as it can:
// plain ones, ones in fresh namespaces, and zombies (a child that exits
// while its parent, exec'd into sleep, never reaps it). $UNSHARE is the
// unshare command (see startChurn).
const churnScript = `
while :; do
	/bin/true &
	$UNSHARE -n -u -i /bin/true &
	$UNSHARE -p -f /bin/true &
	sh -c '/bin/true & exec sleep 0.2' &
	wait
done`

// startChurn runs churnScript until the test ends, then kills it by PID.
// Users other than root create the namespaces inside a user namespace of
// their own (unshare -r); where the kernel forbids that, the script still
// churns plain processes.
func startChurn(t *testing.T) {
	t.Helper()
	churn := exec.Command("sh", "-c", churnScript)
	churn.Env = append(os.Environ(), "UNSHARE=unshare")
	if os.Geteuid() != 0 {
		churn.Env = append(os.Environ(), "UNSHARE=unshare -r")
	}
	churn.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := churn.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-churn.Process.Pid, syscall.SIGKILL) // the script's group: it and its children
		churn.Wait()
	})
}

// TestChurn runs 500 scans while processes come and go. Every scan must
// succeed, print one valid JSON document, and list each namespace once,
// with NPROCS equal to the processes it lists.
func TestChurn(t *testing.T) {
	startChurn(t)
	scans := 500
	if testing.Short() {
		scans = 50
	}
	for i := range scans {
		args := []string{"--json"}
		if i%2 == 1 {
			args = []string{"-namespace", fmt.Sprint(nsInode(t, os.Getpid(), "pid")), "--json"}
		}
		out := nsview(t, args...) // fails the test on a non-zero exit
		var doc struct {
			Namespaces []struct {
				NS        uint64
				Type      string
				NProcs    int
				Processes []struct{ PID int }
			}
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("scan %d: invalid JSON: %v", i, err)
		}
		seen := map[uint64]bool{}
		for _, ns := range doc.Namespaces {
			if seen[ns.NS] {
				t.Fatalf("scan %d: namespace %d listed twice", i, ns.NS)
			}
			seen[ns.NS] = true
			if ns.Processes != nil && len(ns.Processes) != ns.NProcs {
				t.Fatalf("scan %d: namespace %d: nprocs %d but %d processes", i, ns.NS, ns.NProcs, len(ns.Processes))
			}
		}
	}
}

// buildBinary builds nsview into a directory any user may read, for tests
// that run it as another user or with special stdio; env is added to the
// build's environment.
func buildBinary(t *testing.T, env ...string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "nsview")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// hostileComm is what the hostile process writes to /proc/self/comm: an
// OSC title sequence, BEL, a newline and a lone C1 byte (15 bytes at most).
const hostileComm = "\x1b]0;pwn\x07\n\x9b2J"

// startHostile starts a shell whose name is hostileComm and whose command
// line is a terminal-clearing argv[0] followed by 1 MiB of arguments; it
// is killed by PID when the test ends. It returns the PID and the exact
// command line nsview should report.
func startHostile(t *testing.T) (int, string) {
	t.Helper()
	argv0 := "\x1b[2J\x1b]0;owned\x07\u202eevil\xff"
	// printf's octal escapes spell hostileComm; sh stays (": " after sleep).
	script := `printf '\033]0;pwn\007\n\2332J' > /proc/$$/comm; sleep 1000; :`
	args := []string{argv0, "-c", script, "x"}
	for range 16 {
		args = append(args, strings.Repeat("A", 64<<10))
	}
	cmd := exec.Command("/bin/sh")
	cmd.Args = args
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	t.Cleanup(func() {
		if children, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid)); err == nil {
			for _, child := range strings.Fields(string(children)) {
				var c int
				fmt.Sscan(child, &c)
				syscall.Kill(c, syscall.SIGKILL)
			}
		}
		syscall.Kill(pid, syscall.SIGKILL)
		cmd.Wait()
	})
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); string(comm) == hostileComm+"\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the hostile process did not rename itself")
		}
	}
	return pid, strings.Join(args, " ")
}

// ourSGR matches the colour sequences nsview itself writes.
var ourSGR = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// assertNoControlBytes fails if out, less nsview's own colour sequences,
// holds a control byte (other than newline), a C1 control or invalid UTF-8.
func assertNoControlBytes(t *testing.T, what string, out []byte) {
	t.Helper()
	plain := ourSGR.ReplaceAll(out, nil)
	if !utf8.Valid(plain) {
		t.Errorf("%s: output is not valid UTF-8", what)
	}
	for i, r := range string(plain) {
		if (r < 0x20 && r != '\n') || (r >= 0x7f && r < 0xa0) || r == 0x202e {
			t.Errorf("%s: control character %U at byte %d: %q", what, r, i, plain[max(0, i-20):min(len(plain), i+20)])
			return
		}
	}
}

func TestHostileNames(t *testing.T) {
	pid, cmdline := startHostile(t)
	p := fmt.Sprint(pid)
	for _, args := range [][]string{
		{"--color=always"},
		{"--color=always", "-pid", p, "-o", "pid,command"},
		{"--color=always", "-namespace", fmt.Sprint(nsInode(t, pid, "pid")), "-o", "pid,name,command"},
		{"--color=always", "--tree", "--ascii", "-pid", p},
		{"--color=always", "--tree", "-t", "user"},
		{"--json", "-pid", p},
		{"--json", "--tree"},
	} {
		out := nsview(t, args...)
		assertNoControlBytes(t, strings.Join(args, " "), []byte(out))
	}

	// Tables and trees cut the command line to 4096 characters off a terminal.
	pidns := fmt.Sprint(nsInode(t, pid, "pid"))
	row := nsview(t, "-namespace", pidns, "-pid", p, "-o", "command", "--no-headings")
	if n := utf8.RuneCountInString(strings.TrimSpace(row)); n != 4096 || !strings.HasSuffix(strings.TrimSpace(row), "…") {
		t.Errorf("the 1 MiB command line is %d characters in the table, want 4096 ending in …", n)
	}
	// JSON carries it whole, with bytes that are not UTF-8 as U+FFFD.
	// JSON carries it and the name whole, as strings that decode back to
	// them (each byte that is not UTF-8 becomes U+FFFD).
	var doc struct {
		Namespaces []struct {
			Processes []struct{ Name, Command string }
		}
	}
	if err := json.Unmarshal([]byte(nsview(t, "-namespace", pidns, "-pid", p, "-J")), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Namespaces) != 1 || len(doc.Namespaces[0].Processes) != 1 {
		t.Fatalf("-namespace %s -pid %s: %+v", pidns, p, doc)
	}
	got := doc.Namespaces[0].Processes[0]
	if want := strings.ToValidUTF8(cmdline, "\uFFFD"); got.Command != want {
		t.Errorf("JSON command is not the whole command line (%d bytes, want %d)", len(got.Command), len(want))
	}
	if want := strings.ToValidUTF8(hostileComm, "\uFFFD"); got.Name != want {
		t.Errorf("JSON name = %q, want %q", got.Name, want)
	}
}

// TestUnprivileged runs nsview as nobody: it prints what nobody can see,
// exits 0 and says in one stderr line how many processes it skipped.
func TestUnprivileged(t *testing.T) {
	if os.Geteuid() != 0 {
		kerneltest.Require(t, "not root")
	}
	if _, err := exec.LookPath("setpriv"); err != nil {
		kerneltest.Require(t, "setpriv is not installed")
	}
	bin := buildBinary(t)
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", bin, "--color=never")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("as nobody: %v: %s", err, stderr.String())
	}
	if !strings.HasPrefix(stdout.String(), "        NS TYPE") || strings.Count(stdout.String(), "\n") < 2 {
		t.Errorf("as nobody, stdout is not a table:\n%s", stdout.String())
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if len(lines) != 1 || !regexp.MustCompile(`^nsview: skipped \d+ of \d+ processes \(\d+ permission denied.*\); run as root to see them$`).MatchString(lines[0]) {
		t.Errorf("as nobody, stderr = %q; want one line counting the denied processes", stderr.String())
	}
}

// TestClosedPipe: `nsview | head -1` ends quietly, with no error message.
func TestClosedPipe(t *testing.T) {
	bin := buildBinary(t)
	cmd := exec.Command("sh", "-c", bin+" --json | head -c 1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("nsview | head: %v", err)
	}
	if stdout.String() != "{" || strings.Contains(stderr.String(), "broken pipe") || strings.Contains(stderr.String(), "goroutine") {
		t.Errorf("nsview | head: stdout %q, stderr %q", stdout.String(), stderr.String())
	}
}
