package render

import (
	"fmt"
	"os"
	"strings"

	"github.com/fatih/color"
	"golang.org/x/term"
)

// colorModes are the values --color accepts.
var colorModes = []string{"auto", "always", "never"}

// UseColor decides from a --color value whether to colour output written to
// out: "always" and "never" say so; "auto" colours only a terminal, and
// not when fatih/color's NoColor says no: it is set at start-up when
// NO_COLOR is set to anything but "" (https://no-color.org), when TERM is
// "dumb" or when standard output is not a terminal.
func UseColor(mode string, out *os.File) (bool, error) {
	switch mode {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto", "":
		return !color.NoColor && IsTerminal(out), nil
	}
	return false, fmt.Errorf("invalid --color value %q (valid: %s)", mode, strings.Join(colorModes, ", "))
}

// IsTerminal reports whether f is a terminal; false for nil.
func IsTerminal(f *os.File) bool {
	return f != nil && term.IsTerminal(int(f.Fd()))
}

// TerminalWidth is the width of the terminal f, or 4096 cells when f is
// not a terminal (or nil): the width at which long commands are cut.
func TerminalWidth(f *os.File) int {
	if f == nil {
		return 4096
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil || width <= 0 {
		return 4096
	}
	return width
}

// Palette colours the parts of the output that show structure. Its zero
// value (or one made with NewPalette(false)) prints plain text.
type Palette struct {
	header, initial, nested, process *color.Color
	types                            map[string]*color.Color
}

// NewPalette returns a palette that colours when enabled is true.
func NewPalette(enabled bool) Palette {
	if !enabled {
		return Palette{}
	}
	mk := func(attrs ...color.Attribute) *color.Color {
		c := color.New(attrs...)
		c.EnableColor()
		return c
	}
	return Palette{
		header:  mk(color.Bold),
		initial: mk(color.Faint),
		nested:  mk(color.Bold, color.FgYellow),
		process: mk(color.FgGreen),
		types: map[string]*color.Color{
			"cgroup": mk(color.FgMagenta), "ipc": mk(color.FgBlue),
			"mnt": mk(color.FgCyan), "net": mk(color.FgGreen),
			"pid": mk(color.FgRed), "time": mk(color.FgWhite),
			"user": mk(color.FgYellow), "uts": mk(color.FgHiBlue),
		},
	}
}

func paint(c *color.Color, s string) string {
	if c == nil {
		return s
	}
	return c.Sprint(s)
}

// Header colours a table heading.
func (p Palette) Header(s string) string { return paint(p.header, s) }

// Type colours text by the namespace type it names.
func (p Palette) Type(typ, s string) string { return paint(p.types[typ], s) }

// Namespace colours a namespace inode: dim for the initial (host)
// namespaces, bright for nested ones.
func (p Palette) Namespace(initial bool, s string) string {
	if initial {
		return paint(p.initial, s)
	}
	return paint(p.nested, s)
}

// Process colours a PID in a tree.
func (p Palette) Process(s string) string { return paint(p.process, s) }
