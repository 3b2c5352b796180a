package scan

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nsview/nsview/internal/kerneltest"
)

// cgroupHierarchies lists the mounted cgroup hierarchies to place test
// processes in, found as bench/population.sh finds them: /sys/fs/cgroup
// when it is cgroup2, else each hierarchy below it but memory and cpuset
// (which may limit the machine, or want cpus and mems set first).
func cgroupHierarchies(t *testing.T) []string {
	t.Helper()
	var fs unix.Statfs_t
	if err := unix.Statfs("/sys/fs/cgroup", &fs); err != nil {
		kerneltest.Require(t, "no /sys/fs/cgroup: "+err.Error())
	}
	if fs.Type == unix.CGROUP2_SUPER_MAGIC {
		return []string{"/sys/fs/cgroup"}
	}
	entries, _ := os.ReadDir("/sys/fs/cgroup")
	var hierarchies []string
	for _, e := range entries {
		dir := filepath.Join("/sys/fs/cgroup", e.Name())
		if !e.IsDir() || e.Name() == "memory" || e.Name() == "cpuset" {
			continue
		}
		if unix.Statfs(dir, &fs) == nil && (fs.Type == unix.CGROUP_SUPER_MAGIC || fs.Type == unix.CGROUP2_SUPER_MAGIC) {
			hierarchies = append(hierarchies, dir)
		}
	}
	if len(hierarchies) == 0 {
		kerneltest.Require(t, "no cgroup hierarchy mounted")
	}
	return hierarchies
}

// testCgroups makes cgroups below a test's own top cgroup in every
// hierarchy, moves processes into them, and removes them, deepest first,
// when the test ends (after its processes, which end first).
type testCgroups struct {
	t           *testing.T
	hierarchies []string
	top         string
	made        []string
}

func newTestCgroups(t *testing.T) *testCgroups {
	cg := &testCgroups{t: t, hierarchies: cgroupHierarchies(t), top: fmt.Sprintf("/nsview-test-%d", os.Getpid())}
	t.Cleanup(cg.remove)
	return cg
}

// move puts pid in the cgroup top+rel of every hierarchy, making the
// cgroups it lacks.
func (cg *testCgroups) move(pid int, rel string) {
	cg.t.Helper()
	for _, h := range cg.hierarchies {
		dir := h
		for _, part := range strings.Split(strings.Trim(cg.top+rel, "/"), "/") {
			dir += "/" + part
			if err := os.Mkdir(dir, 0o755); err == nil {
				cg.made = append(cg.made, dir)
			} else if !os.IsExist(err) {
				cg.t.Fatal(err)
			}
		}
		if err := os.WriteFile(dir+"/cgroup.procs", []byte(fmt.Sprint(pid)), 0o644); err != nil {
			cg.t.Fatalf("moving %d to %s: %v", pid, dir, err)
		}
	}
}

// remove removes the cgroups made, deepest first, once their killed
// processes are gone.
func (cg *testCgroups) remove() {
	for i := len(cg.made) - 1; i >= 0; i-- {
		for tries := 0; ; tries++ {
			err := os.Remove(cg.made[i])
			if err == nil || os.IsNotExist(err) {
				break
			}
			if tries == 100 {
				cg.t.Errorf("cannot remove cgroup %s: %v", cg.made[i], err)
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// TestKernelNamespaceContainers places the processes of network
// namespaces in Docker-shaped cgroups of every hierarchy and checks which
// container each namespace is attributed: the one all its processes run
// in, or none. Both ways of reading are checked: every process's cgroup
// file (as -c and member lists need), and only those of processes outside
// the initial namespaces (NamespaceContainersOnly, the default table's).
func TestKernelNamespaceContainers(t *testing.T) {
	kerneltest.RequireRoot(t)
	cg := newTestCgroups(t)
	id := func(n int) string { return strings.Repeat(fmt.Sprintf("%02x", n), 32) }
	cases := []struct {
		name   string
		places []string // the cgroup of the namespace's creator, then of each process joining it
		want   string   // the namespace's container ID; "" for none
	}{
		{"one container", []string{"/docker/" + id(1), "/docker/" + id(1), "/docker/" + id(1)}, id(1)},
		{"two containers", []string{"/docker/" + id(2), "/docker/" + id(2), "/docker/" + id(3)}, ""},
		{"a container nested in it", []string{"/docker/" + id(4), "/docker/" + id(4) + "/docker/" + id(5)}, ""},
		{"a child cgroup of its own", []string{"/docker/" + id(6), "/docker/" + id(6) + "/sub"}, id(6)},
		{"the first in none", []string{"/", "/docker/" + id(7)}, ""},
	}
	inodes := make([]uint64, len(cases))
	for i, c := range cases {
		creator, inode := startNetns(t)
		inodes[i] = inode
		cg.move(creator.PID, c.places[0])
		for _, place := range c.places[1:] {
			member := kerneltest.Start(t, "nsenter", fmt.Sprintf("--net=/proc/%d/ns/net", creator.PID), "sh", "-c", "echo ready && exec sleep 1000")
			cg.move(member.PID, place)
		}
	}
	for _, only := range []bool{true, false} {
		idx, err := Scan(Options{Containers: true, NamespaceContainersOnly: only})
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range cases {
			ns := idx.Lookup(Net, inodes[i])
			if ns == nil || len(ns.Procs) != len(c.places) {
				t.Fatalf("%s: namespace %d = %+v, want %d processes", c.name, inodes[i], ns, len(c.places))
			}
			got := ""
			if ns.Container != nil {
				got = ns.Container.ID
			}
			if got != c.want {
				t.Errorf("%s (namespaces only: %v): container %q, want %q", c.name, only, got, c.want)
			}
		}
	}
}
