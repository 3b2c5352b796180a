package render

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/clipperhouse/displaywidth"
)

// Escape makes text that a process controls safe to print on a terminal:
// control characters (C0, DEL, C1), invalid UTF-8 bytes and Unicode format
// characters (bidirectional overrides, zero-width marks, line and paragraph
// separators) are shown as \xNN or \uNNNN escapes. Everything else is kept.
func Escape(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// isPlain reports whether s is printable ASCII, the common case.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// unsafeRune reports whether r is a non-ASCII rune that could reorder,
// hide or break a terminal line: C1 controls and format characters.
func unsafeRune(r rune) bool {
	if r < 0x80 {
		return false // no ASCII rune is C1 or in Cf, Zl or Zp
	}
	return r < 0xa0 || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r)
}

// Ellipsis marks text that was cut to fit.
const Ellipsis = "…"

// Truncate cuts escaped text to at most width terminal cells, ending it
// with an ellipsis when it was cut. A wide (CJK) character takes two
// cells. A width below 1 means no limit.
func Truncate(s string, width int) string {
	if width < 1 {
		return s
	}
	return displaywidth.TruncateString(s, width, Ellipsis)
}
