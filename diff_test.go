package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nsview/nsview/internal/fixture"
)

// changeFixture turns the fixture procfs ./proc into a later moment of the
// same host: the nginx worker 302 and the daemon 500 (alone in its time
// namespace) exited, and a process 600 started in nginx's PID namespace
// with a network namespace of its own. It returns the owners of the new
// moment.
func changeFixture(t *testing.T, owners map[int]uint32) map[int]uint32 {
	t.Helper()
	for _, pid := range []string{"302", "500"} {
		if err := os.RemoveAll(filepath.Join("proc", pid)); err != nil {
			t.Fatal(err)
		}
	}
	if err := fixture.Copy(filepath.Join(fixture.Testdata(), "proc", "302"), filepath.Join("proc", "600")); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"stat":    "600 (sleep) S 301 600 600 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 4200 1000 10 0\n",
		"status":  "Name:\tsleep\nState:\tS\nPid:\t600\nPPid:\t301\nNSpid:\t600 3\n",
		"cmdline": "sleep\x001000\x00",
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join("proc", "600", name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	net := filepath.Join("proc", "600", "ns", "net")
	if err := os.Remove(net); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("net:[4026532999]", net); err != nil {
		t.Fatal(err)
	}
	later := map[int]uint32{600: 0}
	for pid, uid := range owners {
		later[pid] = uid
	}
	return later
}

// TestDiffGolden compares snapshots of two moments of the fixture with
// nsview diff, as text and JSON, and checks that a snapshot compared with
// itself prints nothing.
func TestDiffGolden(t *testing.T) {
	root, owners := fixture.Proc(t)
	t.Chdir(filepath.Dir(root))
	before := writeFile(t, "before.json", takeSnapshot(t, owners))
	after := writeFile(t, "after.json", takeSnapshot(t, changeFixture(t, owners)))
	for name, args := range map[string][]string{
		"diff":           {"diff", before, after},
		"diff-json":      {"diff", "--json", before, after},
		"diff-reversed":  {"diff", after, before},
		"diff-same":      {"diff", before, before},
		"diff-same-json": {"diff", "--json", before, before},
	} {
		t.Run(name, func(t *testing.T) {
			stdout, stderr, code := runArgs(nil, args...)
			shown := strings.NewReplacer(before, "before.json", after, "after.json").Replace(strings.Join(args, " "))
			got := fmt.Sprintf("$ nsview %s\n-- exit %d --\n-- stderr --\n%s-- stdout --\n%s", shown, code, stderr, stdout)
			compareGolden(t, filepath.Join(fixture.Testdata(), "snapshot", name+".txt"), got)
			if strings.HasSuffix(name, "json") && !json.Valid([]byte(stdout)) {
				t.Errorf("not valid JSON: %s", stdout)
			}
		})
	}
}

// TestDiffUsage checks the usage errors: exit 2 and one line.
func TestDiffUsage(t *testing.T) {
	for _, args := range [][]string{{"diff"}, {"diff", "a"}, {"diff", "a", "b", "c"}, {"diff", "--bogus", "a", "b"}} {
		stdout, stderr, code := runArgs(nil, args...)
		if code != exitUsage || stdout != "" || strings.Count(stderr, "\n") != 1 {
			t.Errorf("nsview %v: exit %d, stdout %q, stderr %q; want exit 2 and one line", args, code, stdout, stderr)
		}
	}
}
