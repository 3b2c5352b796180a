package enginetest

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// CtrRuncRoot is where containerd-shim-runc-v2 keeps runc's state for
// namespace ns when containerd sets no runtime root: /run/containerd/runc/NS,
// even for the containerd dockerd starts under its own exec root.
func CtrRuncRoot(ns string) string {
	return filepath.Join("/run/containerd/runc", ns)
}

// ctrImage is DockerImage as containerd names it after `ctr image import`.
const ctrImage = "docker.io/library/" + DockerImage

// Ctr runs `sleep 1000` as containerd task id in namespace ns of the
// containerd this dockerd uses (ctr -a d.ContainerdSocket -n ns run -d),
// after importing DockerImage there (docker save, ctr image import). When
// the test ends the task, container and image are deleted, and the
// namespace's cgroup /NS and runc root removed if empty.
func (d *Dockerd) Ctr(t testing.TB, ns, id string) *Container {
	t.Helper()
	requireTools(t, "ctr")
	if err := d.importToContainerd(t, ns); err != nil {
		t.Fatal(err)
	}
	if _, err := d.ctr(ns, "run", "-d", ctrImage, id, "sleep", "1000"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, args := range [][]string{{"task", "delete", "-f", id}, {"container", "delete", id}, {"image", "rm", ctrImage}} {
			if _, err := d.ctr(ns, args...); err != nil {
				t.Logf("cleanup: %v", err)
			}
		}
		removeCgroup(t, "/"+ns)
		removeEmptyDir(t, CtrRuncRoot(ns))
	})
	c := &Container{
		Engine: "ctr", ID: id, Name: id, RuncRoot: CtrRuncRoot(ns),
		Bundle: d.bundle(ns, id),
	}
	var err error
	if c.InitPID, err = d.ctrTaskPID(ns, id); err != nil {
		t.Fatal(err)
	}
	if c.MonitorPID, err = parentPID(c.InitPID); err != nil {
		t.Fatal(err)
	}
	waitExec(t, c)
	return c
}

// ctr runs ctr against this daemon's containerd in namespace ns.
func (d *Dockerd) ctr(ns string, args ...string) (string, error) {
	return run("ctr", append([]string{"--address", d.ContainerdSocket, "--namespace", ns}, args...)...)
}

// importToContainerd copies DockerImage from dockerd into containerd
// namespace ns: docker save, then ctr image import.
func (d *Dockerd) importToContainerd(t testing.TB, ns string) error {
	archive := filepath.Join(t.TempDir(), "image.tar")
	if _, err := d.docker("save", "--output", archive, DockerImage); err != nil {
		return err
	}
	_, err := d.ctr(ns, "image", "import", archive)
	return err
}

// ctrTaskPID reads the task's PID from `ctr task ls`.
func (d *Dockerd) ctrTaskPID(ns, id string) (int, error) {
	out, err := d.ctr(ns, "task", "ls")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(out, "\n") {
		if fields := strings.Fields(line); len(fields) >= 2 && fields[0] == id {
			return strconv.Atoi(fields[1])
		}
	}
	return 0, fmt.Errorf("ctr task ls: no task %s in namespace %s:\n%s", id, ns, out)
}
