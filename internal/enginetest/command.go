package enginetest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// output runs cmd and returns its trimmed stdout. Stdout and stderr go to
// files, not pipes: a detaching engine (runc run -d, podman run -d) hands
// its stdio to the container, and a pipe would then never reach EOF.
func output(cmd *exec.Cmd) (string, error) {
	stdout, err := os.CreateTemp("", "enginetest-stdout-")
	if err != nil {
		return "", err
	}
	defer os.Remove(stdout.Name())
	defer stdout.Close()
	stderr, err := os.CreateTemp("", "enginetest-stderr-")
	if err != nil {
		return "", err
	}
	defer os.Remove(stderr.Name())
	defer stderr.Close()
	cmd.Stdout, cmd.Stderr = stdout, stderr
	runErr := cmd.Run()
	out, _ := os.ReadFile(stdout.Name())
	if runErr != nil {
		msg, _ := os.ReadFile(stderr.Name())
		return "", fmt.Errorf("%s: %w: %s", strings.Join(cmd.Args, " "), runErr, strings.TrimSpace(string(msg)))
	}
	return strings.TrimSpace(string(out)), nil
}

// run runs a command and returns its trimmed stdout.
func run(name string, args ...string) (string, error) {
	return output(exec.Command(name, args...))
}

// cleanupRun runs a command from a t.Cleanup and logs, not fails, when it
// does not work: the next cleanup should still run.
func cleanupRun(t testing.TB, name string, args ...string) {
	t.Helper()
	if _, err := run(name, args...); err != nil {
		t.Logf("cleanup: %v", err)
	}
}

// Name returns a container name no other test uses: prefix and random hex.
func Name(prefix string) string {
	b := make([]byte, 6)
	rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

// hexID returns a random 64-digit hex ID, the shape of containerd's and
// docker's container IDs.
func hexID() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}
