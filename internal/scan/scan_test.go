package scan

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/nsview/nsview/internal/fixture"
)

func TestScanFixture(t *testing.T) {
	root, owners := fixture.Proc(t)
	idx, err := Scan(Options{Root: root, Owners: owners, Hierarchy: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(idx.Processes); got != 14 {
		t.Errorf("read %d processes, want 14 (15 less the zombie)", got)
	}
	if idx.Skipped != (Skipped{Gone: 1}) || !errors.Is(idx.Unreadable[202], ErrGone) {
		t.Errorf("skipped = %+v, unreadable = %v; want the zombie 202 gone", idx.Skipped, idx.Unreadable)
	}
	if p := idx.Processes[203]; p == nil || p.Comm != "x) (y\nz" || p.PPID != 200 {
		t.Errorf("process 203 = %+v, want comm %q and PPID 200", p, "x) (y\nz")
	}
	checks := []struct {
		typ     Type
		inode   uint64
		members []int
		parent  uint64
		level   int
	}{
		{PID, 4026531836, []int{1, 2, 20, 100, 200, 201, 203, 300, 400, 500}, 0, 0},
		{PID, 4026532300, []int{301, 302}, 4026531836, 1},
		{PID, 4026532401, []int{401}, 4026531836, 1},
		{PID, 4026532407, []int{402}, 4026532401, 2},
		{User, 4026532400, []int{401, 402}, 4026531837, 1},
		{Time, 4026532500, []int{500}, 0, -1},
	}
	for _, c := range checks {
		ns := idx.Lookup(c.typ, c.inode)
		if ns == nil {
			t.Errorf("%s namespace %d missing", c.typ, c.inode)
			continue
		}
		var pids []int
		for _, p := range ns.Procs {
			pids = append(pids, p.PID)
		}
		if !slices.Equal(pids, c.members) || ns.Parent != c.parent || ns.Level != c.level {
			t.Errorf("%s %d: members %v parent %d level %d; want %v, %d, %d",
				c.typ, c.inode, pids, ns.Parent, ns.Level, c.members, c.parent, c.level)
		}
	}
	if !idx.Partial {
		t.Error("a fixture has no ioctl_ns answers: the hierarchy must be marked partial")
	}
	// Without ioctl_ns, a namespace's owner is its lowest PID's user
	// namespace: PID 1's, whatever order the directory lists PIDs in.
	if owner := idx.Lookup(Time, 4026531834).Owner; owner != 4026531837 {
		t.Errorf("the host time namespace is owned by %d, want PID 1's user namespace 4026531837", owner)
	}
	if !slices.IsSortedFunc(idx.Namespaces, func(a, b *Namespace) int {
		return cmp.Compare(a.Inode, b.Inode)
	}) {
		t.Error("namespaces are not sorted by inode")
	}
}

func TestDescribe(t *testing.T) {
	root, owners := fixture.Proc(t)
	idx, err := Scan(Options{Root: root, Owners: owners})
	if err != nil {
		t.Fatal(err)
	}
	p := idx.Processes[402]
	idx.Describe([]*Process{p}, Details{Cmdline: true, Cgroup: true, NSpid: true})
	if !slices.Equal(p.NSpid, []int{402, 2, 1}) || p.Cmdline != "sleep infinity" ||
		p.Cgroup != "/user.slice/user-424242.slice" {
		t.Errorf("described 402 = %+v", p)
	}
	if kthread := idx.Processes[2]; kthread.Command() != "kthreadd" {
		t.Errorf("a kernel thread's command is its name, got %q", kthread.Command())
	}
}

func TestScanOnlyPID(t *testing.T) {
	root, _ := fixture.Proc(t)
	idx, err := Scan(Options{Root: root, OnlyPID: 302})
	if err != nil || len(idx.Processes) != 1 || idx.Processes[302].NS[Net] != 4026532301 {
		t.Fatalf("Scan(OnlyPID 302) = %v, %v", idx, err)
	}
	// A missing or unreadable PID is recorded, not an error: filter words it.
	idx, err = Scan(Options{Root: root, OnlyPID: 999})
	if err != nil || !errors.Is(idx.Unreadable[999], ErrNoProcess) {
		t.Errorf("missing PID: %v, unreadable %v; want it recorded as ErrNoProcess", err, idx.Unreadable)
	}
	idx, err = Scan(Options{Root: root, OnlyPID: 202})
	if err != nil || !errors.Is(idx.Unreadable[202], ErrGone) || errors.Is(idx.Unreadable[202], ErrNoProcess) {
		t.Errorf("zombie PID: %v, unreadable %v; want ErrGone, not ErrNoProcess", err, idx.Unreadable)
	}
}

func TestScanBadRoots(t *testing.T) {
	garbage := t.TempDir()
	os.MkdirAll(filepath.Join(garbage, "12", "ns"), 0o755)
	os.WriteFile(filepath.Join(garbage, "12", "stat"), []byte("nonsense"), 0o644)
	for name, root := range map[string]string{
		"missing": filepath.Join(t.TempDir(), "nope"),
		"empty":   t.TempDir(),
		"garbage": garbage,
		"file":    filepath.Join(fixture.Testdata(), "proc-owners"),
	} {
		if idx, err := Scan(Options{Root: root}); err == nil {
			t.Errorf("%s root: got an index of %d processes, want an error", name, len(idx.Processes))
		}
	}
}

// writeProc writes a minimal /proc/PID into root.
func writeProc(root string, pid int, stat string, links map[string]string) error {
	dir := filepath.Join(root, fmt.Sprint(pid))
	if err := os.MkdirAll(filepath.Join(dir, "ns"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "stat"), []byte(stat), 0o644); err != nil {
		return err
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(dir, "ns", name)); err != nil {
			return err
		}
	}
	return nil
}

// FuzzScan scans a generated procfs with one well-formed process and one
// whose stat and net link are fuzzed. The scan must not fail or panic,
// every process is either read or skipped, and no namespace is indexed
// twice or counts a process twice.
func FuzzScan(f *testing.F) {
	f.Add([]byte("2 (x) S 1 2 2"), "net:[4026531840]", "pid:[4026531836]")
	f.Add([]byte("2 (a) (b\n) Z 1"), "net:[12]", "net:[4026531836]")
	f.Add([]byte("garbage"), "", "pid:[0]")
	f.Fuzz(func(t *testing.T, stat []byte, netLink, pidLink string) {
		root := fixture.TempDir(t)
		good := map[string]string{"net": "net:[4026531840]", "pid": "pid:[4026531836]"}
		if err := writeProc(root, 1, "1 (init) S 0 1 1", good); err != nil {
			t.Fatal(err)
		}
		if err := writeProc(root, 2, string(stat), map[string]string{"net": netLink, "pid": pidLink}); err != nil {
			t.Skip("not a valid file name or link target:", err)
		}
		idx, err := Scan(Options{Root: root, Hierarchy: true})
		if err != nil {
			t.Fatalf("Scan failed though process 1 is readable: %v", err)
		}
		if len(idx.Processes)+idx.Skipped.Total() != 2 {
			t.Errorf("%d read + %+v skipped, want 2 in all", len(idx.Processes), idx.Skipped)
		}
		seen := map[Key]bool{}
		for _, ns := range idx.Namespaces {
			k := ns.Key()
			if seen[k] {
				t.Errorf("namespace %v indexed twice", k)
			}
			seen[k] = true
			if len(ns.Procs) > len(idx.Processes) || slices.ContainsFunc(ns.Procs, func(p *Process) bool {
				return p.NS[ns.Type] != ns.Inode
			}) {
				t.Errorf("namespace %v has wrong members", k)
			}
		}
	})
}

// TestDescribeDuplicates describes a leader listed once per namespace, as
// the namespace table does; under -race this caught concurrent writes.
func TestDescribeDuplicates(t *testing.T) {
	root, owners := fixture.Proc(t)
	idx, err := Scan(Options{Root: root, Owners: owners})
	if err != nil {
		t.Fatal(err)
	}
	p := idx.Processes[401]
	idx.Describe([]*Process{p, p, p, idx.Processes[402], p}, Details{Cmdline: true, NSpid: true})
	if p.Cmdline != "sh" || !slices.Equal(p.NSpid, []int{401, 1}) {
		t.Errorf("described 401 = %+v", p)
	}
}

// TestScanNSLinks reads namespace links through readNSLink as each caller
// means them: a process's absent link is a type the kernel lacks, a
// thread's is a thread that exited, and a link of another type or not
// TYPE:[INODE] is malformed, for a process (skipped) or a thread (a miss).
func TestScanNSLinks(t *testing.T) {
	root := fixture.TempDir(t)
	good := map[string]string{"net": "net:[4026531840]", "pid": "pid:[4026531836]"}
	stat := func(pid, threads int) string {
		return string(formatStat(procStat{Stat: Stat{pid, "x", 'S', 0}, Threads: threads, StartTime: 1}))
	}
	must(t, writeProc(root, 1, stat(1, 3), good))
	must(t, writeProc(root, 2, stat(2, 1), map[string]string{"net": "pid:[4026531836]"}))
	must(t, writeProc(root, 3, stat(3, 1), map[string]string{"net": "net:[x]"}))
	for tid, net := range map[string]string{"7": "uts:[9]", "8": ""} {
		dir := filepath.Join(root, "1", "task", tid, "ns")
		must(t, os.MkdirAll(dir, 0o755))
		if net != "" {
			must(t, os.Symlink(net, filepath.Join(dir, "net")))
		}
	}
	idx, err := Scan(Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	if p := idx.Processes[1]; p == nil || p.NS[Net] != 4026531840 || p.NS[UTS] != 0 {
		t.Errorf("process 1 = %+v, want net 4026531840 and no uts namespace", p)
	}
	for _, pid := range []int{2, 3} {
		if err := idx.Unreadable[pid]; !errors.Is(err, ErrMalformed) {
			t.Errorf("process %d: %v, want ErrMalformed", pid, err)
		}
	}
	if len(idx.Misses) != 1 || idx.Misses[0].Holder != HeldByThread || !errors.Is(idx.Misses[0].Err, ErrMalformed) {
		t.Errorf("misses = %v, want thread 7's malformed link alone (thread 8 exited)", idx.Misses)
	}
}
