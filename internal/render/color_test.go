package render

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/nsview/nsview/internal/ptytest"
)

func TestUseColor(t *testing.T) {
	pipeR, pipeW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pipeR.Close()
	defer pipeW.Close()
	for _, c := range []struct {
		mode string
		out  *os.File
		want bool
	}{
		{"always", pipeW, true},
		{"never", pipeW, false},
		{"auto", pipeW, false}, // a pipe is not a terminal
		{"auto", nil, false},
	} {
		if got, err := UseColor(c.mode, c.out); err != nil || got != c.want {
			t.Errorf("UseColor(%q) = %v, %v; want %v", c.mode, got, err, c.want)
		}
	}
	if _, err := UseColor("sometimes", nil); err == nil || !strings.Contains(err.Error(), "auto, always, never") {
		t.Errorf("UseColor(sometimes): err = %v, want one naming the valid values", err)
	}
}

// TestUseColorTerminal: auto colours a terminal unless NO_COLOR is set to
// anything but "". fatih/color reads NO_COLOR when the process starts, so
// each case runs the test binary again, with its standard output on a
// pseudo-terminal, and reads UseColor's answer from its standard error.
func TestUseColorTerminal(t *testing.T) {
	if mode := os.Getenv("NSVIEW_TEST_COLOR_MODE"); mode != "" {
		got, err := UseColor(mode, os.Stdout)
		fmt.Fprintf(os.Stderr, "UseColor=%v err=%v\n", got, err)
		return
	}
	_, tty := ptytest.Open(t, 80)
	for _, c := range []struct {
		noColor string // "-": unset
		mode    string
		want    bool
	}{
		{"-", "auto", true},
		{"", "auto", true}, // no-color.org: an empty NO_COLOR is ignored
		{"1", "auto", false},
		{"1", "always", true},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestUseColorTerminal$")
		cmd.Env = append(withoutEnv("NO_COLOR", "TERM"), "TERM=xterm", "NSVIEW_TEST_COLOR_MODE="+c.mode)
		if c.noColor != "-" {
			cmd.Env = append(cmd.Env, "NO_COLOR="+c.noColor)
		}
		var stderr strings.Builder
		cmd.Stdout, cmd.Stderr = tty, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("%v: %v\n%s", cmd, err, stderr.String())
		}
		if want := fmt.Sprintf("UseColor=%v err=<nil>", c.want); !strings.Contains(stderr.String(), want) {
			t.Errorf("NO_COLOR=%q, --color=%s on a terminal: got %q, want %s", c.noColor, c.mode, stderr.String(), want)
		}
	}
}

// withoutEnv is the environment without the named variables.
func withoutEnv(names ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(names, name) {
			env = append(env, kv)
		}
	}
	return env
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
