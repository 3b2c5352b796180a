package render

import (
	"bytes"
	"encoding/xml"
	"os"
	"os/exec"
	"strings"
	"testing"
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
