package render

import (
	"github.com/clipperhouse/displaywidth"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestEscape(t *testing.T) {
	cases := map[string]string{
		"plain text (ok)":      "plain text (ok)",
		"evil\x1b]0;pwned\x07": `evil\x1b]0;pwned\x07`,
		"line1\nline2\ttab\r":  `line1\x0aline2\x09tab\x0d`,
		"bad \xff\xfe utf8":    `bad \xff\xfe utf8`,
		"rtl \u202eesrever":    `rtl \u202eesrever`,
		"c1 \u009b31m":         `c1 \u009b31m`,
		"del \x7f":             `del \x7f`,
		"zero\u200bwidth":      `zero\u200bwidth`,
		"ünïcödé 名前":           "ünïcödé 名前",
		"sep\u2028par\u2029":   `sep\u2028par\u2029`,
		"":                     "",
	}
	for in, want := range cases {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTruncate(t *testing.T) {
	cases := []struct {
		in    string
		width int
		want  string
	}{
		{"abcdef", 0, "abcdef"},
		{"abcdef", 6, "abcdef"},
		{"abcdef", 5, "abcd…"},
		{"名前名前", 8, "名前名前"},
		{"名前名前", 7, "名前名…"},
		{"名前名前", 5, "名前…"},
		{"名前名前", 4, "名…"}, // a wide character and the ellipsis take 3 cells
		{"名前名前", 3, "名…"},
		{"abc", 1, "…"},
	}
	for _, c := range cases {
		if got := Truncate(c.in, c.width); got != c.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", c.in, c.width, got, c.want)
		}
	}
}

// FuzzEscape checks that escaped text is valid UTF-8 without a single
// control or format character, whatever a process put in its name.
func FuzzEscape(f *testing.F) {
	f.Add("evil\x1b]0;pwned\x07\xff\u202e")
	f.Fuzz(func(t *testing.T, s string) {
		got := Escape(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Escape(%q) = %q: not valid UTF-8", s, got)
		}
		if i := strings.IndexFunc(got, func(r rune) bool { return unicode.IsControl(r) || unsafeRune(r) }); i >= 0 {
			t.Fatalf("Escape(%q) = %q: control character at %d", s, got, i)
		}
		for _, width := range []int{1, 2, 7, 80} {
			if cut := Truncate(got, width); displaywidth.String(cut) > width {
				t.Fatalf("Truncate(%q, %d) = %q: %d cells wide", got, width, cut, displaywidth.String(cut))
			}
		}
	})
}

func TestFitWidths(t *testing.T) {
	for _, c := range []struct {
		widths []int
		width  int
		want   []int
	}{
		{[]int{10, 4, 20}, 80, []int{10, 4, 20}},            // fits
		{[]int{10, 4, 100}, 80, []int{10, 4, 64}},           // the widest takes the cut
		{[]int{10, 50, 50}, 80, []int{10, 34, 34}},          // tied columns share it
		{[]int{10, 60, 40}, 80, []int{10, 34, 34}},          // down to the next widest, then both
		{[]int{10, 10, 10, 100}, 20, []int{10, 10, 10, 16}}, // never below 16 cells
	} {
		if got := fitWidths(slices.Clone(c.widths), c.width); !slices.Equal(got, c.want) {
			t.Errorf("fitWidths(%v, %d) = %v, want %v", c.widths, c.width, got, c.want)
		}
	}
}
