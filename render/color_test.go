package render

import (
	"os"
	"strings"
	"testing"
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

func TestPaletteOff(t *testing.T) {
	p := NewPalette(false)
	if got := p.Header("NS") + p.Type("net", "net") + p.Namespace(false, "1") + p.Process("2"); got != "NSnet12" {
		t.Errorf("a disabled palette coloured: %q", got)
	}
	if got := NewPalette(true).Type("net", "net"); !strings.HasPrefix(got, "\x1b[") {
		t.Errorf("an enabled palette did not colour: %q", got)
	}
}
