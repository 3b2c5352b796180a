package enginetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// DockerImage is the Busybox image every Dockerd holds.
const DockerImage = "nsview-busybox:test"

// dockerdFlags keep dockerd off the host's network setup and out of
// rlimits the sandbox may not raise (no CAP_SYS_RESOURCE), and use the vfs
// storage driver, which works on any filesystem.
var dockerdFlags = []string{
	"--iptables=false", "--ip6tables=false", "--bridge=none", "--storage-driver=vfs",
	"--default-ulimit", "nofile=1024:1024", "--default-ulimit", "nproc=4096:4096",
}

// Dockerd is a docker daemon a test started, with all its state under Dir:
// its data root, exec root, pid file, socket and the containerd it starts.
type Dockerd struct {
	Dir              string // the daemon's own directory, removed at the end
	Socket           string // docker's API socket (DOCKER_HOST=unix://Socket)
	DataRoot         string // --data-root: containers/ID/config.v2.json live here
	ExecRoot         string // --exec-root: runc state is ExecRoot/runtime-runc/moby
	ContainerdSocket string // the socket of the containerd dockerd uses (for ctr -a)
	ContainerdState  string // that containerd's state dir: bundles are under io.containerd.runtime.v2.task/NS/ID
	PID              int    // dockerd's PID
	cmd              *exec.Cmd
	done             chan struct{} // closed when dockerd has exited
}

// Docker starts a dockerd of the test's own, imports DockerImage into it,
// and stops it (SIGTERM, by PID) when the test ends.
func Docker(t testing.TB) *Dockerd {
	t.Helper()
	requireTools(t, "dockerd", "docker", "containerd", "runc")
	// Not t.TempDir: unix socket paths must stay under 108 bytes.
	dir, err := os.MkdirTemp("", "nsv-d")
	if err != nil {
		t.Fatal(err)
	}
	d := newDockerd(dir)
	t.Cleanup(func() { d.remove(t) })
	if err := d.start(); err != nil {
		Require(t, err.Error())
	}
	d.findContainerd()
	t.Cleanup(func() { d.stop(t) })
	if _, err := d.docker("import", BusyboxTar(t), DockerImage); err != nil {
		t.Fatal(err)
	}
	return d
}

func newDockerd(dir string) *Dockerd {
	execRoot := filepath.Join(dir, "exec")
	return &Dockerd{
		Dir:              dir,
		Socket:           filepath.Join(dir, "docker.sock"),
		DataRoot:         filepath.Join(dir, "data"),
		ExecRoot:         execRoot,
		ContainerdSocket: filepath.Join(execRoot, "containerd", "containerd.sock"),
		ContainerdState:  filepath.Join(execRoot, "containerd", "daemon"),
	}
}

// System containerd's socket and state dir, as Debian's package sets them.
const (
	systemContainerdSocket = "/run/containerd/containerd.sock"
	systemContainerdState  = "/run/containerd"
)

// findContainerd points ContainerdSocket and ContainerdState at the
// system containerd when dockerd started none of its own: dockerd 20.10
// uses /run/containerd/containerd.sock when something listens there.
func (d *Dockerd) findContainerd() {
	if _, err := os.Stat(d.ContainerdSocket); err == nil {
		return
	}
	if _, err := os.Stat(systemContainerdSocket); err == nil {
		d.ContainerdSocket, d.ContainerdState = systemContainerdSocket, systemContainerdState
	}
}

// bundle is the OCI bundle directory containerd made for task id in
// namespace ns.
func (d *Dockerd) bundle(ns, id string) string {
	return filepath.Join(d.ContainerdState, "io.containerd.runtime.v2.task", ns, id)
}

// start runs dockerd and waits until its API answers.
func (d *Dockerd) start() error {
	log, err := os.Create(filepath.Join(d.Dir, "dockerd.log"))
	if err != nil {
		return err
	}
	defer log.Close()
	args := append([]string{
		"--data-root", d.DataRoot, "--exec-root", d.ExecRoot,
		"--pidfile", filepath.Join(d.Dir, "dockerd.pid"), "--host", "unix://" + d.Socket,
	}, dockerdFlags...)
	d.cmd = exec.Command("dockerd", args...)
	d.cmd.Stdout, d.cmd.Stderr = log, log
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := d.cmd.Start(); err != nil {
		return err
	}
	d.PID = d.cmd.Process.Pid
	d.done = make(chan struct{})
	go func() {
		d.cmd.Wait()
		close(d.done)
	}()
	if err := d.waitReady(); err != nil {
		d.cmd.Process.Kill()
		<-d.done
		return fmt.Errorf("dockerd: %w; its log ends:\n%s", err, d.logTail())
	}
	return nil
}

// waitReady waits until GET /_ping on the socket answers OK, dockerd
// exits, or a minute has passed.
func (d *Dockerd) waitReady() error {
	client := http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", d.Socket)
		},
	}}
	defer client.CloseIdleConnections()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		select {
		case <-d.done:
			return errors.New("exited before its API answered")
		default:
		}
		if resp, err := client.Get("http://docker/_ping"); err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && string(body) == "OK" {
				return nil
			}
		}
	}
	return fmt.Errorf("%s did not answer /_ping within a minute", d.Socket)
}

// logTail is the end of dockerd's log, to say why it failed.
func (d *Dockerd) logTail() string {
	data, _ := os.ReadFile(filepath.Join(d.Dir, "dockerd.log"))
	if len(data) > 4096 {
		data = data[len(data)-4096:]
	}
	return string(data)
}

// stop ends dockerd by PID with SIGTERM (SIGKILL after 30 s), then the
// containerd it started, if that outlived it.
func (d *Dockerd) stop(t testing.TB) {
	t.Helper()
	containerd, _ := readPIDFile(filepath.Join(d.ExecRoot, "containerd", "containerd.pid"))
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(30 * time.Second):
		t.Logf("cleanup: dockerd %d ignored SIGTERM for 30 s; killing it", d.PID)
		d.cmd.Process.Kill()
		<-d.done
	}
	if containerd > 0 && !waitGone(containerd) {
		t.Logf("cleanup: containerd %d outlived dockerd; killing it", containerd)
		syscall.Kill(containerd, syscall.SIGKILL)
	}
}

// remove unmounts whatever is still mounted under Dir and removes it.
func (d *Dockerd) remove(t testing.TB) {
	t.Helper()
	for _, mnt := range mountsUnder(d.Dir) {
		if err := unix.Unmount(mnt, unix.MNT_DETACH); err != nil {
			t.Logf("cleanup: unmount %s: %v", mnt, err)
		}
	}
	if err := os.RemoveAll(d.Dir); err != nil {
		t.Logf("cleanup: %v", err)
	}
}

// mountsUnder lists this process's mount points at or below dir, deepest
// last as mountinfo lists them; read them backwards to unmount.
func mountsUnder(dir string) []string {
	data, _ := os.ReadFile("/proc/self/mountinfo")
	var mounts []string
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.Fields(line)
		if len(fields) > 4 && (fields[4] == dir || strings.HasPrefix(fields[4], dir+"/")) {
			mounts = append([]string{fields[4]}, mounts...)
		}
	}
	return mounts
}

// Command is a docker CLI command talking to this daemon.
func (d *Dockerd) Command(args ...string) *exec.Cmd {
	cmd := exec.Command("docker", args...)
	cmd.Env = append(os.Environ(), "DOCKER_HOST=unix://"+d.Socket)
	return cmd
}

func (d *Dockerd) docker(args ...string) (string, error) {
	return output(d.Command(args...))
}

// Run runs `docker run -d --name NAME FLAGS... DockerImage sleep 1000` and
// removes the container by ID (docker rm -f) when the test ends.
func (d *Dockerd) Run(t testing.TB, name string, flags ...string) *Container {
	t.Helper()
	args := append([]string{"run", "-d", "--name", name}, flags...)
	id, err := d.docker(append(args, DockerImage, "sleep", "1000")...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := d.docker("rm", "-f", id); err != nil {
			t.Logf("cleanup: %v", err)
		}
	})
	c := &Container{
		Engine: "docker", ID: id, Name: name,
		Bundle:   d.bundle("moby", id),
		RuncRoot: filepath.Join(d.ExecRoot, "runtime-runc", "moby"),
	}
	if c.InitPID, err = d.inspectPID(id); err != nil {
		t.Fatal(err)
	}
	if c.MonitorPID, err = parentPID(c.InitPID); err != nil {
		t.Fatal(err)
	}
	waitExec(t, c)
	return c
}

func (d *Dockerd) inspectPID(id string) (int, error) {
	out, err := d.docker("inspect", "--format", "{{.State.Pid}}", id)
	if err != nil {
		return 0, err
	}
	pid, err := strconv.Atoi(out)
	if err != nil {
		return 0, fmt.Errorf("docker inspect %s: %w", id, err)
	}
	return pid, nil
}

// ConfigV2 is the path of docker's config.v2.json for container id.
func (d *Dockerd) ConfigV2(id string) string {
	return filepath.Join(d.DataRoot, "containers", id, "config.v2.json")
}

// HostView runs binary (a static executable, bind-mounted read-only as
// /hostview/BASENAME, so that busybox still knows its name) in a
// DaemonSet-shaped container: --pid=host, SYS_PTRACE and SYS_ADMIN, the
// host's /proc at /host/proc. It waits for it to exit and returns its
// stdout; docker run --rm removes the container.
func (d *Dockerd) HostView(binary string, args ...string) (string, error) {
	inside := "/hostview/" + filepath.Base(binary)
	run := []string{
		"run", "--rm", "--pid=host", "--cap-add", "SYS_PTRACE", "--cap-add", "SYS_ADMIN",
		"-v", "/proc:/host/proc:ro", "-v", binary + ":" + inside + ":ro", DockerImage, inside,
	}
	return d.docker(append(run, args...)...)
}
