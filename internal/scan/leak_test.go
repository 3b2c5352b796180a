package scan

import (
	"testing"

	"github.com/nsview/nsview/internal/testutil"
)

// TestMain fails the run when a test leaves a goroutine, file descriptor
// or child process behind. Run as a holder helper, the binary never gets
// to the tests (see runHolderHelper).
func TestMain(m *testing.M) {
	runHolderHelper()
	testutil.Main(m)
}
