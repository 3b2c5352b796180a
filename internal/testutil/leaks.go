// Package testutil ends a package's tests by checking that they left
// nothing behind: no goroutine, no file descriptor and no child process.
// A test that starts processes or opens files ends them itself (t.Cleanup);
// this catches the ones it forgot, as lxkns does after every test. Fetch
// (http.go) is how tests GET from the servers they start.
package testutil

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// Main is a TestMain: it runs the package's tests and then fails the run
// when a goroutine, file descriptor or child process outlived them.
//
//	func TestMain(m *testing.M) { testutil.Main(m) }
func Main(m *testing.M) {
	flag.Parse()
	if fuzzing() {
		// The fuzzing engine's coordinator and workers share pipes,
		// shared memory and processes of their own: nothing to check.
		os.Exit(m.Run())
	}
	before, err := openFDs()
	if err != nil {
		fmt.Fprintln(os.Stderr, "testutil:", err)
		os.Exit(1)
	}
	code := m.Run()
	if code == 0 {
		if leaks := findLeaks(before); len(leaks) > 0 {
			fmt.Fprintf(os.Stderr, "testutil: the tests left behind:\n  %s\n", strings.Join(leaks, "\n  "))
			code = 1
		}
	}
	os.Exit(code)
}

// fuzzing reports whether the binary runs as go test -fuzz's coordinator
// or one of its workers.
func fuzzing() bool {
	for _, name := range []string{"test.fuzz", "test.fuzzworker"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" && f.Value.String() != "false" {
			return true
		}
	}
	return false
}

// findLeaks describes what outlived the tests: goroutines (goleak), file
// descriptors not in before (see openFDs), and child processes, still
// running or not reaped. Children a test killed may take a moment to go,
// so it waits up to ten seconds for them.
func findLeaks(before map[int]string) []string {
	var leaks []string
	if err := goleak.Find(); err != nil {
		leaks = append(leaks, err.Error())
	}
	leaks = append(leaks, newFDs(before)...)
	return append(leaks, lingeringChildren(10*time.Second)...)
}

// runtimeFDs are file descriptors the Go runtime opens on first use and
// keeps (the network poller), which are no test's doing.
var runtimeFDs = []string{"anon_inode:[eventpoll]", "anon_inode:[eventfd]"}

// openFDs maps each open file descriptor of this process to what it
// refers to (the target of /proc/self/fd/N).
func openFDs() (map[int]string, error) {
	dir, err := os.Open("/proc/self/fd")
	if err != nil {
		return nil, fmt.Errorf("listing open files: %w", err)
	}
	defer dir.Close()
	names, err := dir.Readdirnames(-1)
	if err != nil {
		return nil, fmt.Errorf("listing open files: %w", err)
	}
	fds := make(map[int]string, len(names))
	for _, name := range names {
		var fd int
		if _, err := fmt.Sscan(name, &fd); err != nil || fd == int(dir.Fd()) {
			continue
		}
		target, err := os.Readlink(filepath.Join("/proc/self/fd", name))
		if err != nil {
			continue // closed meanwhile
		}
		fds[fd] = target
	}
	return fds, nil
}

// newFDs describes the file descriptors open now that were not in before,
// other than the runtime's own.
func newFDs(before map[int]string) []string {
	now, err := openFDs()
	if err != nil {
		return []string{err.Error()}
	}
	var leaks []string
	for fd, target := range now {
		if before[fd] != target && !slices.Contains(runtimeFDs, target) {
			leaks = append(leaks, fmt.Sprintf("file descriptor %d (%s)", fd, target))
		}
	}
	slices.Sort(leaks)
	return leaks
}

// lingeringChildren describes the child processes of this process, waiting
// up to patience for them to go first.
func lingeringChildren(patience time.Duration) []string {
	deadline := time.Now().Add(patience)
	for {
		pids := childPIDs()
		if len(pids) == 0 || time.Now().After(deadline) {
			leaks := make([]string, len(pids))
			for i, pid := range pids {
				leaks[i] = fmt.Sprintf("child process %d (%s)", pid, describe(pid))
			}
			return leaks
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// childPIDs lists the PIDs of this process's children, from
// /proc/self/task/*/children (each thread has its own): running ones and
// zombies nobody has reaped.
func childPIDs() []int {
	files, _ := filepath.Glob("/proc/self/task/*/children")
	var pids []int
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue // the thread ended
		}
		for _, field := range strings.Fields(string(data)) {
			var pid int
			if _, err := fmt.Sscan(field, &pid); err == nil {
				pids = append(pids, pid)
			}
		}
	}
	slices.Sort(pids)
	return slices.Compact(pids)
}

// describe names a process for a leak report: its state and command line.
func describe(pid int) string {
	stat, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	state := "gone"
	if i := strings.LastIndexByte(string(stat), ')'); i >= 0 && i+2 < len(stat) {
		state = "state " + string(stat[i+2])
	}
	return fmt.Sprintf("%s: %q", state, strings.TrimRight(strings.ReplaceAll(string(cmdline), "\x00", " "), " "))
}

// CheckLeaks fails t when, once everything else it set up has been cleaned
// up, it leaves more goroutines or open files than it found: a per-test
// check, for tests that start servers and clients. Call it first, so that
// its check runs after the other cleanups.
func CheckLeaks(t *testing.T) {
	t.Helper()
	goroutines, fds := runtime.NumGoroutine(), countFDs(t)
	t.Cleanup(func() {
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			g, f := runtime.NumGoroutine(), countFDs(t)
			if g <= goroutines && f <= fds {
				return
			}
			if time.Now().After(deadline) {
				t.Errorf("leak: %d goroutines before, %d after; %d open files before, %d after", goroutines, g, fds, f)
				return
			}
		}
	})
}

func countFDs(t *testing.T) int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}
