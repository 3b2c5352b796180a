package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nsview/nsview/internal/fixture"
)

// dotPlain lays out a DOT graph with Graphviz, failing the test on any
// error or warning, and returns its plain output: "node NAME ..." and
// "edge TAIL HEAD ... STYLE COLOR" lines, Graphviz's reading of the graph.
func dotPlain(t *testing.T, dot, graph string) string {
	t.Helper()
	for _, format := range []string{"-Tsvg", "-Tplain"} {
		cmd := exec.Command(dot, format)
		cmd.Stdin = strings.NewReader(graph)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil || stderr.Len() > 0 {
			t.Fatalf("dot %s: %v: %s\n%s", format, err, stderr.String(), graph)
		}
		if format == "-Tplain" {
			return stdout.String()
		}
	}
	return ""
}

// TestDotValid checks that every --dot view of the fixtures is a graph
// Graphviz draws without a warning.
func TestDotValid(t *testing.T) {
	dot := requireTool(t, "dot")
	for tree, pid := range map[string]string{"proc": "402", "proc-deep": "207"} {
		t.Run(tree, func(t *testing.T) {
			root, owners := fixture.Tree(t, tree)
			t.Chdir(filepath.Dir(root))
			for _, args := range [][]string{{"--dot"}, {"--dot", "-t", "net,uts"}, {"--dot", "-t", "user"}, {"--dot", "-p", pid}} {
				stdout, stderr, code := runOn(t, root, owners, args...)
				if code != 0 {
					t.Fatalf("%v: exit %d: %s", args, code, stderr)
				}
				if plain := dotPlain(t, dot, stdout); !strings.Contains(plain, "\nnode ") {
					t.Errorf("%v: Graphviz sees no node:\n%s", args, plain)
				}
			}
		})
	}
}

// TestKernelDot draws real nested namespaces and checks, against the
// inodes stat(2) gives, every edge Graphviz reads from the graph: the
// PID namespaces host -> L1 -> L2 and the user namespaces host -> U1
// (solid), and U1 owning L1 and L2 (dashed).
func TestKernelDot(t *testing.T) {
	dot := requireTool(t, "dot")
	sb := startNested(t)
	self := os.Getpid()
	hostPID, hostUser := nsInode(t, self, "pid"), nsInode(t, self, "user")
	l1, l2, u1 := nsInode(t, sb.l1Init, "pid"), nsInode(t, sb.l2Init, "pid"), nsInode(t, sb.l1Init, "user")
	plain := dotPlain(t, dot, nsview(t, "--dot", "-p", fmt.Sprint(sb.l2Child)))
	want := []string{
		fmt.Sprintf("edge pid_%d pid_%d solid", hostPID, l1),
		fmt.Sprintf("edge pid_%d pid_%d solid", l1, l2),
		fmt.Sprintf("edge user_%d user_%d solid", hostUser, u1),
		fmt.Sprintf("edge user_%d pid_%d dashed", u1, l1),
		fmt.Sprintf("edge user_%d pid_%d dashed", u1, l2),
		fmt.Sprintf("edge user_%d pid_%d dashed", hostUser, hostPID),
	}
	var got []string
	for _, line := range strings.Split(plain, "\n") {
		// edge TAIL HEAD N x1 y1 ... xN yN STYLE COLOR
		if f := strings.Fields(line); len(f) > 4 && f[0] == "edge" {
			got = append(got, strings.Join([]string{f[0], f[1], f[2], f[len(f)-2]}, " "))
		}
	}
	for _, w := range want {
		if !containsLine(strings.Join(got, "\n"), w) {
			t.Errorf("graph lacks %q; Graphviz read these edges:\n%s", w, strings.Join(got, "\n"))
		}
	}
	if len(got) != len(want) {
		t.Errorf("want %d edges, Graphviz read %d:\n%s", len(want), len(got), strings.Join(got, "\n"))
	}
	if label := fmt.Sprintf("(%d) sleep 1001", sb.l2Init); !strings.Contains(plain, label) {
		t.Errorf("no node is labelled with L2's leader %q:\n%s", label, plain)
	}
}
