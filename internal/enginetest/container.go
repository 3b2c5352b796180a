package enginetest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Container is a running container as its engine reported it.
type Container struct {
	Engine     string // "runc", "podman", "docker", "ctr" or "kube"
	ID         string // the engine's full container ID
	Name       string // the name given to the engine (the ID where it has none)
	InitPID    int    // the container's first process, as a host PID
	MonitorPID int    // conmon or containerd-shim holding the container; 0 for plain runc
	Bundle     string // the OCI bundle directory holding config.json
	RuncRoot   string // runc's state root: the state is RuncRoot/ID/state.json
}

// StateFile is the path of the runc state.json of the container.
func (c *Container) StateFile() string {
	return filepath.Join(c.RuncRoot, c.ID, "state.json")
}

// readPIDFile reads a file holding one PID, as runc --pid-file writes it.
func readPIDFile(path string) (int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		return 0, fmt.Errorf("pid file %s: %w", path, err)
	}
	return pid, nil
}

// parentPID reads the parent of pid from /proc/PID/stat.
func parentPID(pid int) (int, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name may hold spaces and parentheses: fields start after the last ')'.
	end := strings.LastIndexByte(string(data), ')')
	if end < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no ')' after the command", pid)
	}
	fields := strings.Fields(string(data[end+1:]))
	if len(fields) < 2 {
		return 0, fmt.Errorf("/proc/%d/stat: malformed", pid)
	}
	return strconv.Atoi(fields[1])
}

// waitGone waits until pid has left /proc (killed and reaped), for at most
// a generous deadline; it reports whether it did.
func waitGone(pid int) bool {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); errors.Is(err, fs.ErrNotExist) {
			return true
		}
	}
	return false
}

// removeCgroup removes the cgroup directory rel (e.g. "/nsview") in every
// hierarchy under /sys/fs/cgroup, if it is empty. Missing ones are fine.
func removeCgroup(t testing.TB, rel string) {
	t.Helper()
	dirs, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup/*", rel))
	dirs = append(dirs, filepath.Join("/sys/fs/cgroup", rel))
	for _, dir := range dirs {
		removeEmptyDir(t, dir)
	}
}

// removeEmptyDir removes dir if it exists and is empty (rmdir).
func removeEmptyDir(t testing.TB, dir string) {
	t.Helper()
	if err := os.Remove(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Logf("cleanup: %v", err)
	}
}

// waitExec waits until the container's init has left `runc init` and
// exec'd its command: `runc start` returns as soon as it has told init to
// go on, before the exec.
func waitExec(t testing.TB, c *Container) {
	t.Helper()
	path := fmt.Sprintf("/proc/%d/cmdline", c.InitPID)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		cmdline, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%s container %s: init PID %d: %v", c.Engine, c.ID, c.InitPID, err)
		}
		if len(cmdline) > 0 && !strings.HasPrefix(string(cmdline), "runc\x00init\x00") {
			return
		}
	}
	t.Fatalf("%s container %s: init PID %d still in runc init after 30 s", c.Engine, c.ID, c.InitPID)
}
