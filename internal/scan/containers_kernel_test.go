package scan

import (
	"fmt"
	"strings"
	"testing"

	"github.com/nsview/nsview/internal/kerneltest"
)

// TestKernelNamespaceContainers places the processes of network
// namespaces in Docker-shaped cgroups of every hierarchy and checks which
// container each namespace is attributed: the one all its processes run
// in, or none. Both ways of reading are checked: every process's cgroup
// file (as -c and member lists need), and only those of processes outside
// the initial namespaces (NamespaceContainersOnly, the default table's).
func TestKernelNamespaceContainers(t *testing.T) {
	kerneltest.RequireRoot(t)
	cg := kerneltest.NewCgroups(t)
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
		cg.Move(t, creator.PID, c.places[0])
		for _, place := range c.places[1:] {
			member := kerneltest.Start(t, "nsenter", fmt.Sprintf("--net=/proc/%d/ns/net", creator.PID), "sh", "-c", "echo ready && exec sleep 1000")
			cg.Move(t, member.PID, place)
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
