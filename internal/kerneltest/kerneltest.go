// Package kerneltest helps tests that need root and a real kernel: they
// skip where namespaces cannot be made, but fail when NSVIEW_REQUIRE_NS=1
// (CI) says they must run, and every process they start is ended by its
// PID when the test ends.
package kerneltest

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// Require skips a test that needs root and namespaces, or fails it when
// NSVIEW_REQUIRE_NS=1 says they must be testable.
func Require(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("NSVIEW_REQUIRE_NS") == "1" {
		t.Fatalf("NSVIEW_REQUIRE_NS=1 but namespaces cannot be tested: %s", why)
	}
	t.Skipf("namespaces cannot be tested here: %s", why)
}

// RequireRoot calls Require unless the test runs as root.
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		Require(t, "not root")
	}
}

// Process is a process a test started, and the first line it printed.
type Process struct {
	Cmd  *exec.Cmd
	PID  int
	Line string
}

// Start runs argv, waits for its first line of output (a process says
// "ready" that way, or reports what it made) and kills it by PID when the
// test ends. A process that cannot start or prints nothing calls Require:
// the tools or the kernel are missing.
func Start(t testing.TB, argv ...string) *Process {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		Require(t, err.Error())
	}
	p := &Process{Cmd: cmd, PID: cmd.Process.Pid}
	t.Cleanup(func() { p.Kill() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil && err != io.EOF || line == "" {
		Require(t, strings.Join(argv, " ")+" printed nothing: "+errText(err))
	}
	p.Line = strings.TrimSpace(line)
	return p
}

// Kill ends the process by its PID and reaps it; it may be called again.
func (p *Process) Kill() {
	if p.Cmd.ProcessState != nil {
		return
	}
	syscall.Kill(p.PID, syscall.SIGKILL)
	p.Cmd.Wait()
}

// Run runs argv to its end and fails the test if it fails.
func Run(t testing.TB, argv ...string) {
	t.Helper()
	if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, out)
	}
}

func errText(err error) string {
	if err == nil {
		return "no output"
	}
	return err.Error()
}
