package enginetest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Where containerd's CRI plugin (namespace k8s.io) keeps runc state and
// bundles, and the CRI annotations it writes into each config.json.
const (
	KubeRuncRoot  = "/run/containerd/runc/k8s.io"
	KubeBundleDir = "/run/containerd/io.containerd.runtime.v2.task/k8s.io"

	AnnotationContainerType    = "io.kubernetes.cri.container-type"
	AnnotationContainerName    = "io.kubernetes.cri.container-name"
	AnnotationImageName        = "io.kubernetes.cri.image-name"
	AnnotationSandboxID        = "io.kubernetes.cri.sandbox-id"
	AnnotationSandboxName      = "io.kubernetes.cri.sandbox-name"
	AnnotationSandboxNamespace = "io.kubernetes.cri.sandbox-namespace"
	AnnotationSandboxUID       = "io.kubernetes.cri.sandbox-uid"
	AnnotationSandboxLogDir    = "io.kubernetes.cri.sandbox-log-directory"
	ContainerTypeSandbox       = "sandbox"
	ContainerTypeContainer     = "container"
)

const (
	kubeImage        = "docker.io/library/busybox:latest"
	kubeDefaultQoS   = "besteffort"
	kubeCgroupParent = "/kubepods"
	kubeLogRoot      = "/var/log/pods"
)

// KubeOpts names a pod and its one container. Pod, Namespace, UID and
// Container are required; QoS defaults to "besteffort".
type KubeOpts struct {
	Pod, Namespace, UID, Container, QoS string
}

// KubePod is a pod as containerd's CRI plugin runs it with the cgroupfs
// driver: a sandbox (pause) container holding the pod's network, IPC and
// UTS namespaces, and an app container that joins them, both in
// /kubepods/QOS/pod<UID>.
type KubePod struct {
	Sandbox, App *Container
	CgroupParent string // the pod's cgroup, /kubepods/QOS/pod<UID>
}

// KubeRunc runs a Kubernetes-shaped pod with runc under containerd's k8s.io
// state root, with the CRI annotations and kubepods cgroups containerd
// leaves behind. When the test ends, both containers are deleted by ID and
// their bundles and the pod's cgroup removed.
func KubeRunc(t testing.TB, opts KubeOpts) *KubePod {
	t.Helper()
	requireTools(t, "runc")
	if opts.Pod == "" || opts.Namespace == "" || opts.UID == "" || opts.Container == "" {
		t.Fatalf("KubeRunc: Pod, Namespace, UID and Container are all needed: %+v", opts)
	}
	if opts.QoS == "" {
		opts.QoS = kubeDefaultQoS
	}
	pod := &KubePod{CgroupParent: fmt.Sprintf("%s/%s/pod%s", kubeCgroupParent, opts.QoS, opts.UID)}
	t.Cleanup(func() { removeCgroup(t, pod.CgroupParent) })
	sandboxID := hexID()
	pod.Sandbox = kubeContainer(t, pod, sandboxID, nil, opts.sandboxAnnotations(sandboxID))
	pod.Sandbox.Name = opts.Pod
	join := map[string]string{}
	for _, ns := range []string{"network", "ipc", "uts"} {
		join[ns] = fmt.Sprintf("/proc/%d/ns/%s", pod.Sandbox.InitPID, procNSName(ns))
	}
	pod.App = kubeContainer(t, pod, hexID(), join, opts.appAnnotations(sandboxID))
	pod.App.Name = opts.Container
	return pod
}

// kubeContainer runs one container of the pod from a bundle under
// KubeBundleDir, removed when the test ends.
func kubeContainer(t testing.TB, pod *KubePod, id string, join, annotations map[string]string) *Container {
	t.Helper()
	bundle := filepath.Join(KubeBundleDir, id)
	t.Cleanup(func() {
		if err := os.RemoveAll(bundle); err != nil {
			t.Logf("cleanup: %v", err)
		}
	})
	c := Runc(t, RuncOpts{
		ID: id, Root: KubeRuncRoot, Bundle: bundle,
		CgroupsPath: pod.CgroupParent + "/" + id,
		Annotations: annotations, Join: join,
	})
	c.Engine = "kube"
	return c
}

func (o KubeOpts) sandboxAnnotations(sandboxID string) map[string]string {
	return map[string]string{
		AnnotationContainerType:    ContainerTypeSandbox,
		AnnotationSandboxID:        sandboxID,
		AnnotationSandboxName:      o.Pod,
		AnnotationSandboxNamespace: o.Namespace,
		AnnotationSandboxUID:       o.UID,
		AnnotationSandboxLogDir:    filepath.Join(kubeLogRoot, o.Namespace+"_"+o.Pod+"_"+o.UID),
	}
}

func (o KubeOpts) appAnnotations(sandboxID string) map[string]string {
	return map[string]string{
		AnnotationContainerType:    ContainerTypeContainer,
		AnnotationContainerName:    o.Container,
		AnnotationImageName:        kubeImage,
		AnnotationSandboxID:        sandboxID,
		AnnotationSandboxName:      o.Pod,
		AnnotationSandboxNamespace: o.Namespace,
		AnnotationSandboxUID:       o.UID,
	}
}

// procNSName maps an OCI namespace type to its name under /proc/PID/ns.
func procNSName(ociType string) string {
	switch ociType {
	case "network":
		return "net"
	case "mount":
		return "mnt"
	}
	return ociType
}
