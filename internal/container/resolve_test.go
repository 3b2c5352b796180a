package container

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
)

const (
	idK8s     = "1111111111111111111111111111111111111111111111111111111111111111"
	idSandbox = "2222222222222222222222222222222222222222222222222222222222222222"
	idDocker  = "3333333333333333333333333333333333333333333333333333333333333333"
	idPodman  = "5555555555555555555555555555555555555555555555555555555555555555"
	idCRIO    = "6666666666666666666666666666666666666666666666666666666666666666"
	idKubeDkr = "7777777777777777777777777777777777777777777777777777777777777777"
)

// host lays out, under a temporary directory, the files the runtimes leave
// on a host, in their real formats (runc's state.json with labels and
// cgroup_paths, crun's status, OCI config.json, moby's config.v2.json,
// containers/storage's containers.json).
func host(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	write := func(name string, v any) {
		data, ok := v.(string)
		if !ok {
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			data = string(b)
		}
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	runcState := func(id string, labels []string, cgroups map[string]string) map[string]any {
		return map[string]any{
			"id": id, "init_process_pid": 4242, "created": "2026-11-23T20:00:00Z",
			"config":       map[string]any{"labels": labels, "cgroups": map[string]any{"path": ""}},
			"cgroup_paths": cgroups,
		}
	}
	// runc run mybox, cgroupfs driver, cgroup v2: cgroup /mybox.
	write("run/runc/mybox/state.json", runcState("mybox", []string{"bundle=/srv/mybox"},
		map[string]string{"": "/sys/fs/cgroup/mybox"}))
	// A Kubernetes container through containerd, annotations only in the bundle.
	bundle := "/run/containerd/io.containerd.runtime.v2.task/k8s.io/" + idK8s
	write("run/containerd/runc/k8s.io/"+idK8s+"/state.json", runcState(idK8s, []string{"bundle=" + bundle}, nil))
	write(bundle[1:]+"/config.json", map[string]any{"ociVersion": "1.2.0", "annotations": map[string]string{
		criContainerType: "container", criContainerName: "nginx", criSandboxName: "web-0",
		criSandboxNS: "prod", criSandboxUID: uid, criSandboxID: idSandbox}})
	// Its pod's sandbox, annotations as runc keeps them, in the labels.
	write("run/containerd/runc/k8s.io/"+idSandbox+"/state.json", runcState(idSandbox, []string{
		criContainerType + "=sandbox", criSandboxName + "=web-0", criSandboxNS + "=prod",
		criSandboxUID + "=" + uid, "bundle=/run/containerd/io.containerd.runtime.v2.task/k8s.io/" + idSandbox}, nil))
	// ctr -n build run IMAGE job1, cgroup v1: /build/job1.
	write("run/containerd/runc/build/job1/state.json", runcState("job1", []string{"bundle=/b/job1"}, map[string]string{
		"memory": "/sys/fs/cgroup/memory/build/job1", "cpu": "/sys/fs/cgroup/cpu,cpuacct/build/job1"}))
	// docker run --name happy_turing.
	write("run/docker/runtime-runc/moby/"+idDocker+"/state.json", runcState(idDocker, []string{"bundle=/b"}, nil))
	write("var/lib/docker/containers/"+idDocker+"/config.v2.json", map[string]any{
		"ID": idDocker, "Name": "/happy_turing", "Config": map[string]any{"Labels": map[string]string{}}})
	// A Kubernetes container through cri-dockerd.
	write("var/lib/docker/containers/"+idKubeDkr+"/config.v2.json", map[string]any{
		"ID": idKubeDkr, "Name": "/k8s_app_api-1_prod_" + uid + "_0", "Config": map[string]any{"Labels": map[string]string{
			kubeContainerName: "app", kubePodName: "api-1", kubePodNamespace: "prod", kubePodUID: uid, dockerType: "container"}}})
	// podman run --name web with crun: crun's status, annotations in the bundle.
	write("run/crun/"+idPodman+"/status", map[string]any{"pid": 4343, "bundle": "/var/lib/containers/storage/overlay-containers/" + idPodman + "/userdata",
		"cgroup-path": "/machine.slice/libpod-" + idPodman + ".scope", "systemd-cgroup": true})
	write("var/lib/containers/storage/overlay-containers/"+idPodman+"/userdata/config.json",
		map[string]any{"annotations": map[string]string{containerManager: "libpod"}})
	write("var/lib/containers/storage/overlay-containers/containers.json", []map[string]any{
		{"id": idPodman, "names": []string{"web"}, "image": "abc"}, {"id": idCRIO, "names": []string{"k8s_db_db-0_data_x_0"}}})
	// CRI-O with runc: the kubelet's labels in the annotations.
	write("run/runc/"+idCRIO+"/state.json", runcState(idCRIO, []string{
		kubeContainerName + "=db", kubePodName + "=db-0", kubePodNamespace + "=data", kubePodUID + "=" + uid,
		crioSandboxID + "=" + idSandbox, "bundle=/run/containers/storage/overlay-containers/" + idCRIO + "/userdata"}, nil))
	// containerd's shim running crun: crun's status in containerd's root.
	write("run/containerd/runc/jobs/crunbox/status", map[string]any{"pid": 4444, "bundle": "/b/crunbox", "cgroup-path": "/jobs/crunbox"})
	// Unusable state.
	write("run/runc/broken/state.json", "{")
	return root
}

func TestResolver(t *testing.T) {
	podSlice := "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + uidSlice + ".slice/"
	prod := &Pod{Name: "web-0", Namespace: "prod", UID: uid}
	tests := []struct {
		name, cgroup string
		want         *Container
	}{
		{"runc, path of its own", "/mybox", &Container{Runtime: RuntimeRunc, ID: "mybox", Name: "mybox"}},
		{"runc, child cgroup", "/mybox/sub/deeper", &Container{Runtime: RuntimeRunc, ID: "mybox", Name: "mybox"}},
		{"k8s containerd, bundle annotations", "/kubepods/besteffort/pod" + uid + "/" + idK8s,
			&Container{Runtime: RuntimeContainerd, ID: idK8s, Name: "nginx", Pod: prod}},
		{"k8s sandbox", podSlice + "cri-containerd-" + idSandbox + ".scope",
			&Container{Runtime: RuntimeContainerd, ID: idSandbox, Sandbox: true, Pod: prod}},
		{"ctr in another namespace, v1", "/build/job1", &Container{Runtime: RuntimeContainerd, ID: "job1", Name: "job1"}},
		{"docker", "/system.slice/docker-" + idDocker + ".scope", &Container{Runtime: RuntimeDocker, ID: idDocker, Name: "happy_turing"}},
		{"cri-dockerd", podSlice + "docker-" + idKubeDkr + ".scope",
			&Container{Runtime: RuntimeDocker, ID: idKubeDkr, Name: "app", Pod: &Pod{Name: "api-1", Namespace: "prod", UID: uid}}},
		{"podman with crun", "/machine.slice/libpod-" + idPodman + ".scope", &Container{Runtime: RuntimePodman, ID: idPodman, Name: "web"}},
		{"cri-o with runc", podSlice + "crio-" + idCRIO + ".scope",
			&Container{Runtime: RuntimeCRIO, ID: idCRIO, Name: "db", Pod: &Pod{Name: "db-0", Namespace: "data", UID: uid}}},
		{"containerd running crun", "/jobs/crunbox", &Container{Runtime: RuntimeContainerd, ID: "crunbox", Name: "crunbox"}},
		{"lxc, nothing to read", "/lxc.payload.c1", &Container{Runtime: RuntimeLXC, ID: "c1", Name: "c1"}},
		{"docker without files", "/docker/" + id1, &Container{Runtime: RuntimeDocker, ID: id1}},
		{"host process", "/init.scope", nil},
		{"cgroup no runtime recorded", "/other", nil},
	}
	root := host(t)
	counter := &countingFS{FS: os.DirFS(root), opens: map[string]int{}}
	r := NewResolver(counter)
	for round := 0; round < 2; round++ { // the second round comes from the cache
		for _, tt := range tests {
			got, ok := r.ForCgroup(tt.cgroup)
			if tt.want == nil {
				if ok {
					t.Errorf("%s: ForCgroup(%q) = %+v, want none", tt.name, tt.cgroup, got)
				}
				continue
			}
			if !ok || !reflect.DeepEqual(got, *tt.want) {
				t.Errorf("%s: ForCgroup(%q) =\n %+v %+v\nwant\n %+v %+v", tt.name, tt.cgroup, got, got.Pod, *tt.want, tt.want.Pod)
			}
		}
	}
	for name, n := range counter.opens {
		if n > 1 {
			t.Errorf("%s opened %d times", name, n)
		}
	}
	problems := r.Problems()
	if len(problems) != 1 || !strings.Contains(problems[0].Error(), "run/runc/broken/state.json") {
		t.Errorf("Problems() = %v, want one about run/runc/broken/state.json", problems)
	}
}

func TestResolverCgroupFile(t *testing.T) {
	r := NewResolver(os.DirFS(host(t)))
	tests := []struct {
		file string
		want Container
		ok   bool
	}{
		{"5:memory:/build/job1\n1:name=systemd:/user.slice\n", Container{Runtime: RuntimeContainerd, ID: "job1", Name: "job1"}, true},
		{"0::/machine.slice/libpod-" + idPodman + ".scope\n", Container{Runtime: RuntimePodman, ID: idPodman, Name: "web"}, true},
		{"0::/user.slice\n", Container{}, false},
	}
	for _, tt := range tests {
		if got, ok := r.ForCgroupFile([]byte(tt.file)); ok != tt.ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ForCgroupFile(%q) = %+v, %v; want %+v, %v", tt.file, got, ok, tt.want, tt.ok)
		}
	}
}

// TestResolverConcurrent resolves from many goroutines at once, for the
// race detector.
func TestResolverConcurrent(t *testing.T) {
	r := NewResolver(os.DirFS(host(t)))
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, cg := range []string{"/mybox", "/machine.slice/libpod-" + idPodman + ".scope", "/build/job1"} {
				if _, ok := r.ForCgroup(cg); !ok {
					t.Errorf("ForCgroup(%q) found nothing", cg)
				}
			}
		}()
	}
	wg.Wait()
}

// TestResolverEmptyHost reads a host with no runtime at all: nothing
// found, nothing reported.
func TestResolverEmptyHost(t *testing.T) {
	r := NewResolver(os.DirFS(t.TempDir()))
	c := Container{Runtime: RuntimeDocker, ID: id1}
	if got := r.Resolve(c); !reflect.DeepEqual(got, c) {
		t.Errorf("Resolve = %+v, want %+v", got, c)
	}
	if _, ok := r.ForCgroup("/mybox"); ok {
		t.Error("ForCgroup found a container on an empty host")
	}
	if p := r.Problems(); len(p) != 0 {
		t.Errorf("Problems() = %v", p)
	}
}

// countingFS counts the opens of each file of a real file system.
type countingFS struct {
	fs.FS
	mu    sync.Mutex
	opens map[string]int
}

func (c *countingFS) Open(name string) (fs.File, error) {
	c.mu.Lock()
	c.opens[name]++
	c.mu.Unlock()
	return c.FS.Open(name)
}

func TestHostRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("NSVIEW_REQUIRE_NS") == "1" {
			t.Fatal("NSVIEW_REQUIRE_NS=1 but not root: /proc/N/root cannot be tested")
		}
		t.Skip("not root: /proc/N/root is not readable")
	}
	dir, err := HostRoot("/proc")
	if err != nil {
		t.Fatal(err)
	}
	// Ground truth from the kernel: this test runs in the host's mount
	// namespace when PID 1's is ours, and then the host root is our "/".
	if self, _ := os.Readlink("/proc/self/ns/mnt"); self != mustReadlink(t, "/proc/2/ns/mnt") {
		t.Skip("not in the host's mount namespace")
	}
	var got, want syscall.Stat_t
	if err := syscall.Stat(dir, &got); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Stat("/", &want); err != nil {
		t.Fatal(err)
	}
	if got.Dev != want.Dev || got.Ino != want.Ino {
		t.Errorf("HostRoot = %s (dev %d ino %d), / is dev %d ino %d", dir, got.Dev, got.Ino, want.Dev, want.Ino)
	}
	if _, err := HostRoot(t.TempDir()); err == nil {
		t.Error("HostRoot of an empty directory succeeded")
	}
}

func mustReadlink(t *testing.T, name string) string {
	t.Helper()
	s, err := os.Readlink(name)
	if err != nil {
		t.Skipf("%s: %v", name, err)
	}
	return s
}
