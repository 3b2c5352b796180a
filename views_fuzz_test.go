package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nsview/nsview/internal/fixture"
)

// writeFuzzedProc writes a procfs whose processes take their parents and
// namespaces from data, two bytes a process: cycles of parents, processes
// parented outside their namespace, and namespaces shared across types'
// inodes are all possible.
func writeFuzzedProc(root string, data []byte) error {
	types := []string{"cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"}
	for i := 0; i+1 < len(data) && i < 40; i += 2 {
		pid := i/2 + 1
		ppid := int(data[i]) % 22 // may be 0, itself, absent, or a later PID
		dir := filepath.Join(root, fmt.Sprint(pid))
		if err := os.MkdirAll(filepath.Join(dir, "ns"), 0o755); err != nil {
			return err
		}
		stat := fmt.Sprintf("%d (p%d) S %d 1 1", pid, pid, ppid)
		status := fmt.Sprintf("NSpid:\t%d %d\n", pid, data[i+1]%3+1)
		for name, text := range map[string]string{"stat": stat, "status": status, "cmdline": "x\x00"} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
				return err
			}
		}
		for j, t := range types {
			inode := 100 + uint64(data[i+1]>>uint(j%4))%4 // a few shared inodes per type
			if err := os.Symlink(fmt.Sprintf("%s:[%d]", t, inode+uint64(j)*10), filepath.Join(dir, "ns", t)); err != nil {
				return err
			}
		}
	}
	return nil
}

// FuzzViews draws every view of a fuzzed procfs: none may panic or hang,
// and each ends with status 0 (or 1 when the procfs holds no process).
func FuzzViews(f *testing.F) {
	f.Add([]byte{2, 0, 1, 1, 0, 2})
	f.Add([]byte{2, 5, 1, 5, 4, 9, 3, 9}) // parent cycles
	f.Fuzz(func(t *testing.T, data []byte) {
		root := fixture.TempDir(t)
		if err := writeFuzzedProc(root, data); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{
			{}, {"--json"}, {"--tree"}, {"--tree", "--json"}, {"--tree", "-t", "user"},
			{"--tree", "-t", "net", "--json"}, {"--tree", "-pid", "1"}, {"-o", "+pns,ons,level"},
			{"--tree", "-namespace", "140"}, {"--tree", "-namespace", "140", "--json"},
		} {
			code := runCLI(append([]string{"nsview", "--proc", root, "--ascii"}, args...), environment{stdout: io.Discard, stderr: io.Discard})
			if code == 2 || (code == 1 && len(data) >= 2 && !isNamespaceOrPIDQuery(args)) {
				t.Fatalf("nsview %v on %x: exit %d", args, data, code)
			}
		}
	})
}

// isNamespaceOrPIDQuery reports whether args name a namespace or PID that
// a fuzzed procfs may lack, so that exit status 1 is a right answer.
func isNamespaceOrPIDQuery(args []string) bool {
	for _, a := range args {
		if a == "-pid" || a == "-namespace" {
			return true
		}
	}
	return false
}

// TestTreeCycles: a procfs read across PID reuse can show parent cycles,
// of processes and, through them, of namespaces. The tree must still show
// every process once, and end.
func TestTreeCycles(t *testing.T) {
	root := fixture.TempDir(t)
	// 1 is init; 2 and 3 are each other's parents (same namespaces); 4 in
	// pid namespace 900 and user namespace 700 has parent 5, and 5 in 901
	// and 701 has parent 4, so each namespace's parent is the other.
	procs := []struct {
		pid, ppid     int
		pidns, userns uint64
	}{{1, 0, 800, 600}, {2, 3, 800, 600}, {3, 2, 800, 600}, {4, 5, 900, 700}, {5, 4, 901, 701}}
	for _, p := range procs {
		dir := filepath.Join(root, fmt.Sprint(p.pid))
		os.MkdirAll(filepath.Join(dir, "ns"), 0o755)
		os.WriteFile(filepath.Join(dir, "stat"), []byte(fmt.Sprintf("%d (p%d) S %d", p.pid, p.pid, p.ppid)), 0o644)
		os.Symlink(fmt.Sprintf("pid:[%d]", p.pidns), filepath.Join(dir, "ns", "pid"))
		os.Symlink(fmt.Sprintf("user:[%d]", p.userns), filepath.Join(dir, "ns", "user"))
	}
	for _, args := range [][]string{{"--tree"}, {"--tree", "--json"}} {
		var out strings.Builder
		if code := runCLI(append([]string{"nsview", "--proc", root, "--ascii"}, args...), environment{stdout: &out, stderr: io.Discard}); code != 0 {
			t.Fatalf("%v: exit %d", args, code)
		}
		for _, p := range procs {
			want := fmt.Sprintf("- %d p%d", p.pid, p.pid)
			if args[len(args)-1] == "--json" {
				want = fmt.Sprintf(`"name": "p%d",`, p.pid)
			}
			if n := strings.Count(out.String(), want); n != 1 {
				t.Errorf("%v: process %d shown %d times:\n%s", args, p.pid, n, out.String())
			}
		}
	}
	var out strings.Builder
	if code := runCLI([]string{"nsview", "--proc", root, "--tree", "-t", "user"}, environment{stdout: &out, stderr: io.Discard}); code != 0 {
		t.Fatalf("--tree -t user: exit %d", code)
	}
	for _, ns := range []string{"user:[600]", "user:[700]", "user:[701]", "pid:[900]", "pid:[901]"} {
		if n := strings.Count(out.String(), ns); n != 1 {
			t.Errorf("--tree -t user shows %s %d times:\n%s", ns, n, out.String())
		}
	}
}
