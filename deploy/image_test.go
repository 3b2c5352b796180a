package deploy

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
	appsv1 "k8s.io/api/apps/v1"
)

// podmanSandboxFlags keep podman from raising rlimits, which fails in this
// sandbox (no CAP_SYS_RESOURCE), as internal/enginetest does.
var podmanSandboxFlags = []string{"--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096"}

// TestImageReadsHost builds the image from the Containerfile, runs it on
// this host the way daemonset.yaml runs it on a node (the host's PID
// namespace and /proc, the DaemonSet's capabilities and security
// settings), and checks what its /metrics says against the kernel: that
// the chosen capabilities let it read as many of the host's processes as
// the test itself, root with every capability, can.
func TestImageReadsHost(t *testing.T) {
	requireRoot(t)
	requireTools(t, "go", "podman", "conmon", "runc")
	image := buildImage(t)
	checkImageHasOnlyNsview(t, image)
	ds := readManifest(t).daemonSet
	// Before the agent starts, so that its first scan sees it.
	nestedUserNamespace(t)
	url := runAgent(t, image, ds)

	get(t, url+"/healthz", "ok")
	var last error
	for attempt := 0; attempt < 5; attempt++ {
		if last = checkHostMetrics(t, url); last == nil {
			return
		}
		// Processes come and go (other tests run on this host): wait for
		// the agent's next scan and compare again.
		t.Logf("attempt %d: %v", attempt+1, last)
		time.Sleep(1100 * time.Millisecond)
	}
	t.Fatal(last)
}

// buildImage builds nsview as `make build` does (static: the image has no
// libc) and the image from deploy/Containerfile, and returns the image's
// ID. The image is removed, by ID, when the test ends.
func buildImage(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := runEnv("..", []string{"CGO_ENABLED=0"}, "go", "build", "-tags", "urfave_cli_no_docs",
		"-trimpath", "-o", filepath.Join(dir, "nsview"), "."); err != nil {
		t.Fatal(err)
	}
	iidFile := filepath.Join(dir, "iid")
	if _, err := run("podman", "build", "--layers=false", "--iidfile", iidFile, "-f", "Containerfile", dir); err != nil {
		require(t, err.Error())
	}
	iid, err := os.ReadFile(iidFile)
	if err != nil {
		t.Fatal(err)
	}
	id := strings.TrimPrefix(strings.TrimSpace(string(iid)), "sha256:")
	t.Cleanup(func() { cleanupRun(t, "podman", "rmi", id) })
	return id
}

// checkImageHasOnlyNsview checks that the image is one layer (FROM
// scratch, COPY nsview) whose entrypoint is nsview, and has no shell.
func checkImageHasOnlyNsview(t *testing.T, image string) {
	t.Helper()
	out, err := run("podman", "image", "inspect", "--format", "{{len .RootFS.Layers}} {{json .Config.Entrypoint}}", image)
	if err != nil {
		t.Fatal(err)
	}
	if out != `1 ["/nsview"]` {
		t.Errorf("image layers and entrypoint: %s, want 1 [\"/nsview\"]", out)
	}
	args := append([]string{"run", "--rm", "--network", "none", "--entrypoint", "/bin/sh"}, podmanSandboxFlags...)
	if _, err := run("podman", append(args, image, "-c", "true")...); err == nil {
		t.Error("the image has a shell")
	}
}

// runAgent starts the image as daemonset.yaml's container, listening on a
// free port of 127.0.0.1 instead of the pod IP, and returns its URL. The
// container is removed, by ID, when the test ends.
func runAgent(t *testing.T, image string, ds *appsv1.DaemonSet) string {
	t.Helper()
	flags, err := podmanFlags(ds)
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"run", "-d", "--network", "host"}, podmanSandboxFlags...)
	args = append(append(args, flags...), image)
	args = append(args, agentArgs(agentContainer(t, ds).Args, "127.0.0.1:0")...)
	// Scan at most once a second, so a retry sees a fresh scan soon.
	args = append(args, "--scan-interval", "1s")
	id, err := run("podman", args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cleanupRun(t, "podman", "rm", "-f", "-t", "0", id) })
	return "http://" + listenAddress(t, id)
}

// podmanFlags translates the DaemonSet's pod and container settings into
// podman run flags.
func podmanFlags(ds *appsv1.DaemonSet) ([]string, error) {
	pod := &ds.Spec.Template.Spec
	c := &pod.Containers[0]
	var flags []string
	if pod.HostPID {
		flags = append(flags, "--pid", "host")
	}
	for _, m := range c.VolumeMounts {
		v := volume(pod, m.Name)
		if v == nil || v.HostPath == nil {
			return nil, fmt.Errorf("volume %s: only host paths are supported", m.Name)
		}
		mode := "rw"
		if m.ReadOnly {
			mode = "ro"
		}
		flags = append(flags, "-v", v.HostPath.Path+":"+m.MountPath+":"+mode)
	}
	sc := c.SecurityContext
	for _, capability := range sc.Capabilities.Drop {
		flags = append(flags, "--cap-drop", string(capability))
	}
	for _, capability := range sc.Capabilities.Add {
		flags = append(flags, "--cap-add", string(capability))
	}
	if sc.RunAsUser != nil {
		flags = append(flags, "--user", strconv.FormatInt(*sc.RunAsUser, 10))
	}
	if sc.ReadOnlyRootFilesystem != nil && *sc.ReadOnlyRootFilesystem {
		flags = append(flags, "--read-only")
	}
	if sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation {
		flags = append(flags, "--security-opt", "no-new-privileges")
	}
	// seccomp RuntimeDefault: podman applies its default profile unless
	// told otherwise.
	return flags, nil
}

// agentArgs returns args with the value of --listen replaced by listen.
func agentArgs(args []string, listen string) []string {
	out := append([]string(nil), args...)
	for i := 0; i+1 < len(out); i++ {
		if out[i] == "--listen" {
			out[i+1] = listen
		}
	}
	return out
}

// listenRE finds the address in the agent's "Listening on" log line.
var listenRE = regexp.MustCompile(`msg="Listening on" address=(\S+)`)

// listenAddress waits for the agent in container id to log the address it
// listens on, and returns it.
func listenAddress(t *testing.T, id string) string {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		// The agent logs to stderr, which podman logs writes to its own.
		out, err := exec.Command("podman", "logs", id).CombinedOutput()
		logs := string(out)
		if err != nil {
			t.Fatalf("podman logs %s: %v: %s", id, err, logs)
		}
		if m := listenRE.FindStringSubmatch(logs); m != nil {
			return m[1]
		}
		if running, err := run("podman", "inspect", "--format", "{{.State.Running}}", id); err != nil || running != "true" {
			t.Fatalf("the agent stopped before it listened: %v\n%s", err, logs)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the agent did not log its address within a minute:\n%s", logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// nestedUserNamespace starts a process two user namespaces below the
// host's, whose parent holds no process: it is there only as the parent,
// which nsview finds with the NS_GET_PARENT ioctl. It checks that with the
// same ioctl. The process is killed, by
// PID, when the test ends.
func nestedUserNamespace(t *testing.T) {
	t.Helper()
	// unshare execs sh, which execs unshare, which execs sleep: one PID,
	// and no process left in the first new user namespace.
	cmd := exec.Command("unshare", "-U", "-r", "sh", "-c", "exec unshare -U -r sleep 1000")
	if err := cmd.Start(); err != nil {
		require(t, err.Error())
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	pid := cmd.Process.Pid
	// Until it has exec'd sleep; an unshare that failed stays a zombie,
	// unwaited for, with its own name.
	deadline := time.Now().Add(time.Minute)
	for {
		comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		if err != nil {
			t.Fatalf("the nested user namespace: %v", err)
		}
		if string(comm) == "sleep\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the nested user namespace: process %d is still %q after a minute", pid, comm)
		}
		time.Sleep(10 * time.Millisecond)
	}
	fd, err := unix.Open(fmt.Sprintf("/proc/%d/ns/user", pid), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	parent, err := unix.IoctlRetInt(fd, unix.NS_GET_PARENT)
	if err != nil {
		t.Fatalf("NS_GET_PARENT: %v", err)
	}
	defer unix.Close(parent)
	var st unix.Stat_t
	if err := unix.Fstat(parent, &st); err != nil {
		t.Fatal(err)
	}
	if members := membersOf("user", st.Ino); members != 0 {
		t.Fatalf("user namespace %d has %d processes, want none", st.Ino, members)
	}
}

// membersOf counts the processes whose namespace of type typ has inode ino.
func membersOf(typ string, ino uint64) int {
	n := 0
	for _, pid := range pids() {
		var st unix.Stat_t
		if unix.Stat("/proc/"+pid+"/ns/"+typ, &st) == nil && st.Ino == ino {
			n++
		}
	}
	return n
}

// hostView is what the test, root with every capability, reads from the
// kernel: the network namespaces its processes are in, and how many
// processes it may not read.
type hostView struct {
	netns  map[uint64]bool
	denied int
}

// readHost reads hostView from /proc, the way nsview reads a process's
// namespaces: stat through /proc/PID/ns/net, which checks ptrace access.
func readHost() hostView {
	v := hostView{netns: map[uint64]bool{}}
	for _, pid := range pids() {
		var st unix.Stat_t
		err := unix.Stat("/proc/"+pid+"/ns/net", &st)
		switch {
		case err == nil:
			v.netns[st.Ino] = true
		case errors.Is(err, unix.EACCES), errors.Is(err, unix.EPERM):
			v.denied++
		}
	}
	return v
}

// pids lists the PIDs in /proc.
func pids() []string {
	entries, _ := os.ReadDir("/proc")
	var out []string
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err == nil {
			out = append(out, e.Name())
		}
	}
	return out
}

// checkHostMetrics compares the agent's metrics with what the test reads
// from the kernel just before and after the scrape (the scrape starts a
// scan, since the last one is more than a second old).
func checkHostMetrics(t *testing.T, url string) error {
	t.Helper()
	before := readHost()
	metrics := scrape(t, url+"/metrics")
	after := readHost()
	if metrics["nsview_scan_success"] != 1 {
		return fmt.Errorf("nsview_scan_success is %v", metrics["nsview_scan_success"])
	}
	for _, typ := range []string{"cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"} {
		if _, ok := metrics[`nsview_namespaces{type="`+typ+`"}`]; !ok {
			return fmt.Errorf("no nsview_namespaces for type %s", typ)
		}
	}
	denied, read := metrics[`nsview_processes{state="denied"}`], metrics[`nsview_processes{state="read"}`]
	if most := max(before.denied, after.denied); denied > float64(most) || read == 0 {
		return fmt.Errorf("the agent read %v processes and was denied %v; the test, root with every capability, was denied %d", read, denied, most)
	}
	// The network namespaces that existed before and after the scrape
	// existed during its scan.
	stable := 0
	for ino := range before.netns {
		if after.netns[ino] {
			stable++
		}
	}
	if got := metrics[`nsview_namespaces{type="net"}`]; got < float64(stable) {
		return fmt.Errorf("the agent found %v network namespaces, the kernel has at least %d", got, stable)
	}
	// The parent of the nested user namespace has no process.
	if got := metrics[`nsview_namespaces_without_processes{type="user"}`]; got < 1 {
		return fmt.Errorf("nsview_namespaces_without_processes{type=\"user\"} is %v, want at least 1: NS_GET_PARENT failed in the container", got)
	}
	return nil
}

// scrape GETs url and returns its samples in the text format, by series
// (`name{labels}` as written, or just the name).
func scrape(t *testing.T, url string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	samples := map[string]float64{}
	lines := bufio.NewScanner(resp.Body)
	for lines.Scan() {
		line := lines.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if i < 0 || err != nil {
			t.Fatalf("GET %s: not a sample: %q", url, line)
		}
		samples[line[:i]] = v
	}
	if err := lines.Err(); err != nil {
		t.Fatal(err)
	}
	return samples
}

// get GETs url and checks that it answers 200 with body want.
func get(t *testing.T, url, want string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != want {
		t.Errorf("GET %s: %s %q, want 200 %q", url, resp.Status, body, want)
	}
}
