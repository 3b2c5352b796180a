package render

import (
	"bytes"
	"encoding/xml"
	"os"
	"os/exec"
	"strings"
	"testing"
	"unicode"
)

// requireGraphviz returns the path of Graphviz's dot, skipping the test
// without it, unless NSVIEW_REQUIRE_NS=1 (CI) says the tools are there.
func requireGraphviz(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("dot")
	if err != nil {
		if os.Getenv("NSVIEW_REQUIRE_NS") == "1" {
			t.Fatal("NSVIEW_REQUIRE_NS=1 but Graphviz's dot is not installed")
		}
		t.Skip("Graphviz's dot is not installed")
	}
	return path
}

// svgText renders a DOT graph with Graphviz and returns the text of its
// <text> elements, in order: what a reader of the picture sees.
func svgText(t *testing.T, dot, graph string) []string {
	t.Helper()
	cmd := exec.Command(dot, "-Tsvg")
	cmd.Stdin = strings.NewReader(graph)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Fatalf("dot -Tsvg: %v: %s\n%s", err, stderr.String(), graph)
	}
	var texts []string
	d := xml.NewDecoder(&stdout)
	d.Strict = false
	for inText := false; ; {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			inText = tok.Name.Local == "text"
		case xml.EndElement:
			inText = false
		case xml.CharData:
			if inText {
				texts = append(texts, string(tok))
			}
		}
	}
	return texts
}

// TestDotStringThroughGraphviz checks that labels holding DOT's special
// characters come out of Graphviz as the text that went in, a line per
// line, whatever a process put in its command line.
func TestDotStringThroughGraphviz(t *testing.T) {
	dot := requireGraphviz(t)
	for _, lines := range [][]string{
		{`pid:[4026531836]`, `2 processes`, `1 sh -c "echo \"hi\""`},
		{`ends in a backslash \`, `\n is not a line break, \l nor \r`},
		{`<html> & {braces} [brackets]; -> edge? "`, `\\ two`},
		{Escape("bell\a esc\x1b[31m rtl\u202e nl\n"), `é ü 漢字`},
	} {
		graph := "digraph { a [label=" + dotString(strings.Join(lines, "\n")) + "]; }"
		if got := svgText(t, dot, graph); strings.Join(got, "|") != strings.Join(lines, "|") {
			t.Errorf("label %q rendered as %q\n%s", lines, got, graph)
		}
	}
}

// FuzzDotString checks that a label of any process-controlled text, as
// WriteDot makes one (escaped lines joined by newlines), is quoted as one
// DOT string on one line, without raw control characters, that reads back
// as the label: only \", \\ and \n escapes inside, every quote escaped.
func FuzzDotString(f *testing.F) {
	f.Add("(1) sh -c \"echo \\\"hi\\\"\" \\ \r\n\x1b[2J")
	f.Fuzz(func(t *testing.T, s string) {
		label := Escape(s) + "\n" + Escape(s)
		q := dotString(label)
		if len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' || strings.ContainsFunc(q, unicode.IsControl) {
			t.Fatalf("dotString(%q) = %s: not one quoted line", label, q)
		}
		var back strings.Builder
		inner := q[1 : len(q)-1]
		for i := 0; i < len(inner); i++ {
			switch c := inner[i]; {
			case c == '"':
				t.Fatalf("dotString(%q) = %s: unescaped quote at %d", label, q, i+1)
			case c != '\\':
				back.WriteByte(c)
			case i+1 == len(inner):
				t.Fatalf("dotString(%q) = %s: ends in a lone backslash", label, q)
			default:
				i++
				switch inner[i] {
				case '"', '\\':
					back.WriteByte(inner[i])
				case 'n':
					back.WriteByte('\n')
				default:
					t.Fatalf("dotString(%q) = %s: escape \\%c", label, q, inner[i])
				}
			}
		}
		if back.String() != label {
			t.Errorf("dotString(%q) = %s reads back as %q", label, q, back.String())
		}
	})
}
