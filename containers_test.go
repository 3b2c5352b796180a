package main

import (
	"debug/elf"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nsview/nsview/internal/enginetest"
	"github.com/nsview/nsview/internal/kerneltest"
)

// The tests in this file start real container engines (internal/enginetest)
// and check what the CLI says of their containers against what the engines
// say (runc state, podman inspect, docker inspect, ctr task ls) and what
// stat(2) of /proc/PID/ns/* says, never against nsview's own parsers.

// engineTruth is a container as its engine reports it.
type engineTruth struct {
	Runtime string // what nsview must call the engine: runc, podman, docker, containerd
	ID      string // the full ID
	Name    string // the name people use ("" where it has none)
	InitPID int
	Pod     *podJSON // the Kubernetes pod, from the CRI annotations
}

// procNamespaces is the ground truth of a process's namespaces: type to
// inode, from stat(2) of each /proc/PID/ns link (without *_for_children,
// which name no namespace of the process itself).
func procNamespaces(t *testing.T, pid int) map[string]uint64 {
	t.Helper()
	entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/ns", pid))
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]uint64)
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), "_for_children") {
			out[e.Name()] = nsInode(t, pid, e.Name())
		}
	}
	return out
}

// ownNamespaces are those of pid's namespaces that this test process,
// which runs in the host's, is not in: the ones the engine made.
func ownNamespaces(t *testing.T, pid int) map[string]uint64 {
	t.Helper()
	own := procNamespaces(t, pid)
	for typ, ino := range procNamespaces(t, os.Getpid()) {
		if own[typ] == ino {
			delete(own, typ)
		}
	}
	if own["pid"] == 0 || own["mnt"] == 0 {
		t.Fatalf("process %d has no pid and mount namespaces of its own: %v", pid, own)
	}
	return own
}

// inodeSet is the set of the map's inodes.
func inodeSet(m map[string]uint64) map[uint64]bool {
	set := make(map[uint64]bool)
	for _, ino := range m {
		set[ino] = true
	}
	return set
}

// checkContainerJSON compares a "container" object with the engine's truth.
func checkContainerJSON(t *testing.T, where string, got *containerJSON, want engineTruth) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: container is null; want %s %s %q", where, want.Runtime, want.ID, want.Name)
		return
	}
	name := ""
	if got.Name != nil {
		name = *got.Name
	}
	if got.Runtime != want.Runtime || got.ID != want.ID || name != want.Name {
		t.Errorf("%s: container is %s %s %q; want %s %s %q", where, got.Runtime, got.ID, name, want.Runtime, want.ID, want.Name)
	}
	checkPodJSON(t, where+": container", got.Pod, want.Pod)
}

// checkPodJSON compares a "pod" object with the pod the annotations name.
func checkPodJSON(t *testing.T, where string, got, want *podJSON) {
	t.Helper()
	switch {
	case got == nil && want == nil:
	case got == nil || want == nil:
		t.Errorf("%s: pod is %s; want %s", where, podString(got), podString(want))
	case deref(got.Name) != deref(want.Name) || deref(got.Namespace) != deref(want.Namespace) || got.UID != want.UID:
		t.Errorf("%s: pod is %s; want %s", where, podString(got), podString(want))
	}
}

func podString(p *podJSON) string {
	if p == nil {
		return "null"
	}
	return fmt.Sprintf("%s/%s (uid %s)", deref(p.Namespace), deref(p.Name), p.UID)
}

// checkContainerCLI checks every way the CLI shows the container: the
// whole host's JSON, -pid INIT, -c NAME and -c ID-PREFIX as tables,
// -namespace PIDNS's members, and the PID tree's label.
func checkContainerCLI(t *testing.T, nsview nsviewBinary, host map[uint64]jsonNS, want engineTruth) {
	t.Helper()
	own := ownNamespaces(t, want.InitPID)
	all := procNamespaces(t, want.InitPID)
	start := time.Now()
	checkOwnNamespaces(t, "nsview --json", host, want, own)
	checkPIDJSON(t, nsview, want, own, all)
	checkContainerTable(t, nsview, want.Name, want, own, all)
	checkContainerTable(t, nsview, want.ID[:12], want, own, all)
	checkContainerMembers(t, nsview, want, own["pid"])
	checkTreeLabel(t, nsview, want)
	t.Logf("%s container %s: 5 nsview runs took %v", want.Runtime, want.Name, time.Since(start))
}

// nsviewBinary is a built nsview binary.
type nsviewBinary string

// run runs nsview with args on the live /proc and returns its stdout;
// on a non-zero exit status the test fails, and ok is false.
func (bin nsviewBinary) run(t *testing.T, args ...string) (stdout string, ok bool) {
	t.Helper()
	cmd := exec.Command(string(bin), args...)
	var out, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Errorf("nsview %s: %v: %s", strings.Join(args, " "), err, stderr.String())
		return "", false
	}
	return out.String(), true
}

// json runs nsview with args and --json and decodes its namespaces.
func (bin nsviewBinary) json(t *testing.T, args ...string) (map[uint64]jsonNS, bool) {
	t.Helper()
	out, ok := bin.run(t, append(args, "--json")...)
	if !ok {
		return nil, false
	}
	return decodeNamespaces(t, out), true
}

// checkOwnNamespaces checks that the document lists each of own, as the
// container's.
func checkOwnNamespaces(t *testing.T, what string, doc map[uint64]jsonNS, want engineTruth, own map[string]uint64) {
	t.Helper()
	for typ, ino := range own {
		ns, ok := doc[ino]
		if !ok {
			t.Errorf("%s: no %s namespace %d of container %s", what, typ, ino, want.Name)
			continue
		}
		checkContainerJSON(t, fmt.Sprintf("%s: %s namespace %d", what, typ, ino), ns.Container, want)
	}
}

// checkPIDJSON: `nsview -pid INIT --json` lists exactly the init's
// namespaces, its own ones as the container's and the host's with none.
func checkPIDJSON(t *testing.T, nsview nsviewBinary, want engineTruth, own, all map[string]uint64) {
	t.Helper()
	what := fmt.Sprintf("nsview -pid %d --json", want.InitPID)
	doc, ok := nsview.json(t, "-pid", strconv.Itoa(want.InitPID))
	if !ok {
		return
	}
	checkSameInodes(t, what, keys(doc), inodeSet(all))
	checkOwnNamespaces(t, what, doc, want, own)
	for typ, ino := range all {
		if own[typ] == 0 && doc[ino].Container != nil {
			t.Errorf("%s: the host's %s namespace %d is given to container %+v", what, typ, ino, *doc[ino].Container)
		}
	}
}

func keys(doc map[uint64]jsonNS) map[uint64]bool {
	set := make(map[uint64]bool)
	for ino := range doc {
		set[ino] = true
	}
	return set
}

// checkSameInodes fails unless got and want hold the same inodes.
func checkSameInodes(t *testing.T, what string, got, want map[uint64]bool) {
	t.Helper()
	var missing, extra []uint64
	for ino := range want {
		if !got[ino] {
			missing = append(missing, ino)
		}
	}
	for ino := range got {
		if !want[ino] {
			extra = append(extra, ino)
		}
	}
	if len(missing) > 0 || len(extra) > 0 {
		t.Errorf("%s: lacks namespaces %v and lists others %v", what, missing, extra)
	}
}

// checkContainerTable: the table of `nsview -c QUERY` lists exactly the
// init's namespaces, with CONTAINER the name on the container's own rows
// and empty on the host's.
func checkContainerTable(t *testing.T, nsview nsviewBinary, query string, want engineTruth, own, all map[string]uint64) {
	t.Helper()
	what := "nsview -c " + query
	table, ok := nsview.run(t, "-c", query, "--color=never")
	if !ok {
		return
	}
	cells := containerCells(t, what, table)
	got := make(map[uint64]bool)
	for ino := range cells {
		got[ino] = true
	}
	checkSameInodes(t, what, got, inodeSet(all))
	label := want.Name
	if label == "" {
		label = want.ID[:12]
	}
	for typ, ino := range all {
		wantCell := ""
		if own[typ] != 0 {
			wantCell = label
		}
		if cell, ok := cells[ino]; ok && cell != wantCell {
			t.Errorf("%s: %s namespace %d has CONTAINER %q; want %q", what, typ, ino, cell, wantCell)
		}
	}
}

// containerCells reads a table's rows as NS inode → CONTAINER cell. The
// CONTAINER column is left-aligned: its cells start where its heading does.
func containerCells(t *testing.T, what, table string) map[uint64]string {
	t.Helper()
	lines := strings.Split(strings.TrimRight(table, "\n"), "\n")
	col := strings.Index(lines[0], "CONTAINER")
	if !strings.HasPrefix(strings.TrimSpace(lines[0]), "NS ") || col < 0 {
		t.Fatalf("%s: no NS and CONTAINER columns:\n%s", what, table)
	}
	cells := make(map[uint64]string)
	for _, line := range lines[1:] {
		ino, err := strconv.ParseUint(strings.Fields(line)[0], 10, 64)
		if err != nil {
			t.Fatalf("%s: row %q: %v", what, line, err)
		}
		cell := ""
		if len(line) > col {
			cell = strings.TrimSpace(line[col:])
		}
		cells[ino] = cell
	}
	return cells
}

// checkContainerMembers: `nsview -namespace PIDNS --json` gives each member
// process, the init among them, the container.
func checkContainerMembers(t *testing.T, nsview nsviewBinary, want engineTruth, pidNS uint64) {
	t.Helper()
	what := fmt.Sprintf("nsview -namespace %d --json", pidNS)
	doc, ok := nsview.json(t, "-namespace", strconv.FormatUint(pidNS, 10))
	if !ok {
		return
	}
	ns, ok := doc[pidNS]
	if !ok || len(doc) != 1 {
		t.Errorf("%s: want the one namespace, got %d", what, len(doc))
		return
	}
	sawInit := false
	for _, p := range ns.Processes {
		sawInit = sawInit || p.PID == want.InitPID
		checkContainerJSON(t, fmt.Sprintf("%s: process %d", what, p.PID), p.Container, want)
	}
	if !sawInit {
		t.Errorf("%s: the init %d is not among the members", what, want.InitPID)
	}
}

// checkTreeLabel: the PID tree labels the init with its container.
func checkTreeLabel(t *testing.T, nsview nsviewBinary, want engineTruth) {
	t.Helper()
	tree, ok := nsview.run(t, "--tree", "-t", "pid", "-pid", strconv.Itoa(want.InitPID), "--ascii", "--color=never")
	if !ok {
		return
	}
	label := fmt.Sprintf("%d [1] (container %s)", want.InitPID, want.Name)
	if !strings.Contains(tree, label) {
		t.Errorf("the PID tree lacks %q:\n%s", label, tree)
	}
}

// engineOutput runs an engine's command and returns its trimmed stdout.
func engineOutput(t *testing.T, cmd *exec.Cmd) string {
	t.Helper()
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if exit, ok := err.(*exec.ExitError); ok {
			stderr = string(exit.Stderr)
		}
		t.Fatalf("%s: %v: %s", strings.Join(cmd.Args, " "), err, stderr)
	}
	return strings.TrimSpace(string(out))
}

// runcState is what `runc state` says of a container.
type runcState struct {
	ID          string            `json:"id"`
	PID         int               `json:"pid"`
	Annotations map[string]string `json:"annotations"`
}

// runcTruth asks `runc --root ROOT state ID`: runc's name for a container
// is its ID.
func runcTruth(t *testing.T, root, id string) (engineTruth, runcState) {
	t.Helper()
	var st runcState
	out := engineOutput(t, exec.Command("runc", "--root", root, "state", id))
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("runc state %s: %v\n%s", id, err, out)
	}
	return engineTruth{Runtime: "runc", ID: st.ID, Name: st.ID, InitPID: st.PID}, st
}

// inspectTruth parses `{{.Id}} {{.Name}} {{.State.Pid}}` from docker or
// podman inspect (docker's name has a leading "/").
func inspectTruth(t *testing.T, runtime string, cmd *exec.Cmd) engineTruth {
	t.Helper()
	fields := strings.Fields(engineOutput(t, cmd))
	if len(fields) != 3 {
		t.Fatalf("%s: want ID, name and PID, got %q", strings.Join(cmd.Args, " "), fields)
	}
	pid, err := strconv.Atoi(fields[2])
	if err != nil {
		t.Fatal(err)
	}
	return engineTruth{Runtime: runtime, ID: fields[0], Name: strings.TrimPrefix(fields[1], "/"), InitPID: pid}
}

const inspectFormat = "{{.Id}} {{.Name}} {{.State.Pid}}"

// requireEngines skips (or under NSVIEW_REQUIRE_NS=1 fails) when not root;
// enginetest's helpers do the same for a missing engine.
func requireEngines(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		kerneltest.Require(t, "not root")
	}
}

// TestContainers runs each engine's containers in a parallel subtest and
// checks them with one static nsview binary, the one the DaemonSet-shaped
// container runs too.
func TestContainers(t *testing.T) {
	requireEngines(t)
	start := time.Now()
	nsview := nsviewBinary(buildStatic(t))
	t.Logf("go build (static) took %v", time.Since(start))
	t.Run("runc", func(t *testing.T) { t.Parallel(); testRunc(t, nsview) })
	t.Run("podman", func(t *testing.T) { t.Parallel(); testPodman(t, nsview) })
	t.Run("kube", func(t *testing.T) { t.Parallel(); testKube(t, nsview) })
	t.Run("dockerd", func(t *testing.T) { t.Parallel(); testDockerd(t, nsview) })
}

// testRunc runs a plain runc container. Its ID is unique in its first 12
// characters, so that -c ID-PREFIX names it alone.
func testRunc(t *testing.T, nsview nsviewBinary) {
	c := enginetest.Runc(t, enginetest.RuncOpts{ID: enginetest.Name("nsv")})
	want, _ := runcTruth(t, c.RuncRoot, c.ID)
	if host, ok := nsview.json(t); ok {
		checkContainerCLI(t, nsview, host, want)
	}
}

// testPodman runs a podman container.
func testPodman(t *testing.T, nsview nsviewBinary) {
	c := enginetest.Podman(t, enginetest.Name("nsv-podman"))
	want := inspectTruth(t, "podman", exec.Command("podman", "inspect", "--format", inspectFormat, c.ID))
	if host, ok := nsview.json(t); ok {
		checkContainerCLI(t, nsview, host, want)
	}
}

// testKube runs a Kubernetes-shaped pod: a sandbox and an app container
// that joins its network, IPC and UTS namespaces. The app's own namespaces
// are the app container's; the shared ones belong to the pod and to no one
// container.
func testKube(t *testing.T, nsview nsviewBinary) {
	opts := enginetest.KubeOpts{Pod: enginetest.Name("web"), Namespace: "shop", UID: randomUID(t), Container: "nginx"}
	pod := enginetest.KubeRunc(t, opts)
	app, appState := runcTruth(t, enginetest.KubeRuncRoot, pod.App.ID)
	sandbox, _ := runcTruth(t, enginetest.KubeRuncRoot, pod.Sandbox.ID)
	wantPod := podFromAnnotations(appState.Annotations)
	app.Runtime, app.Name, app.Pod = "containerd", appState.Annotations[enginetest.AnnotationContainerName], wantPod
	sandbox.Runtime, sandbox.Pod = "containerd", wantPod
	host, ok := nsview.json(t)
	if !ok {
		return
	}
	appOwn := ownNamespaces(t, app.InitPID)
	shared := sharedNamespaces(t, sandbox.InitPID, app.InitPID)
	for _, typ := range []string{"net", "ipc", "uts"} {
		if shared[typ] == 0 {
			t.Fatalf("the app does not share the sandbox's %s namespace: %v", typ, shared)
		}
	}
	for typ, ino := range appOwn {
		if shared[typ] == 0 {
			checkContainerJSON(t, fmt.Sprintf("app's %s namespace %d", typ, ino), host[ino].Container, app)
			checkPodJSON(t, fmt.Sprintf("app's %s namespace %d", typ, ino), host[ino].Pod, wantPod)
		}
	}
	checkPodNamespaces(t, host, shared, wantPod)
	sandboxPID := ownNamespaces(t, sandbox.InitPID)["pid"]
	if c := host[sandboxPID].Container; c == nil || c.ID != sandbox.ID || c.Runtime != sandbox.Runtime {
		t.Errorf("the sandbox's pid namespace %d has container %+v; want %s %s", sandboxPID, c, sandbox.Runtime, sandbox.ID)
	}
	checkPodQuery(t, nsview, opts.Namespace+"/"+opts.Pod, sandbox.InitPID, app.InitPID)
	checkContainerMembers(t, nsview, app, appOwn["pid"])
	checkTreeLabel(t, nsview, app)
}

// checkPodNamespaces: the namespaces a pod's containers share have the pod
// and no container.
func checkPodNamespaces(t *testing.T, host map[uint64]jsonNS, shared map[string]uint64, want *podJSON) {
	t.Helper()
	for typ, ino := range shared {
		if host[ino].Container != nil {
			t.Errorf("the pod's shared %s namespace %d is given to one container: %+v", typ, ino, *host[ino].Container)
		}
		checkPodJSON(t, fmt.Sprintf("the pod's shared %s namespace %d", typ, ino), host[ino].Pod, want)
	}
}

// randomUID returns a pod UID in the UUID form kubelet gives.
func randomUID(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("/proc/sys/kernel/random/uuid")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(data))
}

// podFromAnnotations is the pod the CRI annotations (in runc's state)
// name.
func podFromAnnotations(a map[string]string) *podJSON {
	name, ns := a[enginetest.AnnotationSandboxName], a[enginetest.AnnotationSandboxNamespace]
	return &podJSON{Name: &name, Namespace: &ns, UID: a[enginetest.AnnotationSandboxUID]}
}

// sharedNamespaces are the namespaces two processes share and the host
// does not.
func sharedNamespaces(t *testing.T, a, b int) map[string]uint64 {
	t.Helper()
	shared := ownNamespaces(t, a)
	other := procNamespaces(t, b)
	for typ, ino := range shared {
		if other[typ] != ino {
			delete(shared, typ)
		}
	}
	return shared
}

// checkPodQuery: `nsview --pod QUERY --json` lists the union of the pod's
// containers' namespaces.
func checkPodQuery(t *testing.T, nsview nsviewBinary, query string, pids ...int) {
	t.Helper()
	want := make(map[uint64]bool)
	for _, pid := range pids {
		for ino := range inodeSet(procNamespaces(t, pid)) {
			want[ino] = true
		}
	}
	if doc, ok := nsview.json(t, "--pod", query); ok {
		checkSameInodes(t, "nsview --pod "+query, keys(doc), want)
	}
}

// testDockerd shares one dockerd, and the containerd it uses, between a
// docker container, a ctr task and a DaemonSet-shaped nsview that looks at
// the host from inside a container. The host's JSON comes from an
// in-process run, under the race detector when the tests have it.
func testDockerd(t *testing.T, bin nsviewBinary) {
	start := time.Now()
	d := enginetest.Docker(t)
	t.Logf("dockerd start and image import took %v", time.Since(start))
	dc := d.Run(t, enginetest.Name("nsv-docker"))
	docker := inspectTruth(t, "docker", d.Command("inspect", "--format", inspectFormat, dc.ID))
	task := d.Ctr(t, enginetest.Name("nsv"), enginetest.Name("nsv"))
	// enginetest read the task's PID from ctr task ls; ctr's name is the ID.
	ctr := engineTruth{Runtime: "containerd", ID: task.ID, Name: task.ID, InitPID: task.InitPID}
	t.Logf("docker run and ctr run took %v", time.Since(start))
	host := decodeNamespaces(t, nsview(t, "--json"))

	t.Run("docker", func(t *testing.T) { checkContainerCLI(t, bin, host, docker) })
	t.Run("ctr", func(t *testing.T) { checkContainerCLI(t, bin, host, ctr) })
	t.Run("daemonset", func(t *testing.T) { checkDaemonSet(t, bin, d, docker, ctr) })
}

// checkDaemonSet runs a static nsview in a container that sees the host's
// processes (--pid=host, the host's /proc at /host/proc), as a DaemonSet
// would: containers must still be named, through the host's root, and
// users by the host's /etc/passwd, though the container has none.
func checkDaemonSet(t *testing.T, bin nsviewBinary, d *enginetest.Dockerd, others ...engineTruth) {
	runc := enginetest.Runc(t, enginetest.RuncOpts{ID: enginetest.Name("nsv")})
	plain, _ := runcTruth(t, runc.RuncRoot, runc.ID)
	nobody := startAsNobody(t)
	start := time.Now()
	out, err := d.HostView(string(bin), "--proc", "/host/proc", "--json")
	if err != nil {
		t.Fatalf("nsview in a DaemonSet-shaped container: %v", err)
	}
	t.Logf("docker run --rm nsview --proc /host/proc --json took %v", time.Since(start))
	doc := decodeNamespaces(t, out)
	for _, want := range append(others, plain) {
		checkOwnNamespaces(t, "from a container, nsview --proc /host/proc --json", doc, want, ownNamespaces(t, want.InitPID))
	}
	checkUser(t, doc, nsInode(t, nobody, "uts"), 65534)
	checkUser(t, doc, nsInode(t, plain.InitPID, "pid"), 0)
}

// checkUser checks that the namespace's USER is the host's name for uid,
// as getent(1) reads it from the host's /etc/passwd.
func checkUser(t *testing.T, doc map[uint64]jsonNS, inode uint64, uid int) {
	t.Helper()
	entry := engineOutput(t, exec.Command("getent", "passwd", strconv.Itoa(uid)))
	name, _, _ := strings.Cut(entry, ":")
	ns, ok := doc[inode]
	switch {
	case !ok:
		t.Errorf("from a container: no namespace %d", inode)
	case ns.UID != uid || ns.User != name:
		t.Errorf("from a container: namespace %d has uid %d, user %q; want %d, %q (the host's /etc/passwd)", inode, ns.UID, ns.User, uid, name)
	}
}

// startAsNobody runs `sleep 1000` as nobody (uid 65534) in a UTS namespace
// of its own, so that nobody is the namespace's USER. It is killed by PID
// when the test ends.
func startAsNobody(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("sleep", "1000")
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags: syscall.CLONE_NEWUTS,
		Credential: &syscall.Credential{Uid: 65534, Gid: 65534},
		Pdeathsig:  syscall.SIGKILL,
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	waitForCommand(t, cmd.Process.Pid, "sleep 1000")
	return cmd.Process.Pid
}

// buildStatic builds nsview with CGO_ENABLED=0 into a directory any user
// may read, and checks that it is static: it has to run in a container
// without a C library.
func buildStatic(t *testing.T) string {
	t.Helper()
	bin := buildBinary(t, "CGO_ENABLED=0")
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if slices.ContainsFunc(f.Progs, func(p *elf.Prog) bool { return p.Type == elf.PT_INTERP }) {
		t.Fatalf("%s is dynamically linked", bin)
	}
	return bin
}
