package scan

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nsview/nsview/internal/fixture"
)

// writeContainedProc writes a process of a procfs tree under root with
// writeProc, and its cgroup file: its namespaces are the kernel's fixed
// initial ones but where own names another.
func writeContainedProc(t *testing.T, root string, pid int, cgroup string, own map[Type]uint64) {
	t.Helper()
	links := make(map[string]string)
	for _, typ := range AllTypes {
		inode := initialInodes[typ]
		if o, ok := own[typ]; ok {
			inode = o
		}
		links[typ.String()] = fmt.Sprintf("%s:[%d]", typ, inode)
	}
	if err := writeProc(root, pid, string(statLine(pid, "sleep", 'S', 1, 7)), links); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, fmt.Sprint(pid), "cgroup"), []byte(cgroup), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestNamespaceContainersOnly checks what NamespaceContainersOnly leaves
// out: process 10, in the initial namespaces alone, keeps no container,
// although its cgroup names one, while process 20 beside it, in a network
// namespace of its own, has its container, and so has that namespace, as
// when every process is read.
func TestNamespaceContainersOnly(t *testing.T) {
	root := t.TempDir()
	id := strings.Repeat("c0", 32)
	const netns = 4026532999
	writeContainedProc(t, root, 10, "0::/docker/"+id+"\n", nil)
	writeContainedProc(t, root, 20, "0::/docker/"+id+"\n", map[Type]uint64{Net: netns})
	for _, only := range []bool{false, true} {
		idx, err := Scan(Options{Root: root, Containers: true, NamespaceContainersOnly: only})
		if err != nil {
			t.Fatal(err)
		}
		if c := idx.Processes[10].Container; (c == nil) != only {
			t.Errorf("namespaces only %v: process 10 in container %v", only, c)
		}
		if c := idx.Processes[20].Container; c == nil || c.ID != id {
			t.Errorf("namespaces only %v: process 20 in container %v, want %s", only, c, id)
		}
		if ns := idx.Lookup(Net, netns); ns == nil || ns.Container == nil || ns.Container.ID != id {
			t.Errorf("namespaces only %v: net namespace %d = %+v, want container %s", only, netns, ns, id)
		}
		if ns := idx.Lookup(Net, initialInodes[Net]); ns == nil || !ns.Initial || ns.Container != nil {
			t.Errorf("namespaces only %v: initial net namespace = %+v, want it initial and unattributed", only, ns)
		}
	}
}

// TestDockerdCmdlines checks which command lines a scan hands the
// resolver: those of the processes named dockerd, read or not (process 40
// has no namespace links, but its comm says dockerd), in PID order. With
// LeaderStats, processes 30 and 35 lead no namespace (20 does), so their
// stat is not read: 30's comm tells, and 35, with one thread, cannot be
// dockerd, a Go program.
func TestDockerdCmdlines(t *testing.T) {
	root := t.TempDir()
	write := func(pid int, name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(root, fmt.Sprint(pid), name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeContainedProc(t, root, 20, "0::/\n", nil)
	writeContainedProc(t, root, 30, "0::/\n", nil)
	write(30, "stat", string(statLine(30, "dockerd", 'S', 1, 7)))
	write(30, "comm", "dockerd\n")
	write(30, "cmdline", "dockerd\x00--data-root\x00/b\x00")
	must(t, fixture.AddThread(root, 30, 31, nil))
	writeContainedProc(t, root, 35, "0::/\n", nil)
	write(35, "comm", "dockerd\n")
	write(35, "cmdline", "dockerd\x00--data-root\x00/c\x00")
	must(t, os.MkdirAll(filepath.Join(root, "35", "task", "35"), 0o755))
	if err := writeProc(root, 40, string(statLine(40, "dockerd", 'S', 1, 7)), nil); err != nil {
		t.Fatal(err)
	}
	write(40, "comm", "dockerd\n")
	write(40, "cmdline", "dockerd\x00--data-root\x00/a\x00")
	for _, leaderStats := range []bool{false, true} {
		idx, err := Scan(Options{Root: root, LeaderStats: leaderStats, Workers: 1}) // 20 read before 30
		if err != nil {
			t.Fatal(err)
		}
		if _, read := idx.Processes[40]; read {
			t.Fatal("process 40 without namespace links was read")
		}
		if idx.Processes[30].statless != leaderStats {
			t.Fatalf("LeaderStats %v: process 30 read as %+v", leaderStats, idx.Processes[30])
		}
		got := idx.dockerdCmdlines()
		want := []string{"dockerd\x00--data-root\x00/b\x00", "dockerd\x00--data-root\x00/a\x00"}
		if len(got) != len(want) || string(got[0]) != want[0] || string(got[1]) != want[1] {
			t.Errorf("LeaderStats %v: dockerdCmdlines() = %q, want %q", leaderStats, got, want)
		}
	}
}
