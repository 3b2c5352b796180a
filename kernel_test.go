package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nsview/nsview/internal/kerneltest"
)

// sandbox is a process tree started in fresh namespaces: Init is its first
// process (PID 1 inside when a pid namespace is new), Child a child of it.
type sandbox struct {
	Init, Child int
}

// startSandbox runs `sh -c 'sleep 1000 & exec sleep 1001'` in new
// namespaces (clone flags), so that the namespaces hold two processes.
// Both are killed by PID when the test ends.
func startSandbox(t *testing.T, cloneflags uintptr) sandbox {
	t.Helper()
	if os.Geteuid() != 0 {
		kerneltest.Require(t, "not root")
	}
	cmd := exec.Command("sh", "-c", "sleep 1000 & exec sleep 1001")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: cloneflags, Pdeathsig: syscall.SIGKILL}
	if cloneflags&syscall.CLONE_NEWUSER != 0 {
		cmd.SysProcAttr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}}
		cmd.SysProcAttr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}}
	}
	if err := cmd.Start(); err != nil {
		kerneltest.Require(t, err.Error())
	}
	sb := sandbox{Init: cmd.Process.Pid}
	t.Cleanup(func() {
		if sb.Child != 0 {
			syscall.Kill(sb.Child, syscall.SIGKILL)
		}
		syscall.Kill(sb.Init, syscall.SIGKILL)
		cmd.Wait()
	})
	sb.Child = waitForChild(t, sb.Init, "sleep 1001")
	return sb
}

// waitForChild waits until pid has exec'd wantCmd and has a child, and
// returns the child's PID.
func waitForChild(t *testing.T, pid int, wantCmd string) int {
	t.Helper()
	waitForCommand(t, pid, wantCmd)
	children := fmt.Sprintf("/proc/%d/task/%d/children", pid, pid)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		data, err := os.ReadFile(children)
		if err != nil {
			t.Fatal(err)
		}
		if fields := strings.Fields(string(data)); len(fields) > 0 {
			child, err := strconv.Atoi(fields[0])
			if err != nil {
				t.Fatal(err)
			}
			return child
		}
	}
	t.Fatalf("process %d started no child in time", pid)
	return 0
}

// nsInode is the ground truth: the inode of the namespace /proc/PID/ns/TYPE
// refers to, as stat(2) of the link gives it.
func nsInode(t *testing.T, pid int, typ string) uint64 {
	t.Helper()
	return nsInodeOfFile(t, fmt.Sprintf("/proc/%d/ns/%s", pid, typ))
}

// nsInodeOfFile is the inode of the namespace a file opens (an ns link, a
// bind mount of one), as stat(2) gives it.
func nsInodeOfFile(t *testing.T, path string) uint64 {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	return st.Ino
}

// jsonNS is a namespace object of nsview's or lsns's JSON (lsns has no
// container or pod).
type jsonNS struct {
	NS        uint64         `json:"ns"`
	Type      string         `json:"type"`
	Path      *string        `json:"path"`
	NProcs    int            `json:"nprocs"`
	PID       int            `json:"pid"`
	PPID      int            `json:"ppid"`
	Command   string         `json:"command"`
	UID       int            `json:"uid"`
	User      string         `json:"user"`
	PNS       uint64         `json:"pns"`
	ONS       uint64         `json:"ons"`
	Level     *int           `json:"level"`
	NetNSID   *string        `json:"netnsid"`
	NSFS      *string        `json:"nsfs"`
	Container *containerJSON `json:"container"`
	Pod       *podJSON       `json:"pod"`
	Processes []jsonPS       `json:"processes"`
}

// jsonPS is a process object of nsview's JSON.
type jsonPS struct {
	PID       int            `json:"pid"`
	PPID      int            `json:"ppid"`
	Name      string         `json:"name"`
	Command   string         `json:"command"`
	Cgroup    string         `json:"cgroup"`
	NSpid     []int          `json:"nspid"`
	Container *containerJSON `json:"container"`
}

// podJSON is the "pod" object of nsview's JSON.
type podJSON struct {
	Name      *string `json:"name"`
	Namespace *string `json:"namespace"`
	UID       string  `json:"uid"`
}

// containerJSON is the "container" object of nsview's JSON.
type containerJSON struct {
	Runtime string   `json:"runtime"`
	ID      string   `json:"id"`
	Name    *string  `json:"name"`
	Pod     *podJSON `json:"pod"`
}

// nsviewJSON runs nsview with args (plus --json) and decodes its output.
func nsviewJSON(t *testing.T, args ...string) map[uint64]jsonNS {
	t.Helper()
	out := nsview(t, append(args, "--json")...)
	return decodeNamespaces(t, out)
}

// decodeNamespaces decodes nsview's or lsns's JSON, failing the test if
// it is not a document of namespaces listed once each.
func decodeNamespaces(t *testing.T, out string) map[uint64]jsonNS {
	t.Helper()
	byInode, err := parseNamespaces([]byte(out))
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return byInode
}

// parseNamespaces decodes nsview's or lsns's JSON into namespaces by inode.
func parseNamespaces(out []byte) (map[uint64]jsonNS, error) {
	var doc struct{ Namespaces []jsonNS }
	if err := json.Unmarshal(out, &doc); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if doc.Namespaces == nil {
		return nil, fmt.Errorf("JSON without namespaces")
	}
	byInode := make(map[uint64]jsonNS)
	for _, ns := range doc.Namespaces {
		if _, dup := byInode[ns.NS]; dup {
			return nil, fmt.Errorf("namespace %d listed twice", ns.NS)
		}
		byInode[ns.NS] = ns
	}
	return byInode, nil
}

// nsview runs the CLI in-process on the live /proc and returns stdout; it
// fails the test on a non-zero exit status.
func nsview(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr strings.Builder
	if code := runCLI(append([]string{"nsview"}, args...), environment{stdout: &stdout, stderr: &stderr}); code != 0 {
		t.Fatalf("nsview %v: exit %d: %s", args, code, stderr.String())
	}
	return stdout.String()
}

var containerFlags uintptr = syscall.CLONE_NEWPID | syscall.CLONE_NEWNET | syscall.CLONE_NEWUTS |
	syscall.CLONE_NEWIPC | syscall.CLONE_NEWNS | syscall.CLONE_NEWCGROUP

var containerTypes = []string{"pid", "net", "uts", "ipc", "mnt", "cgroup"}

func TestKernelNamespacesJSON(t *testing.T) {
	sb := startSandbox(t, containerFlags)
	all := nsviewJSON(t)
	for _, typ := range containerTypes {
		inode := nsInode(t, sb.Init, typ)
		if child := nsInode(t, sb.Child, typ); child != inode {
			t.Fatalf("ground truth: child's %s namespace %d differs from init's %d", typ, child, inode)
		}
		got, ok := all[inode]
		if !ok {
			t.Errorf("%s namespace %d of PID %d missing from --json", typ, inode, sb.Init)
			continue
		}
		want := jsonNS{NS: inode, Type: typ, NProcs: 2, PID: sb.Init, PPID: os.Getpid(),
			Command: "sleep 1001", UID: 0, User: "root"}
		if got.Type != want.Type || got.NProcs != want.NProcs || got.PID != want.PID ||
			got.PPID != want.PPID || got.Command != want.Command || got.UID != want.UID || got.User != want.User {
			t.Errorf("%s namespace: got %+v, want %+v", typ, got, want)
		}
		if got.Path == nil || *got.Path != fmt.Sprintf("/proc/%d/ns/%s", sb.Init, typ) {
			t.Errorf("%s namespace path = %v", typ, got.Path)
		}
	}
}

func TestKernelTableAndFilters(t *testing.T) {
	sb := startSandbox(t, containerFlags)
	netns := nsInode(t, sb.Init, "net")
	pidns := nsInode(t, sb.Init, "pid")

	// -o: -t net adds NETNSID and NSFS to the default columns, as in lsns.
	table := nsview(t, "-t", "net", "--color=never", "-o", "ns,type,nprocs,pid,user,command")
	wantRow := fmt.Sprintf("%d net       2 %d root sleep 1001", netns, sb.Init)
	if !containsLine(table, wantRow) {
		t.Errorf("-t net: no row %q in\n%s", wantRow, table)
	}
	for _, line := range strings.Split(strings.TrimSpace(table), "\n")[1:] {
		if fields := strings.Fields(line); len(fields) < 2 || fields[1] != "net" {
			t.Errorf("-t net printed a row of another type: %q", line)
		}
	}

	// -pid: one row per type, each the process's own namespace.
	byPID := nsviewJSON(t, "-pid", strconv.Itoa(sb.Child))
	for _, typ := range []string{"cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"} {
		if ns, ok := byPID[nsInode(t, sb.Child, typ)]; !ok || ns.Type != typ {
			t.Errorf("-pid %d: %s namespace missing or wrong: %+v", sb.Child, typ, ns)
		}
	}
	if len(byPID) != 8 {
		t.Errorf("-pid %d: %d namespaces, want 8", sb.Child, len(byPID))
	}

	// Filters compose: -t pid -pid P is exactly P's PID namespace.
	composed := nsviewJSON(t, "-t", "pid", "-pid", strconv.Itoa(sb.Child))
	if len(composed) != 1 || composed[pidns].NProcs != 2 {
		t.Errorf("-t pid -pid %d = %+v, want only namespace %d with 2 processes", sb.Child, composed, pidns)
	}
	// -pid P -o ns,type answers from /proc/P alone, with the same inodes.
	quick := nsview(t, "-pid", strconv.Itoa(sb.Child), "-o", "ns,type", "--no-headings")
	if !containsLine(quick, fmt.Sprintf("%d net", netns)) || strings.Count(quick, "\n") != 8 {
		t.Errorf("-pid %d -o ns,type:\n%s", sb.Child, quick)
	}
}

func TestKernelNamespaceMembers(t *testing.T) {
	sb := startSandbox(t, containerFlags)
	pidns := nsInode(t, sb.Init, "pid")
	members := nsviewJSON(t, "-namespace", strconv.FormatUint(pidns, 10))
	ns, ok := members[pidns]
	if !ok || len(members) != 1 {
		t.Fatalf("-namespace %d: got %+v", pidns, members)
	}
	want := map[int][]int{sb.Init: {sb.Init, 1}, sb.Child: {sb.Child, 2}}
	if len(ns.Processes) != 2 {
		t.Fatalf("-namespace %d: processes %+v, want PIDs %d and %d", pidns, ns.Processes, sb.Init, sb.Child)
	}
	for _, p := range ns.Processes {
		if nspid := want[p.PID]; fmt.Sprint(p.NSpid) != fmt.Sprint(nspid) || p.Name != "sleep" {
			t.Errorf("member %+v: want nspid %v and name sleep", p, nspid)
		}
	}
	table := nsview(t, "-namespace", strconv.FormatUint(pidns, 10), "--color=never")
	for _, pid := range []int{sb.Init, sb.Child} {
		if !strings.Contains(table, fmt.Sprintf("\n%d ", pid)) {
			t.Errorf("-namespace table lacks PID %d:\n%s", pid, table)
		}
	}
	// A namespace that is not there is an error, exit 1.
	var stdout, stderr strings.Builder
	if code := runCLI([]string{"nsview", "-namespace", "1"}, environment{stdout: &stdout, stderr: &stderr}); code != 1 || stdout.Len() != 0 {
		t.Errorf("-namespace 1: exit %d, stdout %q; want exit 1 and no output", code, stdout.String())
	}
}

// TestKernelJQ feeds nsview's JSON to jq, as users script it.
func TestKernelJQ(t *testing.T) {
	sb := startSandbox(t, containerFlags)
	netns := nsInode(t, sb.Init, "net")
	if _, err := exec.LookPath("jq"); err != nil {
		kerneltest.Require(t, "jq is not installed")
	}
	jq := exec.Command("jq", "-r", fmt.Sprintf(`.namespaces[] | select(.type=="net" and .ns==%d) | "\(.nprocs) \(.pid)"`, netns))
	jq.Stdin = strings.NewReader(nsview(t, "--json"))
	out, err := jq.Output()
	if err != nil {
		t.Fatalf("jq: %v", err)
	}
	if got, want := strings.TrimSpace(string(out)), fmt.Sprintf("2 %d", sb.Init); got != want {
		t.Errorf("jq found %q, want %q", got, want)
	}
}

// TestKernelNetns checks NETNSID and NSFS against lsns on a network
// namespace made with `ip netns add` and given an ID.
func TestKernelNetns(t *testing.T) {
	if os.Geteuid() != 0 {
		kerneltest.Require(t, "not root")
	}
	for _, tool := range []string{"ip", "lsns"} {
		if _, err := exec.LookPath(tool); err != nil {
			kerneltest.Require(t, tool+" is not installed")
		}
	}
	name := fmt.Sprintf("nsview-test-%d", os.Getpid())
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		kerneltest.Require(t, fmt.Sprintf("ip netns add: %v: %s", err, out))
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", name).Run() })
	if out, err := exec.Command("ip", "netns", "set", name, "42").CombinedOutput(); err != nil {
		t.Fatalf("ip netns set: %v: %s", err, out)
	}
	holder := exec.Command("ip", "netns", "exec", name, "sleep", "1000")
	holder.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(holder.Process.Pid, syscall.SIGKILL); holder.Wait() })
	waitForCommand(t, holder.Process.Pid, "sleep 1000")
	inode := nsInode(t, holder.Process.Pid, "net")

	want, got := lsnsJSON(t, "-t", "net")[inode], nsviewJSON(t, "-t", "net")[inode]
	if got.NetNSID == nil || *got.NetNSID != "42" || got.NSFS == nil || *got.NSFS != "/run/netns/"+name {
		t.Errorf("netnsid %v, nsfs %v; want 42 and /run/netns/%s", deref(got.NetNSID), deref(got.NSFS), name)
	}
	if deref(got.NetNSID) != deref(want.NetNSID) || deref(got.NSFS) != deref(want.NSFS) {
		t.Errorf("nsview says netnsid %q nsfs %q; lsns %q %q", deref(got.NetNSID), deref(got.NSFS), deref(want.NetNSID), deref(want.NSFS))
	}
}

// waitForCommand waits until pid runs wantCmd (after its exec).
func waitForCommand(t *testing.T, pid int, wantCmd string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); err == nil &&
			strings.ReplaceAll(strings.TrimRight(string(cmdline), "\x00"), "\x00", " ") == wantCmd {
			return
		}
	}
	t.Fatalf("process %d did not exec %q in time", pid, wantCmd)
}

func deref(s *string) string {
	if s == nil {
		return "<null>"
	}
	return *s
}

func containsLine(text, line string) bool {
	for _, l := range strings.Split(text, "\n") {
		if strings.Join(strings.Fields(l), " ") == strings.Join(strings.Fields(line), " ") {
			return true
		}
	}
	return false
}
