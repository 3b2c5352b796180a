package deploy

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// require skips a test that cannot run here, or fails it when
// NSVIEW_REQUIRE_NS=1 (CI) says that everything must be testable: the
// convention of nsview's requireNamespaces.
func require(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("NSVIEW_REQUIRE_NS") == "1" {
		t.Fatalf("NSVIEW_REQUIRE_NS=1 but this cannot be tested: %s", why)
	}
	t.Skipf("cannot be tested here: %s", why)
}

// requireTools calls require unless every tool is on PATH.
func requireTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			require(t, tool+" is not installed")
		}
	}
}

// requireRoot calls require unless the test runs as root.
func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		require(t, "not root")
	}
}

// run runs a command and returns its trimmed stdout. Stdout and stderr go
// to files, not pipes: `podman run -d` hands its stdio on to the
// container's monitor, and a pipe would then never reach EOF.
func run(name string, args ...string) (string, error) {
	return runEnv("", nil, name, args...)
}

// runEnv is run in the directory dir (the test's own when empty), with
// extra environment variables env ("NAME=value").
func runEnv(dir string, env []string, name string, args ...string) (string, error) {
	stdout, err := os.CreateTemp("", "deploy-stdout-")
	if err != nil {
		return "", err
	}
	defer os.Remove(stdout.Name())
	defer stdout.Close()
	stderr, err := os.CreateTemp("", "deploy-stderr-")
	if err != nil {
		return "", err
	}
	defer os.Remove(stderr.Name())
	defer stderr.Close()
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, stdout, stderr
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	runErr := cmd.Run()
	out, _ := os.ReadFile(stdout.Name())
	if runErr != nil {
		msg, _ := os.ReadFile(stderr.Name())
		return "", fmt.Errorf("%s: %w: %s", strings.Join(cmd.Args, " "), runErr, strings.TrimSpace(string(msg)))
	}
	return strings.TrimSpace(string(out)), nil
}

// cleanupRun runs a command from a t.Cleanup and logs, not fails, when it
// does not work, so that the next cleanup still runs.
func cleanupRun(t *testing.T, name string, args ...string) {
	t.Helper()
	if _, err := run(name, args...); err != nil {
		t.Logf("cleanup: %v", err)
	}
}

// documents splits a YAML stream into its documents, dropping empty ones
// (a leading comment block before the first "---", say).
func documents(data []byte) [][]byte {
	var docs [][]byte
	for _, doc := range bytes.Split(data, []byte("\n---\n")) {
		var probe map[string]any
		if err := yaml.Unmarshal(doc, &probe); err == nil && len(probe) == 0 {
			continue
		}
		docs = append(docs, doc)
	}
	return docs
}

// decodeStrict decodes the YAML document doc into obj as the API server's
// strict field validation does: a field that obj's type does not have is
// an error, and so is a duplicate one. yaml.UnmarshalStrict alone would
// take hostPid for hostPID, since encoding/json matches field names
// without regard to case; sigs.k8s.io/json, Kubernetes's own decoder, does
// not.
func decodeStrict(doc []byte, obj any) error {
	data, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return err
	}
	strictErrs, err := kjson.UnmarshalStrict(data, obj)
	if err != nil {
		return err
	}
	return errors.Join(strictErrs...)
}
