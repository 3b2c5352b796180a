package render

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestUseColor(t *testing.T) {
	pipeR, pipeW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pipeR.Close()
	defer pipeW.Close()
	for _, c := range []struct {
		mode    string
		noColor bool
		out     *os.File
		want    bool
	}{
		{"always", true, pipeW, true},
		{"never", false, pipeW, false},
		{"auto", false, pipeW, false}, // a pipe is not a terminal
		{"auto", false, nil, false},
	} {
		if c.noColor {
			t.Setenv("NO_COLOR", "1")
		} else {
			os.Unsetenv("NO_COLOR")
		}
		if got, err := UseColor(c.mode, c.out); err != nil || got != c.want {
			t.Errorf("UseColor(%q, NO_COLOR=%v) = %v, %v; want %v", c.mode, c.noColor, got, err, c.want)
		}
	}
	if _, err := UseColor("sometimes", nil); err == nil || !strings.Contains(err.Error(), "auto, always, never") {
		t.Errorf("UseColor(sometimes): err = %v, want one naming the valid values", err)
	}
}

// openPTY opens a pseudo-terminal and returns its terminal side.
func openPTY(t *testing.T) *os.File {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skip("no pseudo-terminals here:", err)
	}
	t.Cleanup(func() { master.Close() })
	fd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	tty, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tty.Close() })
	return tty
}

// TestUseColorTerminal: auto colours a terminal unless NO_COLOR is set
// (to anything but "").
func TestUseColorTerminal(t *testing.T) {
	tty := openPTY(t)
	os.Unsetenv("NO_COLOR")
	if got, _ := UseColor("auto", tty); !got {
		t.Error("auto did not colour a terminal")
	}
	t.Setenv("NO_COLOR", "")
	if got, _ := UseColor("auto", tty); !got {
		t.Error("auto did not colour a terminal with NO_COLOR empty, which no-color.org says to ignore")
	}
	t.Setenv("NO_COLOR", "1")
	if got, _ := UseColor("auto", tty); got {
		t.Error("auto coloured a terminal with NO_COLOR set")
	}
	if got, _ := UseColor("always", tty); !got {
		t.Error("always did not colour with NO_COLOR set")
	}
}

func TestPaletteOff(t *testing.T) {
	p := NewPalette(false)
	if got := p.Header("NS") + p.Type("net", "net") + p.Namespace(false, "1") + p.Process("2"); got != "NSnet12" {
		t.Errorf("a disabled palette coloured: %q", got)
	}
	if got := NewPalette(true).Type("net", "net"); !strings.HasPrefix(got, "\x1b[") {
		t.Errorf("an enabled palette did not colour: %q", got)
	}
}
