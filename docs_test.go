package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nsview/nsview/internal/fixture"
)

// TestManWarnings renders docs/nsview.1 with man, as a user reads it, and
// fails on any warning groff or man gives.
func TestManWarnings(t *testing.T) {
	man := requireTool(t, "man")
	requireTool(t, "groff")
	cmd := exec.Command(man, "--warnings", "-l", filepath.Join("docs", "nsview.1"))
	cmd.Env = append(os.Environ(), "MANWIDTH=80", "MANPAGER=cat", "PAGER=cat")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Fatalf("man --warnings: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "VIEWS") {
		t.Errorf("the rendered page lacks its VIEWS section:\n%s", stdout.String())
	}
}

// docExample is a command in a block of a document, "$ nsview ARGS",
// with the lines printed under it: lines first to first+len(want)-1 of
// the document.
type docExample struct {
	command string
	args    []string
	first   int
	want    []string
}

// docExamples returns the lines of doc (a Markdown file) and its examples:
// blocks whose lines start with prefix and whose first line is "$ nsview"
// without a pipe or redirection. A block ends at a line without the
// prefix, or at a code fence.
func docExamples(t *testing.T, doc, prefix string) ([]string, []docExample) {
	t.Helper()
	data, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	var examples []docExample
	var cur *docExample
	for i, line := range lines {
		text, inBlock := strings.CutPrefix(line, prefix)
		switch {
		case inBlock && strings.HasPrefix(text, "$ nsview") && !strings.ContainsAny(text, "|>"):
			examples = append(examples, docExample{command: text, args: strings.Fields(text)[2:], first: i + 1})
			cur = &examples[len(examples)-1]
		case cur != nil && inBlock && text != "" && !strings.HasPrefix(text, "```"):
			cur.want = append(cur.want, text)
		default:
			cur = nil
		}
	}
	return lines, examples
}

// TestDocExamples runs the examples of the man page source and the user
// guide on the fixture procfs (testdata/proc) and checks that the
// documents show what nsview prints, so that they cannot go stale. With
// -update it writes what nsview prints into the documents.
func TestDocExamples(t *testing.T) {
	root, owners := fixture.Proc(t)
	docs := map[string]string{filepath.Join("docs", "nsview.md"): "    ", filepath.Join("docs", "guide.md"): ""}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Dir(root))
	t.Setenv("LC_ALL", "C.UTF-8")
	for doc, prefix := range docs {
		doc = filepath.Join(wd, doc)
		lines, examples := docExamples(t, doc, prefix)
		if len(examples) < 7 {
			t.Fatalf("found %d examples in %s, want one per view", len(examples), doc)
		}
		for i := len(examples) - 1; i >= 0; i-- {
			ex := examples[i]
			got := exampleOutput(t, root, owners, ex.args)
			if *update {
				lines = slices.Replace(lines, ex.first, ex.first+len(ex.want), prefixed(got, prefix)...)
			} else if !slices.Equal(got, ex.want) {
				t.Errorf("%s: %s prints\n%s\nthe document shows\n%s", doc, ex.command, strings.Join(got, "\n"), strings.Join(ex.want, "\n"))
			}
		}
		if *update {
			if err := os.WriteFile(doc, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// exampleOutput runs nsview with args on the fixture root and returns
// its output lines, without trailing blanks, or its error message when
// it fails; a document's "--proc testdata/proc" names the fixture.
func exampleOutput(t *testing.T, root string, owners map[int]uint32, args []string) []string {
	t.Helper()
	if i := slices.Index(args, "--proc"); i >= 0 && i+1 < len(args) && args[i+1] == "testdata/proc" {
		args = slices.Delete(slices.Clone(args), i, i+2)
	}
	stdout, stderr, code := runOn(t, root, owners, args...)
	if code != 0 { // an example of an error shows its message
		stdout = stderr
	}
	var out []string
	for _, line := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
		out = append(out, strings.TrimRight(line, " "))
	}
	return out
}

// prefixed puts prefix before every line.
func prefixed(lines []string, prefix string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = prefix + l
	}
	return out
}

// TestHelpCoversViews checks that the examples of --help show every view
// and the common lsns uses.
func TestHelpCoversViews(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := runCLI([]string{"nsview", "--help"}, environment{stdout: &stdout, stderr: &stderr}); code != 0 {
		t.Fatalf("--help: exit %d: %s", code, stderr.String())
	}
	_, examples, _ := strings.Cut(stdout.String(), "EXAMPLES:")
	for _, want := range []string{"nsview  ", "nsview -t pid", "nsview 4026532572", "nsview -namespace ", "nsview -pid ",
		"nsview -c ", "nsview --pod ", "nsview --json", "nsview -nr ", "nsview -P", "nsview --tree  ",
		"nsview --tree -t user", "nsview --dot", "nsview --proc "} {
		if !strings.Contains(examples, want) {
			t.Errorf("the examples of --help lack %q", want)
		}
	}
}
