package scan

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/nsview/nsview/internal/fixture"
)

func TestHoldersNames(t *testing.T) {
	all := HeldByProcess | HeldByThread | HeldByBindMount | HeldByFD | HeldBySocket | HeldAsParent | HeldAsOwner
	if got := all.String(); got != "process,thread,bind-mount,fd,socket,parent,owner" {
		t.Errorf("all holders = %q", got)
	}
	if got := (HeldAsOwner | HeldByBindMount).Names(); !slices.Equal(got, []string{"bind-mount", "owner"}) {
		t.Errorf("Names = %q, want the constants' order", got)
	}
	if Holders(0).String() != "" || Holders(0).Names() != nil {
		t.Error("no holder must name nothing")
	}
	if !all.Has(HeldByFD) || HeldByProcess.Has(HeldByFD|HeldBySocket) {
		t.Error("Has must report any of the kinds asked for")
	}
}

// holderTree is the fixture testdata/proc with more holders: process 300
// has a thread in net 4026533001 and another in its own namespaces; 100
// holds net 4026533002 and a pipe open; 301's mount namespace has
// net 4026533003 bind-mounted.
func holderTree(t *testing.T) (string, map[int]uint32) {
	t.Helper()
	root, owners := fixture.Proc(t)
	must(t, fixture.AddThread(root, 300, 310, map[string]uint64{"net": 4026533001}))
	must(t, fixture.AddThread(root, 300, 311, nil))
	must(t, fixture.AddFD(root, 100, 3, "net:[4026533002]"))
	must(t, fixture.AddFD(root, 100, 4, "pipe:[77]"))
	must(t, fixture.AddFD(root, 100, 5, "socket:[78]"))
	mountinfo := "22 1 0:21 / / rw - ext4 /dev/vda rw\n" +
		"70 22 0:4 net:[4026533003] /var/run/netns/x rw - nsfs nsfs rw\n" +
		// A copy of the host's /run/netns/pod (peer group 2, see
		// testdata/proc/self/mountinfo), made by propagation.
		"71 22 0:4 net:[4026532301] /run/netns/pod\\0401 rw master:2 - nsfs nsfs rw\n"
	must(t, os.WriteFile(filepath.Join(root, "301", "mountinfo"), []byte(mountinfo), 0o644))
	return root, owners
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestHoldersFixture(t *testing.T) {
	root, owners := holderTree(t)
	idx, err := Scan(Options{Root: root, Owners: owners, Deep: true})
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		typ     Type
		inode   uint64
		holders Holders
		path    string
	}{
		{Net, 4026533001, HeldByThread, root + "/300/task/310/ns/net"},
		{Net, 4026533002, HeldByFD, root + "/100/fd/3"},
		{Net, 4026533003, HeldByBindMount, root + "/301/root/var/run/netns/x"},
		{Net, 4026532301, HeldByProcess | HeldByBindMount, root + "/301/ns/net"},
		{Mnt, 4026599999, HeldByBindMount, "/run/gone"},
		{Net, 4026531840, HeldByProcess, root + "/1/ns/net"},
	}
	for _, c := range checks {
		ns := idx.Lookup(c.typ, c.inode)
		if ns == nil {
			t.Errorf("%s %d not found", c.typ, c.inode)
			continue
		}
		if ns.Holders != c.holders || idx.Path(ns) != c.path {
			t.Errorf("%s %d: holders %q, path %q; want %q, %q", c.typ, c.inode, ns.Holders, idx.Path(ns), c.holders, c.path)
		}
	}
	if ns := idx.Lookup(Net, 4026533001); len(ns.Threads) != 1 || ns.Threads[0].PID != 300 || ns.Threads[0].TID != 310 {
		t.Errorf("threads of net 4026533001 = %+v, want 300/310", ns.Threads)
	}
	if p := idx.Processes[300]; len(p.Threads) != 1 {
		t.Errorf("process 300 lists threads %+v; want only 310, whose namespaces differ", p.Threads)
	}
	pod := idx.Lookup(Net, 4026532301)
	want := []string{"/run/netns/pod 1", "/var/run/netns/pod 1"}
	if !slices.Equal(pod.NSFS, want) || len(pod.Mounts) != 2 {
		t.Errorf("pod NSFS = %q, mounts %+v; want %q and no propagated copy", pod.NSFS, pod.Mounts, want)
	}
	if x := idx.Lookup(Net, 4026533003); x.Mounts[0] != (Mount{Path: "/var/run/netns/x", MntNS: 4026532304, PID: 301}) {
		t.Errorf("mount of net 4026533003 = %+v", x.Mounts[0])
	}
	if len(idx.Misses) != 1 || idx.Misses[0].Holder != HeldBySocket {
		t.Errorf("misses = %v; want one: a fixture's sockets cannot be asked", idx.Misses)
	}
}

func TestHoldersFixtureDefault(t *testing.T) {
	root, owners := holderTree(t)
	idx, err := Scan(Options{Root: root, Owners: owners})
	if err != nil {
		t.Fatal(err)
	}
	if idx.Lookup(Net, 4026533002) != nil {
		t.Error("without Deep, open files must not be read")
	}
	if idx.Lookup(Net, 4026533001) == nil || idx.Lookup(Net, 4026533003) == nil {
		t.Error("threads and bind mounts are found by default")
	}
	if len(idx.Misses) != 0 {
		t.Errorf("misses = %v, want none", idx.Misses)
	}
}

func TestHoldersHierarchy(t *testing.T) {
	root, owners := fixture.Proc(t)
	idx, err := Scan(Options{Root: root, Owners: owners, Hierarchy: true})
	if err != nil {
		t.Fatal(err)
	}
	if user := idx.Lookup(User, 4026531837); user.Holders != HeldByProcess|HeldAsParent|HeldAsOwner {
		t.Errorf("the host user namespace is held by %q", user.Holders)
	}
	if pid := idx.Lookup(PID, 4026532401); pid.Holders != HeldByProcess|HeldAsParent {
		t.Errorf("pid 4026532401, parent of 4026532407, is held by %q", pid.Holders)
	}
}

func TestInitialFixture(t *testing.T) {
	root, owners := fixture.Proc(t)
	idx, err := Scan(Options{Root: root, Owners: owners})
	if err != nil {
		t.Fatal(err)
	}
	var initial []uint64
	for _, ns := range idx.Namespaces {
		if idx.IsInitial(ns) {
			initial = append(initial, ns.Inode)
		}
	}
	// The host's: six by their fixed inodes, net and mnt (not fixed before
	// Linux 6.18) by the kernel threads 2 and 20.
	want := []uint64{4026531834, 4026531835, 4026531836, 4026531837, 4026531838, 4026531839, 4026531840, 4026531841}
	if !slices.Equal(initial, want) {
		t.Errorf("initial namespaces %v, want %v", initial, want)
	}
}

func TestInitialWithoutKernelThreads(t *testing.T) {
	root, owners := fixture.Proc(t)
	must(t, os.RemoveAll(filepath.Join(root, "2")))
	must(t, os.RemoveAll(filepath.Join(root, "20")))
	idx, err := Scan(Options{Root: root, Owners: owners})
	if err != nil {
		t.Fatal(err)
	}
	if !idx.Lookup(PID, 4026531836).Initial || idx.Lookup(Net, 4026531840).Initial {
		t.Error("with no kernel thread, only the fixed inodes tell the initial namespaces")
	}
}

func TestDistinctMounts(t *testing.T) {
	host := Mount{Path: "/run/netns/a", MntNS: 1, peer: 5}
	hostAlias := Mount{Path: "/var/run/netns/a", MntNS: 1, peer: 5}
	slave := Mount{Path: "/run/netns/a", MntNS: 2, PID: 20, peer: 6, master: 5}
	slaveOfSlave := Mount{Path: "/run/netns/a", MntNS: 3, PID: 30, master: 6}
	private := Mount{Path: "/run/netns/a", MntNS: 4, PID: 40}
	got := distinctMounts([]Mount{host, slaveOfSlave, hostAlias, private, slave})
	if want := []Mount{host, hostAlias, private}; !slices.Equal(got, want) {
		t.Errorf("distinctMounts = %+v, want %+v", got, want)
	}
}
