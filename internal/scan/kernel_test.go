package scan

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nsview/nsview/internal/kerneltest"
)

// startSleep starts `sleep 1000` through the given command prefix (such
// as `ip netns exec NAME`) or in new namespaces (clone flags), waits until
// it runs sleep, and kills it by PID when the test ends.
func startSleep(t *testing.T, cloneflags uintptr, prefix ...string) int {
	t.Helper()
	if os.Geteuid() != 0 {
		kerneltest.Require(t, "not root")
	}
	args := append(prefix, "sleep", "1000")
	cmd := exec.Command(args[0], args[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: cloneflags, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		kerneltest.Require(t, err.Error())
	}
	pid := cmd.Process.Pid
	t.Cleanup(func() {
		syscall.Kill(pid, syscall.SIGKILL)
		if cmd.Wait() != nil {
			cmd.Process.Release() // a test reaped it: close the pidfd Wait keeps
		}
	})
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); string(comm) == "sleep\n" {
			return pid
		}
	}
	t.Fatalf("%v did not exec sleep in time", args)
	return 0
}

// TestOpenNamespaceChecksInode opens a network namespace through members
// of which the first is in another namespace (nsview's own), as when the
// leader's PID has been reused: that member must be passed over.
func TestOpenNamespaceChecksInode(t *testing.T) {
	inside := startSleep(t, syscall.CLONE_NEWNET)
	want := inodeOf(t, fmt.Sprintf("/proc/%d/ns/net", inside))
	idx := newIndex(DefaultRoot)
	ns := &Namespace{Type: Net, Inode: want, Procs: []*Process{{PID: os.Getpid()}, {PID: inside}}}
	fd, err := idx.openNamespace(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Ino != want {
		t.Errorf("opened namespace %d (%v), want %d", st.Ino, err, want)
	}
	ns.Procs = ns.Procs[:1]
	if fd, err := idx.openNamespace(ns); !errors.Is(err, errMoved) {
		unix.Close(fd)
		t.Errorf("with only a member elsewhere: err = %v, want errMoved", err)
	}
}

// netns adds a named network namespace with an ID in ours, and deletes
// it when the test ends. It returns the ID that `ip netns list` shows.
func netns(t *testing.T, name string) int {
	t.Helper()
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		kerneltest.Require(t, fmt.Sprintf("ip netns add: %v: %s", err, out))
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "delete", name).Run() })
	if out, err := exec.Command("ip", "netns", "set", name, "auto").CombinedOutput(); err != nil {
		t.Fatalf("ip netns set %s auto: %v: %s", name, err, out)
	}
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` \(id: (\d+)\)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("ip netns list shows no ID for %s:\n%s", name, out)
	}
	id, _ := strconv.Atoi(string(m[1]))
	return id
}

// startedAt is the ground truth for a process's start time: field 22 of
// its stat, counted by the test itself.
func startedAt(t *testing.T, pid int) string {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))[19]
}

// TestPIDReusedAfterScan scans a procfs tree whose entries 100 and 200 are
// links to two real processes in network namespace A, then points 100 at a
// process in namespace B, as if 100 had exited and B's process got its
// PID. The NETNSID of A must still be A's (asked through 200), and
// Describe must refuse 100's details.
func TestPIDReusedAfterScan(t *testing.T) {
	name := fmt.Sprintf("nsview-test-%d", os.Getpid())
	idA, idB := netns(t, name+"-a"), netns(t, name+"-b")
	first := startSleep(t, 0, "ip", "netns", "exec", name+"-a")
	second := startSleep(t, 0, "ip", "netns", "exec", name+"-a")
	newcomer := startSleep(t, 0, "ip", "netns", "exec", name+"-b")
	root := t.TempDir()
	link := func(entry string, pid int) {
		os.Remove(filepath.Join(root, entry))
		if err := os.Symlink(fmt.Sprintf("/proc/%d", pid), filepath.Join(root, entry)); err != nil {
			t.Fatal(err)
		}
	}
	link("100", first)
	link("200", second)
	idx, err := Scan(Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	ns := idx.Lookup(Net, inodeOf(t, fmt.Sprintf("/proc/%d/ns/net", first)))
	if ns == nil || len(ns.Procs) != 2 {
		t.Fatalf("scan found no namespace holding 100 and 200: %+v", ns)
	}
	link("100", newcomer)
	idx.readNetNSIDs()
	if ns.NetNSID == nil || *ns.NetNSID != idA {
		t.Errorf("NETNSID unknown or not A's %d (B's is %d)", idA, idB)
		if ns.NetNSID != nil {
			t.Errorf("it is %d", *ns.NetNSID)
		}
	}
	if startedAt(t, first) == startedAt(t, newcomer) {
		t.Skip("the two processes started in the same clock tick: Describe cannot tell them apart")
	}
	p := idx.Processes[100]
	idx.Describe([]*Process{p}, Details{Cmdline: true})
	if !errors.Is(p.DetailsErr, ErrReused) || idx.Reused != 1 || p.Cmdline != "" {
		t.Errorf("Describe of the reused 100: %+v, Reused %d; want ErrReused", p, idx.Reused)
	}
}

// TestDescribeReadsThroughDirfd kills a process after Describe's identity
// check: reads through the checked directory must fail from then on, not
// read whatever process has the PID next.
func TestDescribeReadsThroughDirfd(t *testing.T) {
	pid := startSleep(t, 0)
	idx, err := Scan(Options{OnlyPID: pid})
	if err != nil || idx.Processes[pid] == nil {
		t.Fatalf("Scan(OnlyPID %d): %v, %v", pid, idx, err)
	}
	p := idx.Processes[pid]
	r := newProcReader(DefaultRoot)
	dirfd, err := r.openSame(p)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(dirfd)
	syscall.Kill(pid, syscall.SIGKILL)
	var status syscall.WaitStatus
	if _, err := syscall.Wait4(pid, &status, 0, nil); err != nil {
		t.Fatal(err)
	}
	if err := r.readDetails(dirfd, p, Details{Cmdline: true}); !errors.Is(err, ErrGone) || p.Cmdline != "" {
		t.Errorf("reading the reaped process: %v, cmdline %q; want ErrGone", err, p.Cmdline)
	}
	idx.Describe([]*Process{p}, Details{Cmdline: true})
	if !errors.Is(p.DetailsErr, ErrGone) || p.Command() != "sleep" {
		t.Errorf("Describe of the reaped process: %v, command %q; want ErrGone, sleep", p.DetailsErr, p.Command())
	}
}
