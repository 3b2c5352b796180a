package container

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/nsview/nsview/internal/kerneltest"
)

// requireCgroups skips a test that needs root and writable cgroup file
// systems, or fails it when NSVIEW_REQUIRE_NS=1 (CI) says they must be
// testable.
func requireCgroups(t *testing.T, why string) {
	t.Helper()
	kerneltest.Require(t, "cgroups: "+why)
}

// TestKernelCgroupFile moves a process into cgroups named as the engines
// name them, in every mounted hierarchy it can write (v1 and v2), and reads
// back what the kernel then shows in /proc/PID/cgroup.
func TestKernelCgroupFile(t *testing.T) {
	if os.Geteuid() != 0 {
		requireCgroups(t, "not root")
	}
	mounts := cgroupMounts(t)
	if len(mounts) == 0 {
		requireCgroups(t, "no cgroup file system mounted")
	}
	top := "nsview-container-test-" + strconv.Itoa(os.Getpid())
	t.Cleanup(func() { // after every subtest's process is gone
		for _, m := range mounts {
			removeCgroups(filepath.Join(m, top))
		}
	})
	tests := []struct {
		name string
		path string // under top
		want Container
	}{
		{"docker cgroupfs", "docker/" + id1, Container{Runtime: RuntimeDocker, ID: id1}},
		{"k8s systemd slice names", "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + uidSlice + ".slice/cri-containerd-" + id2 + ".scope",
			Container{Runtime: RuntimeContainerd, ID: id2, Pod: &Pod{UID: uid}}},
		{"k8s cgroupfs", "kubepods/burstable/pod" + uid + "/" + id2, Container{Runtime: RuntimeUnknown, ID: id2, Pod: &Pod{UID: uid}}},
		{"lxc", "lxc.payload.c1", Container{Runtime: RuntimeLXC, ID: "c1", Name: "c1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command("sleep", "1000")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
			pid := cmd.Process.Pid
			moved := 0
			for _, m := range mounts {
				dir := filepath.Join(m, top, tt.path)
				if err := os.MkdirAll(dir, 0o755); err != nil {
					continue
				}
				if os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0) == nil {
					moved++
				}
			}
			if moved == 0 {
				requireCgroups(t, "no cgroup hierarchy took the process")
			}
			data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cgroup")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(data), "/"+top+"/"+tt.path) {
				t.Fatalf("the kernel shows no %s in\n%s", tt.path, data)
			}
			got, ok := FromCgroupFile(data)
			if !ok || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("FromCgroupFile(%q) = %+v, %v; want %+v", data, got, ok, tt.want)
			}
		})
	}
}

// cgroupMounts lists the mount points of cgroup and cgroup2 file systems.
func cgroupMounts(t *testing.T) []string {
	data, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && (f[2] == "cgroup" || f[2] == "cgroup2") {
			out = append(out, f[1])
		}
	}
	return out
}

// removeCgroups removes a tree of cgroups, deepest first, once the test's
// processes are gone (rmdir of a cgroup fails while it has members).
func removeCgroups(dir string) {
	var dirs []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			dirs = append(dirs, p)
		}
		return nil
	})
	for i := len(dirs) - 1; i >= 0; i-- {
		syscall.Rmdir(dirs[i])
	}
}
