package enginetest

import (
	"os"
	"os/exec"
	"testing"
)

// Require skips a test whose engine cannot run here, or fails it when
// NSVIEW_REQUIRE_NS=1 (CI) says that everything must be testable. It is
// the same convention as nsview's requireNamespaces.
func Require(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("NSVIEW_REQUIRE_NS") == "1" {
		t.Fatalf("NSVIEW_REQUIRE_NS=1 but container engines cannot be tested: %s", why)
	}
	t.Skipf("container engines cannot be tested here: %s", why)
}

// requireTools calls Require unless the test runs as root and every tool
// is on PATH.
func requireTools(t testing.TB, tools ...string) {
	t.Helper()
	if os.Geteuid() != 0 {
		Require(t, "not root")
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			Require(t, tool+" is not installed")
		}
	}
}
