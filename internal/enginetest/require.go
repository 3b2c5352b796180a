package enginetest

import (
	"os"
	"os/exec"
	"testing"

	"github.com/nsview/nsview/internal/kerneltest"
)

// Require skips a test whose engine cannot run here, or fails it when
// NSVIEW_REQUIRE_NS=1 (CI) says that everything must be testable (see
// kerneltest.Require).
func Require(t testing.TB, why string) {
	t.Helper()
	kerneltest.Require(t, "container engines: "+why)
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
