package container

import (
	"testing"

	"github.com/nsview/nsview/internal/testutil"
)

// TestMain fails the run when a test leaves a goroutine, an fd or a child
// process behind.
func TestMain(m *testing.M) { testutil.Main(m) }
