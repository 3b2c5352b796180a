package render

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/nsview/nsview/internal/container"
	"github.com/nsview/nsview/internal/filter"
	"github.com/nsview/nsview/internal/scan"
)

// TestRawEscape checks the escaping against what lsns -r (libsmartcols
// fputs_nonblank) prints for the same bytes.
func TestRawEscape(t *testing.T) {
	for in, want := range map[string]string{
		"":                  "",
		"kthreadd":          "kthreadd",
		"sleep 1000":        `sleep\x201000`,
		"a\tb\nc":           `a\x09b\x0ac`,
		`C:\dir`:            `C:\x5cdir`,
		"\x1b[2J\x7f":       `\x1b[2J\x7f`,
		"└─kdevtmpfs":       `\xe2\x94\x94\xe2\x94\x80kdevtmpfs`,
		"\xff":              `\xff`,
		`{"a": "b"} $x 'y'`: `{"a":\x20"b"}\x20$x\x20'y'`,
	} {
		if got := RawEscape(in); got != want {
			t.Errorf("RawEscape(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWriteRaw checks the layout: single spaces, empty cells empty, no
// heading with noHeadings.
func TestWriteRaw(t *testing.T) {
	cols := []Column[[]any]{
		{Name: "NS", Type: "integer", Value: func(r []any) any { return r[0] }},
		{Name: "NSFS", Type: "string", Value: func(r []any) any { return r[1] }},
		{Name: "COMMAND", Type: "string", Value: func(r []any) any { return r[2] }},
	}
	rows := [][]any{{uint64(4026531833), nil, "sleep 1"}, {uint64(4026532182), "/run/netns/a b", ""}}
	var b bytes.Buffer
	if err := writeRaw(&b, cols, rows, false); err != nil {
		t.Fatal(err)
	}
	want := "NS NSFS COMMAND\n4026531833  sleep\\x201\n4026532182 /run/netns/a\\x20b \n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
	b.Reset()
	if err := writeRaw(&b, cols, rows[:1], true); err != nil || b.String() != "4026531833  sleep\\x201\n" {
		t.Errorf("noHeadings: got %q, %v", b.String(), err)
	}
}

// TestRawEscapesObjectsOnce checks that the cells of the columns whose
// values are objects (MOUNTS, CONTAINER, POD) are escaped once, as string
// cells are: in raw output by RawEscape alone, not by Escape first (which
// printed a control byte as \x5cx01), and in tables by Escape.
func TestRawEscapesObjectsOnce(t *testing.T) {
	cols, err := selectColumns(namespaceColumns, nil, []string{"MOUNTS,CONTAINER,POD"})
	if err != nil {
		t.Fatal(err)
	}
	ns := &scan.Namespace{
		Mounts:    []scan.Mount{{Path: "/run/netns/a\x01 b\\c", MntNS: 4026531841}},
		Container: &container.Container{Name: "web\x01 a\\b"},
		Pod:       &container.Pod{Namespace: "default", Name: "p\x01 q\\r"},
	}
	rows := []NSRow{{Index: &scan.Index{}, Match: filter.Match{Namespace: ns}}}
	for _, tt := range []struct {
		name string
		raw  bool
		want string
	}{
		{"raw", true, `/run/netns/a\x01\x20b\x5cc\x20(mnt:[4026531841]) web\x01\x20a\x5cb default/p\x01\x20q\x5cr` + "\n"},
		{"table", false, `/run/netns/a\x01 b\c (mnt:[4026531841]) web\x01 a\b default/p\x01 q\r` + "\n"},
	} {
		var b bytes.Buffer
		if err := writeRows(&b, cols, rows, tableOptions{NoHeadings: true, Raw: tt.raw}); err != nil {
			t.Fatal(err)
		}
		if b.String() != tt.want {
			t.Errorf("%s: got\n%q\nwant\n%q", tt.name, b.String(), tt.want)
		}
	}
}

// FuzzRawEscape checks that an escaped cell has no byte that would split
// or disturb a raw line, and that unescaping it gives the input back.
func FuzzRawEscape(f *testing.F) {
	for _, s := range []string{"", "a b", `\x20`, "\x00\xff", "└─x", "\\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		esc := RawEscape(s)
		for i := 0; i < len(esc); i++ {
			if esc[i] <= ' ' || esc[i] >= 0x7f {
				t.Fatalf("RawEscape(%q) = %q keeps byte %#x", s, esc, esc[i])
			}
		}
		if back := rawUnescape(t, esc); back != s {
			t.Fatalf("RawEscape(%q) = %q unescapes to %q", s, esc, back)
		}
	})
}

// rawUnescape reverses RawEscape: every backslash starts \xNN.
func rawUnescape(t *testing.T, s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		if i+4 > len(s) || s[i+1] != 'x' {
			t.Fatalf("bad escape at %d in %q", i, s)
		}
		n, err := strconv.ParseUint(s[i+2:i+4], 16, 8)
		if err != nil {
			t.Fatalf("bad escape at %d in %q: %v", i, s, err)
		}
		b.WriteByte(byte(n))
		i += 3
	}
	return b.String()
}
