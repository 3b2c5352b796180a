package container

import (
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
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
// name them, in the hierarchies kerneltest.NewCgroups places processes in
// (v1 and v2), and reads back what the kernel then shows in
// /proc/PID/cgroup.
func TestKernelCgroupFile(t *testing.T) {
	if os.Geteuid() != 0 {
		requireCgroups(t, "not root")
	}
	cg := kerneltest.NewCgroups(t)
	tests := []struct {
		name string
		path string // under the test's top cgroup
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
			cg.Move(t, pid, tt.path)
			data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cgroup")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(data), cg.Path(tt.path)) {
				t.Fatalf("the kernel shows no %s in\n%s", tt.path, data)
			}
			got, ok := FromCgroupFile(data)
			if !ok || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("FromCgroupFile(%q) = %+v, %v; want %+v", data, got, ok, tt.want)
			}
		})
	}
}
