package scan

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/nsview/nsview/internal/kerneltest"
)

// These tests make namespaces that only one kind of holder keeps alive,
// and check that a scan of /proc finds each with that holder. The ground
// truth is stat(2) on the files the kernel offers (the inode of a
// namespace file is the namespace's), never nsview's parsers.

// inodeOf is the inode of the file at path, following links: for
// /proc/PID/ns/TYPE, a bind-mounted nsfs file or an fd of one, the
// namespace's.
func inodeOf(t *testing.T, path string) uint64 {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	return st.Ino
}

// lookupHeld scans /proc (deep, if asked) and returns the namespace, which
// must exist, have no process and be held by want alone.
func lookupHeld(t *testing.T, opts Options, typ Type, inode uint64, want Holders) (*Index, *Namespace) {
	t.Helper()
	idx, err := Scan(opts)
	if err != nil {
		t.Fatal(err)
	}
	ns := idx.Lookup(typ, inode)
	if ns == nil {
		t.Fatalf("%s namespace %d not found", typ, inode)
	}
	if len(ns.Procs) != 0 || ns.Holders != want {
		t.Errorf("%s %d: %d processes, held by %q; want none, held by %q", typ, inode, len(ns.Procs), ns.Holders, want)
	}
	if path := idx.Path(ns); path != "" && inodeOf(t, path) != inode {
		t.Errorf("Path %s does not open %s %d", path, typ, inode)
	}
	return idx, ns
}

func TestKernelIPNetnsAdd(t *testing.T) {
	kerneltest.RequireRoot(t)
	name := fmt.Sprintf("nsview-holders-%d", os.Getpid())
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		kerneltest.Require(t, fmt.Sprintf("ip netns add: %v: %s", err, out))
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", name).Run() })
	file := "/run/netns/" + name
	idx, ns := lookupHeld(t, Options{Hierarchy: true}, Net, inodeOf(t, file), HeldByBindMount)
	if !slices.Contains(ns.NSFS, file) || idx.Path(ns) != file || ns.Mounts[0].PID != 0 {
		t.Errorf("NSFS %q, path %q, mounts %+v; want %s in nsview's own mount namespace", ns.NSFS, idx.Path(ns), ns.Mounts, file)
	}
	checkHostOwned(t, ns)
}

func TestKernelUTSBoundToFile(t *testing.T) {
	kerneltest.RequireRoot(t)
	file := filepath.Join(t.TempDir(), "uts")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("unshare", "--uts="+file, "true").CombinedOutput(); err != nil {
		kerneltest.Require(t, fmt.Sprintf("unshare --uts: %v: %s", err, out))
	}
	t.Cleanup(func() { unix.Unmount(file, unix.MNT_DETACH) })
	idx, ns := lookupHeld(t, Options{}, UTS, inodeOf(t, file), HeldByBindMount)
	if idx.Path(ns) != file {
		t.Errorf("path %q, want %s", idx.Path(ns), file)
	}
}

// TestKernelBindMountInOtherMountNS binds a network namespace to a file
// inside a private mount namespace, which a sleeping process keeps; the
// host's mount table does not show it.
func TestKernelBindMountInOtherMountNS(t *testing.T) {
	kerneltest.RequireRoot(t)
	file := filepath.Join(t.TempDir(), "net")
	script := fmt.Sprintf("touch %s && unshare --net=%s true && echo ready && exec sleep 1000", file, file)
	keeper := kerneltest.Start(t, "unshare", "-m", "--propagation", "private", "sh", "-c", script)
	inside := fmt.Sprintf("/proc/%d/root%s", keeper.PID, file)
	inode := inodeOf(t, inside)
	if inodeOf(t, file) == inode {
		t.Fatal("the bind mount leaked into the host's mount namespace")
	}
	idx, ns := lookupHeld(t, Options{Hierarchy: true}, Net, inode, HeldByBindMount)
	checkHostOwned(t, ns)
	want := Mount{Path: file, MntNS: inodeOf(t, fmt.Sprintf("/proc/%d/ns/mnt", keeper.PID)), PID: keeper.PID}
	if len(ns.Mounts) != 1 || ns.Mounts[0] != want || idx.Path(ns) != inside {
		t.Errorf("mounts %+v, path %q; want %+v, %s", ns.Mounts, idx.Path(ns), want, inside)
	}
}

// TestKernelLongMountinfo binds a network namespace after 100 other
// mounts in a private mount namespace, so that its mountinfo line lies past
// the first page: procfs hands mountinfo out a page per read, and a read
// that stopped at the first short one missed it.
func TestKernelLongMountinfo(t *testing.T) {
	kerneltest.RequireRoot(t)
	dir := t.TempDir()
	script := fmt.Sprintf("for i in $(seq 100); do mkdir %[1]s/m$i && mount -t tmpfs nsview-filler %[1]s/m$i; done && "+
		"touch %[1]s/net && unshare --net=%[1]s/net true && echo ready && exec sleep 1000", dir)
	keeper := kerneltest.Start(t, "unshare", "-m", "--propagation", "private", "sh", "-c", script)
	mountinfo, err := os.ReadFile(fmt.Sprintf("/proc/%d/mountinfo", keeper.PID))
	if err != nil || len(mountinfo) < 2*os.Getpagesize() {
		t.Fatalf("the mount table is %d bytes (%v); want several pages", len(mountinfo), err)
	}
	inode := inodeOf(t, fmt.Sprintf("/proc/%d/root%s/net", keeper.PID, dir))
	lookupHeld(t, Options{}, Net, inode, HeldByBindMount)
}

// startNetns starts a process in a new network namespace and returns it
// with the namespace's inode.
func startNetns(t *testing.T) (*kerneltest.Process, uint64) {
	t.Helper()
	p := kerneltest.Start(t, "unshare", "--net", "sh", "-c", "echo ready && exec sleep 1000")
	return p, inodeOf(t, fmt.Sprintf("/proc/%d/ns/net", p.PID))
}

func TestKernelFDHeld(t *testing.T) {
	kerneltest.RequireRoot(t)
	creator, inode := startNetns(t)
	holder := kerneltest.Start(t, "sh", "-c", fmt.Sprintf("exec 3</proc/%d/ns/net && echo ready && exec sleep 1000", creator.PID))
	creator.Kill()
	fd := fmt.Sprintf("/proc/%d/fd/3", holder.PID)
	if inodeOf(t, fd) != inode {
		t.Fatalf("%s does not hold net %d", fd, inode)
	}
	_, ns := lookupHeld(t, Options{Deep: true, Hierarchy: true}, Net, inode, HeldByFD)
	checkHostOwned(t, ns)
	if !slices.Equal(ns.FDs, []string{fd}) {
		t.Errorf("FDs %q, want %s", ns.FDs, fd)
	}
	idx, err := Scan(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if idx.Lookup(Net, inode) != nil {
		t.Error("a scan that is not deep found the fd-held namespace")
	}
}

// runHolderHelper makes the test binary, run again with
// NSVIEW_HOLDER_HELPER set, the helper process that holds a namespace the
// way only a program can; TestMain calls it first.
func runHolderHelper() {
	switch os.Getenv("NSVIEW_HOLDER_HELPER") {
	case "thread":
		helperThread(os.Getenv("NSVIEW_HOLDER_NS"))
	case "socket":
		helperSocket()
	}
}

// startHelper runs the test binary as a helper of the given kind.
func startHelper(t *testing.T, kind string, env ...string) *kerneltest.Process {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("NSVIEW_HOLDER_HELPER", kind)
	for _, e := range env {
		k, v, _ := strings.Cut(e, "=")
		t.Setenv(k, v)
	}
	return kerneltest.Start(t, exe, "-test.run=^$")
}

// helperThread moves one locked thread into the network namespace at path
// (setns), prints its TID and blocks forever.
func helperThread(path string) {
	runtime.LockOSThread() // keeps the goroutine below off the main thread
	tid := make(chan int)
	go func() {
		runtime.LockOSThread()
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err == nil {
			err = unix.Setns(fd, unix.CLONE_NEWNET)
			unix.Close(fd)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "setns:", err)
			os.Exit(1)
		}
		tid <- unix.Gettid()
		select {}
	}()
	fmt.Println(<-tid)
	select {}
}

// helperSocket makes a network namespace on a locked thread, opens a
// socket in it, returns the thread to its namespace, and prints the new
// namespace's inode and the socket's fd; then it blocks forever.
func helperSocket() {
	runtime.LockOSThread()
	home, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	check(err)
	check(unix.Unshare(unix.CLONE_NEWNET))
	var st unix.Stat_t
	check(unix.Stat("/proc/thread-self/ns/net", &st))
	sock, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	check(err)
	check(unix.Setns(home, unix.CLONE_NEWNET))
	unix.Close(home)
	fmt.Println(st.Ino, sock)
	select {}
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func TestKernelThreadHeld(t *testing.T) {
	kerneltest.RequireRoot(t)
	creator, inode := startNetns(t)
	helper := startHelper(t, "thread", fmt.Sprintf("NSVIEW_HOLDER_NS=/proc/%d/ns/net", creator.PID))
	creator.Kill()
	tid, err := strconv.Atoi(helper.Line)
	if err != nil {
		t.Fatalf("helper printed %q, not a TID", helper.Line)
	}
	if inodeOf(t, fmt.Sprintf("/proc/%d/task/%d/ns/net", helper.PID, tid)) != inode {
		t.Fatalf("thread %d is not in net %d", tid, inode)
	}
	// With LeaderStats, as the default table scans, the helper's stat is
	// not read (its parent, this test, leads its namespaces): its thread
	// count comes from its task directory.
	for _, opts := range []Options{{Hierarchy: true}, {Hierarchy: true, LeaderStats: true}} {
		idx, ns := lookupHeld(t, opts, Net, inode, HeldByThread)
		checkHostOwned(t, ns)
		if len(ns.Threads) != 1 || ns.Threads[0].PID != helper.PID || ns.Threads[0].TID != tid {
			t.Errorf("LeaderStats %v: threads %+v, want %d/%d", opts.LeaderStats, ns.Threads, helper.PID, tid)
		}
		if want := fmt.Sprintf("/proc/%d/task/%d/ns/net", helper.PID, tid); idx.Path(ns) != want {
			t.Errorf("LeaderStats %v: path %q, want %s", opts.LeaderStats, idx.Path(ns), want)
		}
		if p := idx.Processes[helper.PID]; p == nil || p.statless != opts.LeaderStats {
			t.Errorf("LeaderStats %v: helper %+v", opts.LeaderStats, p)
		}
	}
}

func TestKernelSocketHeld(t *testing.T) {
	kerneltest.RequireRoot(t)
	helper := startHelper(t, "socket")
	var inode uint64
	var fd int
	if _, err := fmt.Sscan(helper.Line, &inode, &fd); err != nil {
		t.Fatalf("helper printed %q: %v", helper.Line, err)
	}
	idx, ns := lookupHeld(t, Options{Deep: true, Hierarchy: true}, Net, inode, HeldBySocket)
	if want := fmt.Sprintf("/proc/%d/fd/%d", helper.PID, fd); !slices.Equal(ns.Sockets, []string{want}) {
		t.Errorf("sockets %q, want %s", ns.Sockets, want)
	}
	if idx.Path(ns) != "" {
		t.Errorf("path %q; no file opens a namespace only a socket holds", idx.Path(ns))
	}
	checkHostOwned(t, ns)
}

// TestKernelSocketHeldNetNSID asks a deep scan for the NETNSID of a
// network namespace that only a socket holds, so that no file opens it:
// the scan must ask the kernel through the fd it took from the socket.
// A new namespace has no ID in ours, and the kernel answers RTM_GETNSID
// for it with NETNSA_NSID_NOT_ASSIGNED (-1). A veth pair between the two
// then makes the kernel allocate one, which `ip link` shows as the host
// end's link-netnsid.
func TestKernelSocketHeldNetNSID(t *testing.T) {
	kerneltest.RequireRoot(t)
	helper := startHelper(t, "socket")
	var inode uint64
	var sock int
	if _, err := fmt.Sscan(helper.Line, &inode, &sock); err != nil {
		t.Fatalf("helper printed %q: %v", helper.Line, err)
	}
	opts := Options{Deep: true, NetNSID: true}
	if _, ns := lookupHeld(t, opts, Net, inode, HeldBySocket); ns.NetNSID == nil || *ns.NetNSID != NetNSIDUnassigned {
		t.Errorf("NETNSID %s before one was assigned; want %d", idText(ns.NetNSID), NetNSIDUnassigned)
	}
	nsfd := socketNetns(t, helper.PID, sock, inode)
	veth := fmt.Sprintf("nsvs%d", os.Getpid()%100000)
	inside := fmt.Sprintf("--net=/proc/%d/fd/%d", os.Getpid(), nsfd)
	if out, err := exec.Command("nsenter", inside, "ip", "link", "add", "eth0", "type", "veth",
		"peer", "name", veth, "netns", strconv.Itoa(os.Getpid())).CombinedOutput(); err != nil {
		kerneltest.Require(t, fmt.Sprintf("veth pair: %v: %s", err, out))
	}
	t.Cleanup(func() { exec.Command("ip", "link", "del", veth).Run() })
	want := linkNetNSID(t, veth)
	if _, ns := lookupHeld(t, opts, Net, inode, HeldBySocket); ns.NetNSID == nil || *ns.NetNSID != want {
		t.Errorf("NETNSID %s; ip link shows link-netnsid %d", idText(ns.NetNSID), want)
	}
}

// socketNetns opens the network namespace of socket fd sock of process
// pid, as the kernel hands it out (pidfd_getfd, then the SIOCGSKNS
// ioctl), checks that it is namespace inode and closes it when the test
// ends. nsview skips its own fds, so the test holding it is no holder.
func socketNetns(t *testing.T, pid, sock int, inode uint64) int {
	t.Helper()
	pidfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(pidfd)
	dup, err := unix.PidfdGetfd(pidfd, sock, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(dup)
	nsfd, err := unix.IoctlRetInt(dup, unix.SIOCGSKNS)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(nsfd) })
	if got := inodeOf(t, fmt.Sprintf("/proc/self/fd/%d", nsfd)); got != inode {
		t.Fatalf("socket %d of %d is in net %d, not %d", sock, pid, got, inode)
	}
	return nsfd
}

// linkNetNSID is the ID of the network namespace of link's peer, as
// `ip -json -details link show` reports it.
func linkNetNSID(t *testing.T, link string) int {
	t.Helper()
	out, err := exec.Command("ip", "-json", "-details", "link", "show", "dev", link).Output()
	if err != nil {
		t.Fatalf("ip link show %s: %v: %s", link, err, stderrOf(err))
	}
	var links []struct {
		NetNSID *int `json:"link_netnsid"`
	}
	if err := json.Unmarshal(out, &links); err != nil || len(links) != 1 || links[0].NetNSID == nil {
		t.Fatalf("ip link show %s names no link-netnsid (%v):\n%s", link, err, out)
	}
	return *links[0].NetNSID
}

// idText prints a NETNSID, "none" when it is unknown.
func idText(id *int) string {
	if id == nil {
		return "none"
	}
	return strconv.Itoa(*id)
}

// checkHostOwned checks that the hierarchy was resolved through the file
// that holds ns: its owner is the test's user namespace.
func checkHostOwned(t *testing.T, ns *Namespace) {
	t.Helper()
	if user := inodeOf(t, "/proc/self/ns/user"); ns.Owner != user {
		t.Errorf("%s %d: owner %d, want %d", ns.Type, ns.Inode, ns.Owner, user)
	}
}

// TestKernelInitial checks the initial namespaces against kthreadd's,
// which the kernel keeps in them, and a new namespace against not.
func TestKernelInitial(t *testing.T) {
	kerneltest.RequireRoot(t)
	_, fresh := startNetns(t)
	idx, err := Scan(Options{LeaderStats: true}) // as the default table scans
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range AllTypes {
		inode := inodeOf(t, "/proc/2/ns/"+typ.String())
		for _, ns := range idx.Namespaces {
			if ns.Type == typ && ns.Initial != (ns.Inode == inode) {
				t.Errorf("%s %d: initial %v, kthreadd's is %d", typ, ns.Inode, ns.Initial, inode)
			}
		}
	}
	if idx.Lookup(Net, fresh).Initial {
		t.Error("a new network namespace is initial")
	}
}

// TestKernelSeesWhatLsnsSees compares with lsns -J: every namespace lsns
// lists, nsview finds too. Namespaces that other tests make and end
// between the two scans are retried, and so is lsns when it fails on a
// process that vanished under it.
func TestKernelSeesWhatLsnsSees(t *testing.T) {
	kerneltest.RequireRoot(t)
	if _, err := exec.LookPath("lsns"); err != nil {
		kerneltest.Require(t, "no lsns")
	}
	var missing []string
	for range 5 {
		missing = nil
		out, err := exec.Command("lsns", "-J", "-o", "NS,TYPE").Output()
		if err != nil {
			missing = []string{fmt.Sprintf("(lsns failed: %v: %s)", err, stderrOf(err))}
			continue
		}
		var lsns struct {
			Namespaces []struct {
				NS   uint64 `json:"ns"`
				Type string `json:"type"`
			} `json:"namespaces"`
		}
		if err := json.Unmarshal(out, &lsns); err != nil {
			t.Fatal(err)
		}
		idx, err := Scan(Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range lsns.Namespaces {
			typ, err := ParseType(n.Type)
			if err != nil || idx.Lookup(typ, n.NS) == nil {
				missing = append(missing, fmt.Sprintf("%s:[%d]", n.Type, n.NS))
			}
		}
		if len(missing) == 0 {
			t.Logf("lsns lists %d namespaces; nsview also those held by no process: %v", len(lsns.Namespaces), heldOnly(idx))
			return
		}
	}
	t.Errorf("lsns lists namespaces nsview does not find: %v", missing)
}

func stderrOf(err error) string {
	if exit, ok := err.(*exec.ExitError); ok {
		return string(exit.Stderr)
	}
	return ""
}

// heldOnly names the namespaces that no process is in, with their holders.
func heldOnly(idx *Index) []string {
	var names []string
	for _, ns := range idx.Namespaces {
		if len(ns.Procs) == 0 {
			names = append(names, fmt.Sprintf("%s:[%d] (%s)", ns.Type, ns.Inode, ns.Holders))
		}
	}
	return names
}
