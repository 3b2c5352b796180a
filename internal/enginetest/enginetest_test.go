package enginetest_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nsview/nsview/internal/enginetest"
)

// Each test starts containers in a subtest, checks them against the kernel
// while they run, and checks after the subtest (whose cleanups have then
// run) that no process, cgroup, mount or state directory is left.

func TestRunc(t *testing.T) {
	t.Parallel()
	var c *enginetest.Container
	t.Run("running", func(t *testing.T) {
		start := time.Now()
		c = enginetest.Runc(t, enginetest.RuncOpts{})
		t.Logf("runc run -d took %v", time.Since(start))
		checkRunning(t, c)
		checkCgroupLines(t, c.InitPID, func(path string) bool { return strings.HasSuffix(path, "/"+c.ID) })
	})
	checkGone(t, c)
}

func TestKubeRunc(t *testing.T) {
	t.Parallel()
	var pod *enginetest.KubePod
	opts := enginetest.KubeOpts{Pod: "web-0", Namespace: "shop", UID: "8f4c2d1e-6b7a-4c3d-9e8f-0a1b2c3d4e5f", Container: "nginx"}
	t.Run("running", func(t *testing.T) {
		start := time.Now()
		pod = enginetest.KubeRunc(t, opts)
		t.Logf("sandbox and app started in %v", time.Since(start))
		for _, c := range []*enginetest.Container{pod.Sandbox, pod.App} {
			checkRunning(t, c)
			want := "/kubepods/besteffort/pod" + opts.UID + "/" + c.ID
			checkCgroupLines(t, c.InitPID, func(path string) bool { return path == want })
		}
		checkSharedNamespaces(t, pod.Sandbox.InitPID, pod.App.InitPID)
		checkAnnotations(t, pod.App, map[string]string{
			enginetest.AnnotationContainerType:    enginetest.ContainerTypeContainer,
			enginetest.AnnotationContainerName:    opts.Container,
			enginetest.AnnotationSandboxID:        pod.Sandbox.ID,
			enginetest.AnnotationSandboxName:      opts.Pod,
			enginetest.AnnotationSandboxNamespace: opts.Namespace,
			enginetest.AnnotationSandboxUID:       opts.UID,
		})
		checkAnnotations(t, pod.Sandbox, map[string]string{enginetest.AnnotationContainerType: enginetest.ContainerTypeSandbox})
	})
	if pod == nil {
		return
	}
	checkGone(t, pod.Sandbox)
	checkGone(t, pod.App)
	checkNoCgroup(t, "pod"+opts.UID)
}

func TestPodman(t *testing.T) {
	t.Parallel()
	var c *enginetest.Container
	name := enginetest.Name("nsview-podman")
	t.Run("running", func(t *testing.T) {
		start := time.Now()
		c = enginetest.Podman(t, name)
		t.Logf("podman import and run took %v", time.Since(start))
		checkRunning(t, c)
		checkCgroupLines(t, c.InitPID, func(path string) bool { return path == "/libpod_parent/libpod-"+c.ID })
		checkComm(t, c.MonitorPID, "conmon")
		checkCmdlineHas(t, c.MonitorPID, "-c", c.ID)
		checkCmdlineHas(t, c.MonitorPID, "-n", name)
	})
	checkGone(t, c)
}

// ctrNamespace is the containerd namespace TestDocker's ctr task runs in.
// checkNoCgroup looks for cgroups whose names contain it, so no other
// test's cgroup may: those of kerneltest.Cgroups, which tests of other
// packages make at the same time, are nsview-test-PID.
const ctrNamespace = "nsview-ctr-test"

func TestDocker(t *testing.T) {
	t.Parallel()
	var d *enginetest.Dockerd
	var cs []*enginetest.Container
	t.Run("running", func(t *testing.T) {
		start := time.Now()
		d = enginetest.Docker(t)
		t.Logf("dockerd start and docker import took %v", time.Since(start))
		start = time.Now()
		c := d.Run(t, enginetest.Name("nsview-docker"))
		t.Logf("docker run -d took %v", time.Since(start))
		cs = append(cs, c)
		checkRunning(t, c)
		checkCgroupLines(t, c.InitPID, func(path string) bool { return path == "/docker/"+c.ID })
		checkComm(t, c.MonitorPID, "containerd-shim")
		checkConfigV2(t, d.ConfigV2(c.ID), c)
		checkHostView(t, d, c.InitPID)

		start = time.Now()
		task := d.Ctr(t, ctrNamespace, enginetest.Name("nsview-ctr"))
		t.Logf("docker save, ctr import and ctr run -d took %v", time.Since(start))
		cs = append(cs, task)
		checkRunning(t, task)
		checkCgroupLines(t, task.InitPID, func(path string) bool { return path == "/"+ctrNamespace+"/"+task.ID })
		checkComm(t, task.MonitorPID, "containerd-shim")
	})
	for _, c := range cs {
		checkGone(t, c)
	}
	if d == nil {
		return
	}
	checkProcessGone(t, d.PID, "dockerd")
	checkNoPath(t, d.Dir)
	checkNoMount(t, d.Dir)
	checkNoCgroup(t, ctrNamespace)
	checkNoPath(t, enginetest.CtrRuncRoot(ctrNamespace))
}

// checkRunning checks c against the kernel: its init PID runs `sleep
// 1000` in pid and mount namespaces of its own, and its runc state and
// bundle config name it.
func checkRunning(t *testing.T, c *enginetest.Container) {
	t.Helper()
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", c.InitPID))
	if err != nil {
		t.Fatalf("%s container %s: init PID %d: %v", c.Engine, c.ID, c.InitPID, err)
	}
	if string(cmdline) != "sleep\x001000\x00" {
		t.Errorf("%s container %s: PID %d runs %q, want sleep 1000", c.Engine, c.ID, c.InitPID, cmdline)
	}
	for _, ns := range []string{"pid", "mnt"} {
		if link(t, "/proc/self/ns/"+ns) == link(t, fmt.Sprintf("/proc/%d/ns/%s", c.InitPID, ns)) {
			t.Errorf("%s container %s: PID %d shares our %s namespace", c.Engine, c.ID, c.InitPID, ns)
		}
	}
	var state struct {
		ID      string `json:"id"`
		InitPID int    `json:"init_process_pid"`
	}
	readJSON(t, c.StateFile(), &state)
	if state.ID != c.ID || state.InitPID != c.InitPID {
		t.Errorf("%s: id %q, init_process_pid %d; want %q, %d", c.StateFile(), state.ID, state.InitPID, c.ID, c.InitPID)
	}
	var spec struct{ Process struct{ Args []string } }
	readJSON(t, filepath.Join(c.Bundle, "config.json"), &spec)
	if strings.Join(spec.Process.Args, " ") != "sleep 1000" {
		t.Errorf("%s/config.json: process.args %q, want sleep 1000", c.Bundle, spec.Process.Args)
	}
}

// checkCgroupLines checks that every line of /proc/PID/cgroup has a path
// that ok accepts, except the memory controller's of a nested cgroupfs.
func checkCgroupLines(t *testing.T, pid int, ok func(path string) bool) {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("/proc/%d/cgroup:\n%s", pid, data)
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 || !ok(parts[2]) {
			t.Errorf("/proc/%d/cgroup: unexpected line %q", pid, line)
		}
	}
}

func checkSharedNamespaces(t *testing.T, sandbox, app int) {
	t.Helper()
	for ns, shared := range map[string]bool{"net": true, "ipc": true, "uts": true, "pid": false, "mnt": false} {
		same := link(t, fmt.Sprintf("/proc/%d/ns/%s", sandbox, ns)) == link(t, fmt.Sprintf("/proc/%d/ns/%s", app, ns))
		if same != shared {
			t.Errorf("%s namespace shared by sandbox %d and app %d: %v, want %v", ns, sandbox, app, same, shared)
		}
	}
}

func checkAnnotations(t *testing.T, c *enginetest.Container, want map[string]string) {
	t.Helper()
	var spec struct{ Annotations map[string]string }
	readJSON(t, filepath.Join(c.Bundle, "config.json"), &spec)
	for key, value := range want {
		if spec.Annotations[key] != value {
			t.Errorf("%s/config.json: annotation %s = %q, want %q", c.Bundle, key, spec.Annotations[key], value)
		}
	}
}

func checkComm(t *testing.T, pid int, want string) {
	t.Helper()
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil || strings.TrimSpace(string(comm)) != want {
		t.Errorf("monitor PID %d: comm %q (%v), want %q", pid, comm, err, want)
	}
}

// checkCmdlineHas checks that the arguments of pid hold flag followed by value.
func checkCmdlineHas(t *testing.T, pid int, flag, value string) {
	t.Helper()
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(cmdline, []byte("\x00"+flag+"\x00"+value+"\x00")) {
		t.Errorf("PID %d's arguments lack %s %s: %q", pid, flag, value, cmdline)
	}
}

func checkConfigV2(t *testing.T, path string, c *enginetest.Container) {
	t.Helper()
	var config struct {
		ID, Name string
		State    struct{ Pid int }
	}
	readJSON(t, path, &config)
	if config.ID != c.ID || config.Name != "/"+c.Name || config.State.Pid != c.InitPID {
		t.Errorf("%s: ID %q Name %q State.Pid %d; want %q, /%s, %d", path, config.ID, config.Name, config.State.Pid, c.ID, c.Name, c.InitPID)
	}
}

// checkHostView runs the host's static busybox in a DaemonSet-shaped
// container and checks that it reads pid's namespaces through /host/proc
// as the host does.
func checkHostView(t *testing.T, d *enginetest.Dockerd, pid int) {
	t.Helper()
	netLink := fmt.Sprintf("/proc/%d/ns/net", pid)
	start := time.Now()
	out, err := d.HostView("/bin/busybox", "readlink", "/host"+netLink)
	t.Logf("docker run --rm (host view) took %v", time.Since(start))
	if err != nil {
		t.Fatal(err)
	}
	if want := link(t, netLink); out != want {
		t.Errorf("host view reads /host%s as %q, the host as %q", netLink, out, want)
	}
}

// checkGone checks that nothing of c is left: its processes, its runc
// state directory, cgroups named after it and mounts naming it.
func checkGone(t *testing.T, c *enginetest.Container) {
	t.Helper()
	if c == nil {
		return
	}
	checkProcessGone(t, c.InitPID, c.ID)
	if c.MonitorPID != 0 {
		checkProcessGone(t, c.MonitorPID, c.ID)
	}
	checkNoPath(t, filepath.Join(c.RuncRoot, c.ID))
	checkNoPath(t, c.Bundle)
	checkNoCgroup(t, c.ID)
	checkNoMount(t, c.ID)
}

func checkNoPath(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s is still there (%v)", path, err)
	}
}

// checkProcessGone waits until pid has left /proc, or is another process
// now: one whose cmdline and cgroup no longer name what.
func checkProcessGone(t *testing.T, pid int, what string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		cmdline, err1 := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		cgroup, err2 := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
		if err1 != nil || err2 != nil || !bytes.Contains(append(cmdline, cgroup...), []byte(what)) {
			return
		}
	}
	t.Errorf("PID %d (%s) is still there 30 s after cleanup", pid, what)
}

// checkNoCgroup checks that no cgroup directory under /sys/fs/cgroup is
// named name, and none named like the container (libpod-ID).
func checkNoCgroup(t *testing.T, name string) {
	t.Helper()
	filepath.WalkDir("/sys/fs/cgroup", func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && strings.Contains(d.Name(), name) {
			t.Errorf("cgroup %s is still there", path)
		}
		return nil
	})
}

func checkNoMount(t *testing.T, name string) {
	t.Helper()
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, name) {
			t.Errorf("still mounted: %s", line)
		}
	}
}

func link(t *testing.T, path string) string {
	t.Helper()
	target, err := os.Readlink(path)
	if err != nil {
		t.Fatal(err)
	}
	return target
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
