package snapshot

import (
	"testing"

	"github.com/nsview/nsview/internal/testutil"
)

// TestMain fails the run when a test leaves a goroutine, file descriptor
// or child process behind.
func TestMain(m *testing.M) { testutil.Main(m) }
