package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cpuguy83/go-md2man/v2/md2man"

	"github.com/nsview/nsview/internal/fixture"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// runOn runs nsview on the fixture procfs at root, whose processes have the
// given owners, and returns stdout, stderr and the exit status. It runs from
// root's parent with --proc proc, so that paths in the output do not depend
// on the temporary directory.
func runOn(t *testing.T, root string, owners map[int]uint32, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := environment{stdout: &stdout, stderr: &stderr, owners: owners}
	code := runCLI(append([]string{"nsview", "--proc", filepath.Base(root)}, args...), env)
	return stdout.String(), stderr.String(), code
}

// TestGolden runs the CLI on the fixture procfs and compares stdout,
// stderr and exit status with testdata/golden/NAME.txt.
func TestGolden(t *testing.T) {
	root, owners := fixture.Proc(t)
	t.Chdir(filepath.Dir(root))
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_CTYPE", "")
	t.Setenv("LANG", "C.UTF-8")
	cases := []struct {
		name string
		args []string
	}{
		{"tree", []string{"--tree"}},
		{"tree-ascii", []string{"--tree", "--ascii"}},
		{"tree-color", []string{"--tree", "--color=always", "-t", "pid"}},
		{"tree-json", []string{"--tree", "--json"}},
		{"tree-user", []string{"--tree", "-t", "user"}},
		{"tree-user-json", []string{"--tree", "-t", "user", "--json"}},
		{"tree-net", []string{"--tree", "-t", "net"}},
		{"tree-net-uts", []string{"-T", "-t", "net,uts"}},
		{"tree-namespace", []string{"--tree", "-namespace", "4026531836"}},
		{"tree-namespace-json", []string{"--tree", "-namespace", "4026532300", "--json"}},
		{"tree-pid", []string{"--tree", "-pid", "402"}},
		{"tree-pid-user", []string{"--tree", "-pid", "402", "-t", "user"}},
		{"tree-pid-json", []string{"--tree", "-pid", "302", "--json"}},
		{"tree-json-columns", []string{"--tree", "-pid", "302", "--json", "-o", "ns,type,nprocs"}},
		{"default", nil},
		{"list-columns", []string{"--list-columns"}},
		{"type-pid", []string{"-t", "pid"}},
		{"types-repeated", []string{"--type", "net", "-t", "uts,IPC"}},
		{"hierarchy-columns", []string{"-t", "pid,user", "-o", "+pns,ons,level,ouid"}},
		{"all-columns", []string{"-o", "ns,type,path,nprocs,pid,ppid,command,uid,user,netnsid,nsfs,pns,ons,level,ouid"}},
		{"namespace-members", []string{"-namespace", "4026532300"}},
		{"namespace-positional", []string{"4026532300"}},
		{"namespace-members-columns", []string{"--namespace", "4026531836", "-o", "pid,nspid,name,command"}},
		{"pid", []string{"-pid", "302"}},
		{"pid-and-type", []string{"-t", "net", "--pid", "302"}},
		{"pid-and-namespace", []string{"-namespace", "4026532300", "-pid", "302"}},
		{"pid-no-counts", []string{"-pid", "402", "-o", "ns,type"}},
		{"json", []string{"--json"}},
		{"json-columns", []string{"-J", "-t", "pid", "-o", "ns,type,nprocs,command"}},
		{"json-members", []string{"-namespace", "4026532300", "--json"}},
		{"no-headings", []string{"--no-headings", "-o", "ns,type", "-t", "time"}},
		{"color-always", []string{"--color=always", "-t", "pid,user"}},
		{"hostile-names", []string{"-namespace", "4026531836", "-o", "pid,name,command", "--color", "always"}},
		{"error-unknown-type", []string{"-t", "bogus"}},
		{"error-bad-pid", []string{"-pid", "-5"}},
		{"error-bad-inode", []string{"-namespace", "abc"}},
		{"error-no-such-pid", []string{"-pid", "999"}},
		{"error-zombie-pid", []string{"-pid", "202"}},
		{"error-zombie-pid-no-counts", []string{"-pid", "202", "-o", "ns,type"}},
		{"error-no-such-pid-no-counts", []string{"-pid", "999", "-o", "ns,type"}},
		{"error-no-such-namespace", []string{"-namespace", "4026539999"}},
		{"error-type-and-namespace", []string{"-t", "net", "-namespace", "4026532300"}},
		{"error-unknown-column", []string{"-o", "ns,bogus"}},
		{"error-unknown-flag", []string{"--bogus"}},
		{"error-bad-color", []string{"--color=sometimes"}},
		{"error-extra-argument", []string{"4026532300", "4026532301"}},
		{"error-huge-inode", []string{"-namespace", "99999999999999999999"}},
		{"error-huge-pid", []string{"-pid", "2147483648"}},
		{"error-zero-pid", []string{"--pid=0"}},
		{"error-empty-type", []string{"-t", ""}},
		{"error-empty-column", []string{"-o", ""}},
		{"error-missing-value", []string{"-pid"}},
		{"error-proc-empty-dir", []string{"--proc", "proc/sys"}},
		{"error-proc-not-procfs", []string{"--proc", "proc/self"}},
		{"error-proc-file", []string{"--proc", "proc/uptime"}},
		{"error-proc-missing", []string{"--proc", "/nonexistent"}},
		{"lsns-raw", []string{"-r"}},
		{"lsns-raw-bundled", []string{"-nr", "-o", "ns,type,command"}},
		{"lsns-raw-escapes", []string{"-r", "-namespace", "4026531836", "-o", "pid,name,command"}},
		{"lsns-type-net", []string{"-t", "net"}},
		{"lsns-type-net-attached", []string{"-Jtnet"}},
		{"lsns-output-all", []string{"--output-all", "-r"}},
		{"lsns-output-all-plus", []string{"--output-all", "-o", "+ns", "-t", "time", "-r"}},
		{"lsns-inode", []string{"4026532300"}},
		{"lsns-inode-json", []string{"-J", "4026532300"}},
		{"lsns-inode-flag-after", []string{"4026532300", "-r"}},
		{"lsns-task", []string{"--task", "302", "-t", "pid"}},
		{"lsns-task-attached", []string{"-p302", "-t", "pid"}},
		{"lsns-persistent", []string{"-P"}},
		{"lsns-list-notruncate-nowrap", []string{"-l", "-u", "-W", "-t", "uts"}},
		{"lsns-tree-owner", []string{"--tree=owner", "-t", "net"}},
		{"lsns-tree-process", []string{"-Tprocess"}},
		{"lsns-tree-parent", []string{"--tree=parent"}},
		{"error-tree-bogus", []string{"--tree=bogus"}},
		{"error-json-raw", []string{"-Jr"}},
		{"error-persistent-task", []string{"-P", "-p", "302"}},
		{"error-list-tree", []string{"-l", "-T"}},
		{"error-inode-task", []string{"4026532300", "-p", "302"}},
		{"error-filter", []string{"-Q", "TYPE == 'net'"}},
		{"error-tree-detached-mode", []string{"--tree", "owner"}},
		{"dot", []string{"--dot"}},
		{"dot-net", []string{"--dot", "-t", "net"}},
		{"dot-user", []string{"--dot", "-t", "user"}},
		{"dot-pid", []string{"--dot", "-pid", "402"}},
		{"dot-container", []string{"--dot", "-c", "3f2c"}},
		{"error-dot-json", []string{"--dot", "--json"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := runOn(t, root, owners, tc.args...)
			got := fmt.Sprintf("$ nsview %s\n-- exit %d --\n-- stderr --\n%s-- stdout --\n%s",
				strings.Join(tc.args, " "), code, stderr, stdout)
			compareGolden(t, filepath.Join(fixture.Testdata(), "golden", tc.name+".txt"), got)
			if code != 0 && stdout != "" {
				t.Errorf("exit %d but stdout is not empty", code)
			}
			if code != 0 && strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit %d: want one line on stderr, got %q", code, stderr)
			}
		})
	}
}

func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// TestGoldenTrees draws the tree views of testdata/proc-deep: ten nested
// PID namespaces, one process with 30 children, names with control
// characters.
func TestGoldenTrees(t *testing.T) {
	root, owners := fixture.Tree(t, "proc-deep")
	t.Chdir(filepath.Dir(root))
	t.Setenv("LC_ALL", "C.UTF-8")
	for name, args := range map[string][]string{
		"deep-tree":       {"--tree"},
		"deep-tree-ascii": {"--tree", "--ascii"},
		"deep-tree-json":  {"--tree", "--json"},
		"deep-tree-pid":   {"--tree", "-pid", "207"},
		"deep-table":      {"-t", "pid", "-o", "ns,nprocs,pid,command,pns,level"},
	} {
		t.Run(name, func(t *testing.T) {
			stdout, stderr, code := runOn(t, root, owners, args...)
			got := fmt.Sprintf("$ nsview %s\n-- exit %d --\n-- stderr --\n%s-- stdout --\n%s",
				strings.Join(args, " "), code, stderr, stdout)
			compareGolden(t, filepath.Join(fixture.Testdata(), "golden", name+".txt"), got)
		})
	}
}

// TestManPage checks that docs/nsview.1 is docs/nsview.md rendered
// (`make man` rewrites it) and that the page documents every flag.
func TestManPage(t *testing.T) {
	source, err := os.ReadFile(filepath.Join("docs", "nsview.md"))
	if err != nil {
		t.Fatal(err)
	}
	compareGolden(t, filepath.Join("docs", "nsview.1"), string(md2man.Render(source)))
	for _, f := range newApp(environment{}).VisibleFlags() {
		for _, name := range f.Names() {
			dashes := "--"
			if len(name) == 1 {
				dashes = "-"
			}
			if !bytes.Contains(source, []byte("**"+dashes+name+"**")) {
				t.Errorf("docs/nsview.md does not document %s%s", dashes, name)
			}
		}
	}
}

// TestHelp checks that --help teaches the flags and the exit statuses.
func TestHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := runCLI([]string{"nsview", "--help"}, environment{stdout: &stdout, stderr: &stderr}); code != 0 || stderr.Len() != 0 {
		t.Fatalf("--help: exit %d, stderr %q", code, stderr.String())
	}
	for _, want := range []string{"-t, --type TYPE", "--namespace INODE", "-p, --pid PID", "-J, --json",
		"--proc DIR", "EXIT STATUS", "2  usage error", "1  runtime error"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("--help lacks %q", want)
		}
	}
}
