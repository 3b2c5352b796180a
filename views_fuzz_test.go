package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nsview/nsview/internal/fixture"
)

// writeFuzzedProc writes a procfs whose processes take their parents and
// namespaces from data, two bytes a process: cycles of parents, processes
// parented outside their namespace, and namespaces shared across types'
// inodes are all possible. It returns each process's PID namespace inode,
// by PID: the ground truth the views are checked against.
func writeFuzzedProc(root string, data []byte) (map[int]uint64, error) {
	types := []string{"cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"}
	pidns := make(map[int]uint64)
	for i := 0; i+1 < len(data) && i < 40; i += 2 {
		pid := i/2 + 1
		ppid := int(data[i]) % 22 // may be 0, itself, absent, or a later PID
		dir := filepath.Join(root, fmt.Sprint(pid))
		if err := os.MkdirAll(filepath.Join(dir, "ns"), 0o755); err != nil {
			return nil, err
		}
		stat := fmt.Sprintf("%d (p%d) S %d 1 1", pid, pid, ppid)
		status := fmt.Sprintf("NSpid:\t%d %d\n", pid, data[i+1]%3+1)
		for name, text := range map[string]string{"stat": stat, "status": status, "cmdline": "x\x00"} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
				return nil, err
			}
		}
		for j, t := range types {
			inode := 100 + uint64(data[i+1]>>uint(j%4))%4 + uint64(j)*10 // a few shared inodes per type
			if err := os.Symlink(fmt.Sprintf("%s:[%d]", t, inode), filepath.Join(dir, "ns", t)); err != nil {
				return nil, err
			}
			if t == "pid" {
				pidns[pid] = inode
			}
		}
	}
	return pidns, nil
}

// fuzzedNamespace is a PID namespace of writeFuzzedProc's, by inode.
const fuzzedNamespace = 140

// FuzzViews draws every view of a fuzzed procfs. None may panic or hang;
// each ends with status 0 (or 1 when the procfs holds no process, or not
// the PID or namespace asked for); JSON output is a valid document; the
// PID tree shows every process exactly once, and -namespace lists exactly
// the processes in that namespace.
func FuzzViews(f *testing.F) {
	f.Add([]byte{2, 0, 1, 1, 0, 2})
	f.Add([]byte{2, 5, 1, 5, 4, 9, 3, 9}) // parent cycles
	f.Fuzz(func(t *testing.T, data []byte) {
		root := fixture.TempDir(t)
		pidns, err := writeFuzzedProc(root, data)
		if err != nil {
			t.Fatal(err)
		}
		ns := fmt.Sprint(fuzzedNamespace)
		for _, args := range [][]string{
			{}, {"--json"}, {"--tree"}, {"--tree", "--json"}, {"--tree", "-t", "user"},
			{"--tree", "-t", "net", "--json"}, {"--tree", "-pid", "1"}, {"-o", "+pns,ons,level"},
			{"--tree", "-namespace", ns}, {"--tree", "-namespace", ns, "--json"},
			{"-namespace", ns, "--json"},
		} {
			var out strings.Builder
			code := runCLI(append([]string{"nsview", "--proc", root, "--ascii"}, args...), environment{stdout: &out, stderr: io.Discard})
			if code == 2 || (code == 1 && len(pidns) > 0 && !isNamespaceOrPIDQuery(args)) {
				t.Fatalf("nsview %v on %x: exit %d", args, data, code)
			}
			if code == 0 && slices.Contains(args, "--json") && !json.Valid([]byte(out.String())) {
				t.Fatalf("nsview %v on %x: invalid JSON:\n%s", args, data, out.String())
			}
			if code == 0 && slices.Equal(args, []string{"--tree", "--json"}) {
				checkTreeShowsEachOnce(t, out.String(), pidns)
			}
			if slices.Equal(args, []string{"-namespace", ns, "--json"}) {
				checkMembers(t, code, out.String(), pidns)
			}
		}
	})
}

// checkTreeShowsEachOnce checks that the PID tree in JSON shows each
// process of pidns once, and no other.
func checkTreeShowsEachOnce(t *testing.T, out string, pidns map[int]uint64) {
	t.Helper()
	var doc struct{ Namespaces []treeNS }
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("--tree --json: %v", err)
	}
	shown := make(map[int]int)
	var walkProcs func([]treeProc)
	walkProcs = func(procs []treeProc) {
		for _, p := range procs {
			shown[p.PID]++
			walkProcs(p.Children)
		}
	}
	var walkNS func([]treeNS)
	walkNS = func(list []treeNS) {
		for _, ns := range list {
			walkProcs(ns.Processes)
			walkNS(ns.Children)
		}
	}
	walkNS(doc.Namespaces)
	for pid := range pidns {
		if shown[pid] != 1 {
			t.Errorf("--tree --json shows process %d %d times:\n%s", pid, shown[pid], out)
		}
	}
	for pid := range shown {
		if _, ok := pidns[pid]; !ok {
			t.Errorf("--tree --json shows process %d, which does not exist:\n%s", pid, out)
		}
	}
}

// checkMembers checks the output of -namespace 140 --json: the processes
// of pidns in namespace 140, each once, or exit status 1 when there are none.
func checkMembers(t *testing.T, code int, out string, pidns map[int]uint64) {
	t.Helper()
	var want []int
	for pid, inode := range pidns {
		if inode == fuzzedNamespace {
			want = append(want, pid)
		}
	}
	slices.Sort(want)
	if len(want) == 0 {
		if code != 1 {
			t.Errorf("-namespace %d: exit %d for a namespace no process is in", fuzzedNamespace, code)
		}
		return
	}
	var doc struct {
		Namespaces []struct {
			NS        uint64
			Processes []struct{ PID int }
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Namespaces) != 1 || doc.Namespaces[0].NS != fuzzedNamespace {
		t.Fatalf("-namespace %d --json: exit %d, err %v:\n%s", fuzzedNamespace, code, err, out)
	}
	var got []int
	for _, p := range doc.Namespaces[0].Processes {
		got = append(got, p.PID)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("-namespace %d --json lists processes %v, want %v", fuzzedNamespace, got, want)
	}
}

// isNamespaceOrPIDQuery reports whether args name a namespace or PID that
// a fuzzed procfs may lack, so that exit status 1 is a right answer.
func isNamespaceOrPIDQuery(args []string) bool {
	return slices.Contains(args, "-pid") || slices.Contains(args, "-namespace")
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
