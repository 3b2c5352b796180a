package container

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkFromCgroup parses a Kubernetes container's cgroup path, the
// longest common form, once per process of a scan.
func BenchmarkFromCgroup(b *testing.B) {
	path := "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + uidSlice + ".slice/cri-containerd-" + id1 + ".scope"
	for b.Loop() {
		FromCgroup(path)
	}
}

// BenchmarkResolverScan is one scan's worth of naming: a fresh Resolver on
// a host with 200 containerd containers under Kubernetes, 10 processes
// each, so every state file and bundle is read once and then cached.
func BenchmarkResolverScan(b *testing.B) {
	root := b.TempDir()
	var cgroups []string
	for i := range 200 {
		id := fmt.Sprintf("%064x", i+1)
		bundle := "run/containerd/io.containerd.runtime.v2.task/k8s.io/" + id
		writeJSON(b, filepath.Join(root, "run/containerd/runc/k8s.io", id, "state.json"), map[string]any{
			"id": id, "config": map[string]any{"labels": []string{"bundle=/" + bundle}}})
		writeJSON(b, filepath.Join(root, bundle, "config.json"), map[string]any{"annotations": map[string]string{
			criContainerType: "container", criContainerName: "app", criSandboxName: fmt.Sprint("pod-", i),
			criSandboxNS: "default", criSandboxUID: uid}})
		cgroups = append(cgroups, "/kubepods/besteffort/pod"+uid+"/"+id)
	}
	host := os.DirFS(root)
	for b.Loop() {
		r := NewResolver(host)
		for range 10 {
			for _, cg := range cgroups {
				if _, ok := r.ForCgroup(cg); !ok {
					b.Fatal("not found")
				}
			}
		}
	}
}

func writeJSON(b *testing.B, name string, v any) {
	data, err := json.Marshal(v)
	if err == nil {
		err = os.MkdirAll(filepath.Dir(name), 0o755)
	}
	if err == nil {
		err = os.WriteFile(name, data, 0o644)
	}
	if err != nil {
		b.Fatal(err)
	}
}
