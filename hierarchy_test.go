package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/nsview/nsview/internal/kerneltest"
)

// nestedSandbox is three PID levels (host -> L1 -> L2) under one user
// namespace U1 that owns both new PID namespaces:
//
//	l1Init  sleep 1002   in U1, L1 (PID 1 there)
//	creator unshare      in U1, L1; it made L2
//	l2Init  sleep 1001   in U1, L2 (PID 1 there)
//	l2Child sleep 1000   in U1, L2 (PID 2 there)
type nestedSandbox struct {
	l1Init, creator, l2Init, l2Child int
}

func startNested(t *testing.T) nestedSandbox {
	t.Helper()
	if os.Geteuid() != 0 {
		kerneltest.Require(t, "not root")
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		kerneltest.Require(t, "unshare is not installed")
	}
	cmd := exec.Command("sh", "-c", `unshare -p -f --kill-child sh -c "sleep 1000 & exec sleep 1001" & exec sleep 1002`)
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWPID,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}},
		Pdeathsig:   syscall.SIGKILL,
	}
	if err := cmd.Start(); err != nil {
		kerneltest.Require(t, err.Error())
	}
	var sb nestedSandbox
	sb.l1Init = cmd.Process.Pid
	t.Cleanup(func() {
		for _, pid := range []int{sb.l2Child, sb.l2Init, sb.creator, sb.l1Init} {
			if pid != 0 {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		cmd.Wait()
	})
	sb.creator = waitForChild(t, sb.l1Init, "sleep 1002")
	sb.l2Init = waitForChild(t, sb.creator, `unshare -p -f --kill-child sh -c sleep 1000 & exec sleep 1001`)
	sb.l2Child = waitForChild(t, sb.l2Init, "sleep 1001")
	waitForCommand(t, sb.l2Child, "sleep 1000")
	return sb
}

// procNSpid is the ground truth for a process's PIDs at every level: the
// NSpid line of /proc/PID/status, read here rather than by nsview's parser.
func procNSpid(t *testing.T, pid int) []int {
	t.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if value, ok := strings.CutPrefix(line, "NSpid:"); ok {
			var nspid []int
			for _, f := range strings.Fields(value) {
				n, err := strconv.Atoi(f)
				if err != nil {
					t.Fatalf("/proc/%d/status: NSpid %q: %v", pid, value, err)
				}
				nspid = append(nspid, n)
			}
			return nspid
		}
	}
	t.Fatalf("/proc/%d/status has no NSpid line", pid)
	return nil
}

func TestKernelHierarchyColumns(t *testing.T) {
	sb := startNested(t)
	host := nsInode(t, os.Getpid(), "pid")
	hostUser := nsInode(t, os.Getpid(), "user")
	l1, l2, u1 := nsInode(t, sb.l1Init, "pid"), nsInode(t, sb.l2Init, "pid"), nsInode(t, sb.l1Init, "user")
	if nsInode(t, sb.l2Init, "user") != u1 || l1 == l2 || l1 == host {
		t.Fatalf("ground truth: the sandbox is not shaped as intended")
	}
	ours := nsviewJSON(t)
	lsns := lsnsJSON(t)
	for _, want := range []struct {
		inode, pns, ons uint64
		level           int
	}{
		{l1, host, u1, 1},
		{l2, l1, u1, 2},
		{u1, hostUser, hostUser, 1},
	} {
		got := ours[want.inode]
		if got.PNS != want.pns || got.ONS != want.ons || got.Level == nil || *got.Level != want.level {
			t.Errorf("namespace %d: pns %d ons %d level %v; want %d %d %d", want.inode, got.PNS, got.ONS, got.Level, want.pns, want.ons, want.level)
		}
		if l := lsns[want.inode]; l.PNS != got.PNS || l.ONS != got.ONS {
			t.Errorf("namespace %d: nsview pns %d ons %d, lsns %d %d", want.inode, got.PNS, got.ONS, l.PNS, l.ONS)
		}
	}
	members := nsviewJSON(t, "-namespace", strconv.FormatUint(l2, 10))[l2].Processes
	for _, p := range members {
		if want := procNSpid(t, p.PID); !slices.Equal(p.NSpid, want) || len(want) != 3 {
			t.Errorf("process %d: nspid %v, /proc says %v (want 3 levels)", p.PID, p.NSpid, want)
		}
	}
	if len(members) != 2 {
		t.Errorf("L2 has %d members, want 2", len(members))
	}
}

func TestKernelTreeText(t *testing.T) {
	sb := startNested(t)
	l1, l2 := nsInode(t, sb.l1Init, "pid"), nsInode(t, sb.l2Init, "pid")
	tree := nsview(t, "--tree", "--ascii", "--color=never")
	lines := strings.Split(tree, "\n")
	find := func(text string) (int, int) {
		for i, l := range lines {
			if j := strings.Index(l, text); j >= 0 {
				return i, j
			}
		}
		t.Fatalf("no line with %q in the tree:\n%s", text, tree)
		return 0, 0
	}
	l1Line, l1Col := find(fmt.Sprintf("pid:[%d] level 1", l1))
	creatorLine, creatorCol := find(fmt.Sprintf("%d [%d] unshare", sb.creator, procNSpid(t, sb.creator)[1]))
	l2Line, l2Col := find(fmt.Sprintf("pid:[%d] level 2", l2))
	nspid := procNSpid(t, sb.l2Child)
	childLine, childCol := find(fmt.Sprintf("%d [%d %d] sleep 1000", sb.l2Child, nspid[1], nspid[2]))
	if !(l1Line < creatorLine && creatorLine < l2Line && l2Line < childLine) ||
		!(l1Col < creatorCol && creatorCol < l2Col && l2Col < childCol) {
		t.Errorf("L2 is not drawn inside L1 under its creator:\n%s", tree)
	}
}

// treeNS is a namespace object of the tree JSON.
type treeNS struct {
	NS        uint64     `json:"ns"`
	Type      string     `json:"type"`
	Children  []treeNS   `json:"children"`
	Processes []treeProc `json:"processes"`
}

type treeProc struct {
	PID      int        `json:"pid"`
	NSpid    []int      `json:"nspid"`
	Children []treeProc `json:"children"`
}

func findNS(list []treeNS, inode uint64) *treeNS {
	for i := range list {
		if list[i].NS == inode {
			return &list[i]
		}
		if found := findNS(list[i].Children, inode); found != nil {
			return found
		}
	}
	return nil
}

func TestKernelTreeJSON(t *testing.T) {
	sb := startNested(t)
	l1, l2 := nsInode(t, sb.l1Init, "pid"), nsInode(t, sb.l2Init, "pid")
	var doc struct{ Namespaces []treeNS }
	if err := json.Unmarshal([]byte(nsview(t, "--tree", "--json")), &doc); err != nil {
		t.Fatal(err)
	}
	l1Obj := findNS(doc.Namespaces, l1)
	if l1Obj == nil {
		t.Fatalf("L1 %d is not in the JSON tree", l1)
	}
	l2Obj := findNS(l1Obj.Children, l2)
	if l2Obj == nil {
		t.Fatalf("L2 %d is not among L1's children", l2)
	}
	if len(l2Obj.Processes) != 1 || l2Obj.Processes[0].PID != sb.l2Init ||
		len(l2Obj.Processes[0].Children) != 1 || l2Obj.Processes[0].Children[0].PID != sb.l2Child {
		t.Errorf("L2's processes are not %d with child %d: %+v", sb.l2Init, sb.l2Child, l2Obj.Processes)
	}
	if got := l2Obj.Processes[0].Children[0].NSpid; !slices.Equal(got, procNSpid(t, sb.l2Child)) {
		t.Errorf("nspid of %d = %v, /proc says %v", sb.l2Child, got, procNSpid(t, sb.l2Child))
	}
}

// TestKernelOwnerTree checks that the user-namespace tree puts U1 under
// the initial user namespace and both new PID namespaces under U1.
func TestKernelOwnerTree(t *testing.T) {
	sb := startNested(t)
	u1 := nsInode(t, sb.l1Init, "user")
	var doc struct{ Namespaces []treeNS }
	if err := json.Unmarshal([]byte(nsview(t, "--tree", "-t", "user", "--json")), &doc); err != nil {
		t.Fatal(err)
	}
	top := findNS(doc.Namespaces, nsInode(t, os.Getpid(), "user"))
	if top == nil || findNS(top.Children, u1) == nil {
		t.Fatalf("U1 %d is not under the initial user namespace", u1)
	}
	owned := findNS(top.Children, u1).Children
	for _, pid := range []int{sb.l1Init, sb.l2Init} {
		inode := nsInode(t, pid, "pid")
		if !slices.ContainsFunc(owned, func(n treeNS) bool { return n.NS == inode && n.Type == "pid" }) {
			t.Errorf("pid namespace %d is not under its owner U1", inode)
		}
	}
	text := nsview(t, "--tree", "-t", "net", "--color=never")
	if !strings.Contains(text, fmt.Sprintf("net:[%d]", nsInode(t, os.Getpid(), "net"))) {
		t.Errorf("--tree -t net lacks the host's network namespace:\n%s", text)
	}
}

// TestKernelEmptyAncestor: two processes that move from user namespace U1
// into children U2 and U3 of it leave U1 with no process; U1 must still be
// listed, once, with NPROCS 0, as the parent of both. The two children are
// resolved in parallel, so both may find U1.
func TestKernelEmptyAncestor(t *testing.T) {
	if os.Geteuid() != 0 {
		kerneltest.Require(t, "not root")
	}
	cmd := exec.Command("unshare", "-U", "-r", "sh", "-c", "unshare -U -r sleep 1004 & exec unshare -U -r sleep 1003")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		kerneltest.Require(t, err.Error())
	}
	pid := cmd.Process.Pid
	var sibling int
	t.Cleanup(func() {
		if sibling != 0 {
			syscall.Kill(sibling, syscall.SIGKILL)
		}
		syscall.Kill(pid, syscall.SIGKILL)
		cmd.Wait()
	})
	sibling = waitForChild(t, pid, "sleep 1003")
	waitForCommand(t, sibling, "sleep 1004")
	u2, u3 := nsInode(t, pid, "user"), nsInode(t, sibling, "user")
	all := nsviewJSON(t, "-t", "user") // fails on a namespace listed twice
	u1 := all[u2].PNS
	if empty, ok := all[u1]; !ok || empty.NProcs != 0 || empty.Level == nil || *empty.Level != 1 {
		t.Errorf("U2 %d has parent %d; want that listed with nprocs 0 and level 1: %+v", u2, u1, empty)
	}
	for _, u := range []uint64{u2, u3} {
		if all[u].PNS != u1 || all[u].Level == nil || *all[u].Level != 2 {
			t.Errorf("user namespace %d: want parent %d at level 2: %+v", u, u1, all[u])
		}
	}
	tree := nsview(t, "--tree", "-t", "user", "-pid", strconv.Itoa(pid), "--ascii", "--color=never")
	if !strings.Contains(tree, fmt.Sprintf("user:[%d] level 1, owner root, 0 processes\n", u1)) {
		t.Errorf("the tree lacks the empty U1 %d:\n%s", u1, tree)
	}
}

// TestKernelFromContainer runs nsview inside a fresh PID namespace with the
// host's procfs bind-mounted at a private path, as a container that mounts
// the host's /proc would. The kernel refuses to name the container's
// parent namespace from inside; nsview must still place it at level 1
// under the host's, from what /proc shows, and say that it inferred it.
func TestKernelFromContainer(t *testing.T) {
	if os.Geteuid() != 0 {
		kerneltest.Require(t, "not root")
	}
	bin := buildBinary(t)
	hostProc := filepath.Join(t.TempDir(), "hostproc")
	if err := os.Mkdir(hostProc, 0o755); err != nil {
		t.Fatal(err)
	}
	// unshare -m makes the bind mount private to the child's mount namespace.
	script := fmt.Sprintf(`mount --bind /proc %s && mount -t proc proc /proc && exec %s --proc %s --json -t pid`, hostProc, bin, hostProc)
	cmd := exec.Command("unshare", "-p", "-f", "-m", "--kill-child", "sh", "-c", script)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Run(); err != nil {
		t.Fatalf("nsview in a container: %v: %s", err, stderr.String())
	}
	all := decodeNamespaces(t, stdout.String())
	host := nsInode(t, os.Getpid(), "pid")
	var container *jsonNS
	for inode, ns := range all {
		if inode != host && ns.PNS == host && strings.Contains(ns.Command, "--proc "+hostProc) {
			container = &ns
		}
	}
	if container == nil || container.Level == nil || *container.Level != 1 || all[host].Level == nil || *all[host].Level != 0 {
		t.Errorf("from inside, the container's pid namespace is not at level 1 under the host's %d: %+v", host, all)
	}
	if !strings.Contains(stderr.String(), "hierarchy is partial") {
		t.Errorf("stderr does not say the hierarchy was inferred: %q", stderr.String())
	}
}
