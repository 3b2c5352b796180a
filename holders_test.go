package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/nsview/nsview/internal/kerneltest"
)

// TestKernelLeakedNetns makes what a CNI plugin leaves behind when its pod
// is gone: a named network namespace with no process, bind-mounted under
// /run/netns, whose veth peer gave it a NETNSID. -P finds it, with its
// holder and the NETNSID `ip netns list-id` shows, and -namespace on it
// says what holds it.
func TestKernelLeakedNetns(t *testing.T) {
	if os.Geteuid() != 0 {
		kerneltest.Require(t, "not root")
	}
	name := fmt.Sprintf("nsview-leak-%d", os.Getpid())
	ip(t, "netns", "add", name)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", name).Run() })
	veth := fmt.Sprintf("nsvl%d", os.Getpid()%100000)
	ip(t, "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", name)
	t.Cleanup(func() { exec.Command("ip", "link", "del", veth).Run() })
	inode := nsInodeOfFile(t, "/run/netns/"+name)
	wantID := listID(t, name)

	got, ok := nsviewJSON(t, "-P", "-t", "net")[inode]
	switch {
	case !ok:
		t.Fatalf("-P -t net does not list the leaked namespace %d", inode)
	case got.NProcs != 0 || got.PID != 0 || got.Command != "":
		t.Errorf("leaked namespace: nprocs %d, pid %d, command %q; want none", got.NProcs, got.PID, got.Command)
	case deref(got.NSFS) != "/run/netns/"+name || deref(got.Path) != "/run/netns/"+name:
		t.Errorf("nsfs %q, path %q; want /run/netns/%s", deref(got.NSFS), deref(got.Path), name)
	case deref(got.NetNSID) != wantID:
		t.Errorf("netnsid %q; ip netns list-id says %s", deref(got.NetNSID), wantID)
	}
	holders := nsview(t, "-namespace", fmt.Sprint(inode))
	if !containsLine(holders, "bind-mount /run/netns/"+name) && !strings.Contains(holders, "bind-mount /run/netns/"+name+" (mnt:[") {
		t.Errorf("-namespace %d does not name the bind mount:\n%s", inode, holders)
	}
}

// ip runs ip(8) and fails the test if it fails.
func ip(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
		kerneltest.Require(t, fmt.Sprintf("ip %s: %v: %s", strings.Join(args, " "), err, out))
	}
}

// listID is the NETNSID of the named network namespace, from
// `ip netns list-id`: "nsid 0 (iproute2 netns name: NAME)".
func listID(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("ip", "netns", "list-id").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "netns name: "+name+")") {
			if f := strings.Fields(line); len(f) > 1 {
				return f[1]
			}
		}
	}
	t.Fatalf("ip netns list-id does not list %s:\n%s", name, out)
	return ""
}
