package render

import (
	"errors"
	"strings"
	"testing"

	"github.com/nsview/nsview/internal/scan"
)

func TestWarnings(t *testing.T) {
	idx := &scan.Index{Skipped: scan.Skipped{Denied: 2, Gone: 1}, Reused: 3, Partial: true,
		Misses: []scan.Miss{{Holder: scan.HeldByFD, Path: "/proc/7/fd", Err: errors.New("permission denied")}}}
	var out strings.Builder
	Warnings(&out, idx, true, false)
	want := "nsview: skipped 3 of 3 processes (2 permission denied, 1 exited or zombie); run as root to see them\n" +
		"nsview: 1 place could not be searched for namespaces that no process holds (first: /proc/7/fd: permission denied)\n" +
		"nsview: 3 processes were replaced by another process with the same PID after the scan; their details are unknown\n" +
		"nsview: namespace hierarchy is partial: the kernel did not tell some parents or owners, so they were inferred from the processes in /proc\n"
	if out.String() != want {
		t.Errorf("Warnings:\n%s\nwant:\n%s", out.String(), want)
	}
	out.Reset()
	Warnings(&out, &scan.Index{Partial: true}, false, true)
	if out.Len() != 0 {
		t.Errorf("nothing to say, but Warnings said %q", out.String())
	}
}
