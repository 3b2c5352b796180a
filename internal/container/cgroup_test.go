package container

import (
	"reflect"
	"strings"
	"testing"
)

const (
	id1 = "4f797c539e6c745de61a93ca3ff892358ecbcaccd8414d5db545c38428142970"
	id2 = "9ec39b91f3d70e1beff50a308f77067065ea6be0d91a3378375056cd4422cf3d"
	uid = "aaaa2b4a-f398-41c0-928b-049e1cc4ec40"
	// uidSlice is uid as kubelet's systemd driver writes it in a slice name.
	uidSlice = "aaaa2b4a_f398_41c0_928b_049e1cc4ec40"
)

func TestFromCgroup(t *testing.T) {
	pod := &Pod{UID: uid}
	tests := []struct {
		name string
		path string
		want *Container // nil: not a container
	}{
		// Docker
		{"docker cgroupfs", "/docker/" + id1, &Container{Runtime: RuntimeDocker, ID: id1}},
		{"docker systemd", "/system.slice/docker-" + id1 + ".scope", &Container{Runtime: RuntimeDocker, ID: id1}},
		{"docker rootless", "/user.slice/user-1000.slice/user@1000.service/docker-" + id1 + ".scope", &Container{Runtime: RuntimeDocker, ID: id1}},
		{"docker child cgroup", "/docker/" + id1 + "/init.scope", &Container{Runtime: RuntimeDocker, ID: id1}},
		{"docker daemon itself", "/system.slice/docker.service", nil},
		{"docker short id", "/docker/4f797c539e6c", nil},
		// containerd
		{"ctr default namespace", "/default/redis", &Container{Runtime: RuntimeContainerd, ID: "redis"}},
		{"ctr k8s.io namespace", "/k8s.io/" + id1, &Container{Runtime: RuntimeContainerd, ID: id1}},
		{"cri-containerd scope", "/system.slice/cri-containerd-" + id1 + ".scope", &Container{Runtime: RuntimeContainerd, ID: id1}},
		{"nerdctl scope", "/system.slice/nerdctl-" + id1 + ".scope", &Container{Runtime: RuntimeContainerd, ID: id1}},
		{"containerd daemon", "/system.slice/containerd.service", nil},
		// Kubernetes, systemd driver
		{"k8s systemd containerd", "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + uidSlice + ".slice/cri-containerd-" + id1 + ".scope",
			&Container{Runtime: RuntimeContainerd, ID: id1, Pod: pod}},
		{"k8s systemd guaranteed", "/kubepods.slice/kubepods-pod" + uidSlice + ".slice/cri-containerd-" + id1 + ".scope",
			&Container{Runtime: RuntimeContainerd, ID: id1, Pod: pod}},
		{"k8s systemd crio", "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + uidSlice + ".slice/crio-" + id1 + ".scope",
			&Container{Runtime: RuntimeCRIO, ID: id1, Pod: pod}},
		{"k8s systemd cri-dockerd", "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + uidSlice + ".slice/docker-" + id1 + ".scope",
			&Container{Runtime: RuntimeDocker, ID: id1, Pod: pod}},
		{"k8s slice given to cgroupfs containerd", "/kubepods-besteffort-pod" + uidSlice + ".slice:cri-containerd:" + id1,
			&Container{Runtime: RuntimeContainerd, ID: id1, Pod: pod}},
		{"k8s static pod", "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0123456789abcdef0123456789abcdef.slice/cri-containerd-" + id1 + ".scope",
			&Container{Runtime: RuntimeContainerd, ID: id1, Pod: &Pod{UID: "0123456789abcdef0123456789abcdef"}}},
		{"kind node inside docker", "/system.slice/docker-" + id2 + ".scope/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod" + uidSlice + ".slice/cri-containerd-" + id1 + ".scope",
			&Container{Runtime: RuntimeContainerd, ID: id1, Pod: pod}},
		// Kubernetes, cgroupfs driver
		{"k8s cgroupfs besteffort", "/kubepods/besteffort/pod" + uid + "/" + id1, &Container{Runtime: RuntimeUnknown, ID: id1, Pod: pod}},
		{"k8s cgroupfs guaranteed", "/kubepods/pod" + uid + "/" + id1, &Container{Runtime: RuntimeUnknown, ID: id1, Pod: pod}},
		{"k8s cgroupfs crio", "/kubepods/burstable/pod" + uid + "/crio-" + id1, &Container{Runtime: RuntimeCRIO, ID: id1, Pod: pod}},
		{"k8s cgroupfs, seen from a pod's cgroup namespace", "/../../pod" + uid + "/" + id1, nil},
		{"k8s QoS slice", "/kubepods.slice/kubepods-besteffort.slice", nil},
		{"k8s pod slice without container", "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + uidSlice + ".slice", nil},
		{"k8s pod cgroupfs without container", "/kubepods/besteffort/pod" + uid, nil},
		{"pod-like name outside kubepods", "/pod" + uid + "/" + id1, nil},
		{"kubelet itself", "/system.slice/kubelet.service", nil},
		// CRI-O
		{"crio scope", "/machine.slice/crio-" + id1 + ".scope", &Container{Runtime: RuntimeCRIO, ID: id1}},
		{"crio conmon", "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + uidSlice + ".slice/crio-conmon-" + id1 + ".scope", nil},
		// Podman
		{"podman systemd", "/machine.slice/libpod-" + id1 + ".scope", &Container{Runtime: RuntimePodman, ID: id1}},
		{"podman systemd container child", "/machine.slice/libpod-" + id1 + ".scope/container", &Container{Runtime: RuntimePodman, ID: id1}},
		{"podman cgroupfs", "/libpod_parent/libpod-" + id1, &Container{Runtime: RuntimePodman, ID: id1}},
		{"podman split", "/user.slice/libpod-payload-" + id1, &Container{Runtime: RuntimePodman, ID: id1}},
		{"podman pod", "/machine.slice/machine-libpod_pod_" + id2 + ".slice/libpod-" + id1 + ".scope", &Container{Runtime: RuntimePodman, ID: id1}},
		{"podman rootless", "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + id1 + ".scope", &Container{Runtime: RuntimePodman, ID: id1}},
		{"podman conmon", "/machine.slice/libpod-conmon-" + id1 + ".scope", nil},
		// LXC
		{"lxc 4 payload", "/lxc.payload.web1", &Container{Runtime: RuntimeLXC, ID: "web1", Name: "web1"}},
		{"lxc 4 payload child", "/lxc.payload.web1/system.slice/cron.service", &Container{Runtime: RuntimeLXC, ID: "web1", Name: "web1"}},
		{"lxc 3 payload", "/lxc.payload/web1", &Container{Runtime: RuntimeLXC, ID: "web1", Name: "web1"}},
		{"lxc old", "/lxc/web1", &Container{Runtime: RuntimeLXC, ID: "web1", Name: "web1"}},
		{"lxc monitor", "/lxc.monitor.web1", nil},
		// systemd-nspawn
		{"nspawn machine scope", "/machine.slice/machine-deb\\x2dtest.scope", &Container{Runtime: RuntimeSystemdNspawn, ID: "deb\\x2dtest", Name: "deb-test"}},
		{"nspawn payload", "/machine.slice/systemd-nspawn@deb.service/payload", &Container{Runtime: RuntimeSystemdNspawn, ID: "deb", Name: "deb"}},
		{"nspawn service", "/machine.slice/systemd-nspawn@deb.service", &Container{Runtime: RuntimeSystemdNspawn, ID: "deb", Name: "deb"}},
		{"nspawn supervisor", "/machine.slice/systemd-nspawn@deb.service/supervisor", nil},
		{"libvirt VM", "/machine.slice/machine-qemu\\x2d1\\x2dubuntu.scope", nil},
		// runc, crun
		{"runc systemd default", "/system.slice/runc-mybox.scope", &Container{Runtime: RuntimeRunc, ID: "mybox"}},
		{"runc cgroupfs default: only a Resolver knows", "/mybox", nil},
		// Not containers
		{"root", "/", nil},
		{"empty", "", nil},
		{"init scope", "/init.scope", nil},
		{"user slice", "/user.slice/user-1000.slice", nil},
		{"session scope", "/user.slice/user-1000.slice/session-3.scope", nil},
		{"user manager", "/user.slice/user-1000.slice/user@1000.service/app.slice/dbus.service", nil},
		{"system service", "/system.slice/ssh.service", nil},
		{"two-level path", "/process_api/811eaff861c4462dbb66e8ec1cdd1f19", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := FromCgroup(tt.path)
			if tt.want == nil {
				if ok {
					t.Fatalf("FromCgroup(%q) = %+v, want no container", tt.path, got)
				}
				return
			}
			if !ok || !reflect.DeepEqual(got, *tt.want) {
				t.Fatalf("FromCgroup(%q) = %+v, %v; want %+v", tt.path, got, ok, *tt.want)
			}
			if tt.want.Pod != nil && *got.Pod != *tt.want.Pod {
				t.Fatalf("pod = %+v, want %+v", *got.Pod, *tt.want.Pod)
			}
		})
	}
}

func TestFromCgroupFile(t *testing.T) {
	tests := []struct {
		name, file string
		want       Container
		ok         bool
	}{
		{"v2", "0::/system.slice/docker-" + id1 + ".scope\n", Container{Runtime: RuntimeDocker, ID: id1}, true},
		{"v1 docker cgroupfs", strings.Join([]string{
			"12:pids:/docker/" + id1, "11:memory:/docker/" + id1, "1:name=systemd:/docker/" + id1, ""}, "\n"),
			Container{Runtime: RuntimeDocker, ID: id1}, true},
		{"v1 most specific hierarchy wins", strings.Join([]string{
			"4:memory:/kubepods/besteffort/pod" + uid,
			"3:cpu,cpuacct:/kubepods/besteffort/pod" + uid + "/" + id1,
			"1:name=systemd:/system.slice/containerd.service"}, "\n"),
			Container{Runtime: RuntimeUnknown, ID: id1, Pod: &Pod{UID: uid}}, true},
		{"hybrid", "1:name=systemd:/user.slice\n0::/machine.slice/libpod-" + id1 + ".scope\n", Container{Runtime: RuntimePodman, ID: id1}, true},
		{"host process", "0::/init.scope\n", Container{}, false},
		{"this machine's sandbox", "9:name=systemd:/\n4:memory:/process_api/811eaff861c4462dbb66e8ec1cdd1f19\n0::/\n", Container{}, false},
		{"garbage", "no colons here\n::\n", Container{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := FromCgroupFile([]byte(tt.file))
			if ok != tt.ok || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("FromCgroupFile = %+v, %v; want %+v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestUnescapeUnit(t *testing.T) {
	for in, want := range map[string]string{
		`deb\x2dtest`: "deb-test", `a\x2`: `a\x2`, `a\xzz`: `a\xzz`, `plain`: "plain", `\x41\x42`: "AB",
	} {
		if got := unescapeUnit(in); got != want {
			t.Errorf("unescapeUnit(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzFromCgroup checks what FromCgroup reports of any path: a non-empty ID
// that occurs in the path, and a pod UID that is either canonical
// (8-4-4-4-12, as a systemd slice's "_" are turned back) or text of the path.
func FuzzFromCgroup(f *testing.F) {
	f.Add("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + uidSlice + ".slice/cri-containerd-" + id1 + ".scope")
	f.Add("/kubepods/besteffort/pod" + uid + "/" + id1)
	f.Add("/kubepods-pod" + uidSlice + ".slice:crio:" + id1)
	f.Add("/docker/" + id1)
	f.Add("/machine.slice/machine-a\\x2db.scope")
	f.Add("/lxc.payload.x/lxc/y")
	f.Add("/default/x")
	f.Fuzz(func(t *testing.T, path string) {
		c, ok := FromCgroup(path)
		if !ok {
			if c != (Container{}) {
				t.Fatalf("FromCgroup(%q) = %+v with ok=false", path, c)
			}
			return
		}
		if c.ID == "" || !strings.Contains(path, c.ID) {
			t.Fatalf("FromCgroup(%q): ID %q not in the path", path, c.ID)
		}
		if c.Pod != nil && !strings.Contains(path, c.Pod.UID) &&
			!strings.Contains(path, strings.ReplaceAll(c.Pod.UID, "-", "_")) {
			t.Fatalf("FromCgroup(%q): pod UID %q not in the path", path, c.Pod.UID)
		}
		if c.Pod != nil && !validUID(c.Pod.UID) {
			t.Fatalf("FromCgroup(%q): pod UID %q is not a UID", path, c.Pod.UID)
		}
		if again, _ := FromCgroupFile([]byte("0::" + path)); !reflect.DeepEqual(again, c) && !strings.Contains(path, "\n") {
			t.Fatalf("FromCgroupFile(0::%q) = %+v, FromCgroup = %+v", path, again, c)
		}
	})
}
