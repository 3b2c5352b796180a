package deploy

import (
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"
)

// chosenCapabilities is the capability set of the DaemonSet, the fewest
// that let nsview serve read every process of the host (see the comments
// in daemonset.yaml and TestImageReadsHost).
var chosenCapabilities = []corev1.Capability{"SYS_PTRACE"}

// agentPort is nsview serve's port (docs/serve.md).
const agentPort = 19110

// manifest is daemonset.yaml, decoded strictly into the Kubernetes types.
type manifest struct {
	namespace *corev1.Namespace
	daemonSet *appsv1.DaemonSet
}

// readManifest decodes every document of daemonset.yaml strictly (an
// unknown or duplicate field is an error) into the type its kind names.
func readManifest(t *testing.T) manifest {
	t.Helper()
	data, err := os.ReadFile("daemonset.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	for i, doc := range documents(data) {
		var meta metav1.TypeMeta
		if err := yaml.Unmarshal(doc, &meta); err != nil {
			t.Fatalf("daemonset.yaml, document %d: %v", i+1, err)
		}
		var obj any
		switch meta.APIVersion + " " + meta.Kind {
		case "v1 Namespace":
			m.namespace = &corev1.Namespace{}
			obj = m.namespace
		case "apps/v1 DaemonSet":
			m.daemonSet = &appsv1.DaemonSet{}
			obj = m.daemonSet
		default:
			t.Fatalf("daemonset.yaml, document %d: unexpected %s %s", i+1, meta.APIVersion, meta.Kind)
		}
		if err := decodeStrict(doc, obj); err != nil {
			t.Fatalf("daemonset.yaml, document %d (%s): %v", i+1, meta.Kind, err)
		}
	}
	if m.namespace == nil || m.daemonSet == nil {
		t.Fatal("daemonset.yaml: want a Namespace and a DaemonSet")
	}
	return m
}

// agentContainer returns the DaemonSet's one container.
func agentContainer(t *testing.T, ds *appsv1.DaemonSet) *corev1.Container {
	t.Helper()
	if n := len(ds.Spec.Template.Spec.Containers); n != 1 {
		t.Fatalf("the DaemonSet has %d containers, want 1", n)
	}
	return &ds.Spec.Template.Spec.Containers[0]
}

// flagValue returns the value that follows flag in args.
func flagValue(args []string, flag string) (string, bool) {
	i := slices.Index(args, flag)
	if i < 0 || i+1 >= len(args) {
		return "", false
	}
	return args[i+1], true
}

func TestDaemonSetNamespace(t *testing.T) {
	m := readManifest(t)
	if m.daemonSet.Namespace != m.namespace.Name {
		t.Errorf("the DaemonSet is in namespace %q, the manifest creates %q", m.daemonSet.Namespace, m.namespace.Name)
	}
	// hostPID and hostPath are beyond Pod Security's baseline level.
	if got := m.namespace.Labels["pod-security.kubernetes.io/enforce"]; got != "privileged" {
		t.Errorf("namespace %s enforces pod security level %q, want privileged", m.namespace.Name, got)
	}
	sel, err := metav1.LabelSelectorAsSelector(m.daemonSet.Spec.Selector)
	if err != nil {
		t.Fatal(err)
	}
	if !sel.Matches(labels.Set(m.daemonSet.Spec.Template.Labels)) {
		t.Errorf("the selector %s does not match the pod labels %v", sel, m.daemonSet.Spec.Template.Labels)
	}
}

func TestDaemonSetReadsHostProc(t *testing.T) {
	ds := readManifest(t).daemonSet
	pod := &ds.Spec.Template.Spec
	if !pod.HostPID {
		t.Error("hostPID is not set: /host/proc would list only the pod's processes")
	}
	if pod.HostNetwork {
		t.Error("hostNetwork is set: the agent needs only the host's PID namespace")
	}
	c := agentContainer(t, ds)
	proc, ok := flagValue(c.Args, "--proc")
	if !ok || proc != "/host/proc" {
		t.Errorf("args %q: want --proc /host/proc", c.Args)
	}
	mount := mountAt(c, proc)
	if mount == nil {
		t.Fatalf("nothing is mounted at %s", proc)
	}
	if !mount.ReadOnly {
		t.Errorf("%s is mounted read-write", proc)
	}
	vol := volume(pod, mount.Name)
	if vol == nil || vol.HostPath == nil || vol.HostPath.Path != "/proc" {
		t.Errorf("the volume mounted at %s is %+v, want the host path /proc", proc, vol)
	}
}

func TestDaemonSetSecurity(t *testing.T) {
	ds := readManifest(t).daemonSet
	pod := &ds.Spec.Template.Spec
	sc := agentContainer(t, ds).SecurityContext
	if sc == nil || sc.Capabilities == nil {
		t.Fatal("the container has no capabilities set")
	}
	if !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) {
		t.Errorf("capabilities drop %v, want [ALL]", sc.Capabilities.Drop)
	}
	if !slices.Equal(sc.Capabilities.Add, chosenCapabilities) {
		t.Errorf("capabilities add %v, want %v", sc.Capabilities.Add, chosenCapabilities)
	}
	if sc.Privileged != nil && *sc.Privileged {
		t.Error("the container is privileged")
	}
	if sc.RunAsUser == nil || *sc.RunAsUser != 0 {
		t.Errorf("runAsUser %v, want 0: Kubernetes gives added capabilities to root only", sc.RunAsUser)
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		t.Error("allowPrivilegeEscalation is not false")
	}
	if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		t.Error("readOnlyRootFilesystem is not true")
	}
	if seccomp := seccompProfile(pod.SecurityContext, sc); seccomp == nil || seccomp.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("seccomp profile %+v, want RuntimeDefault", seccomp)
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Error("the pod gets a service account token it never uses")
	}
}

func TestDaemonSetServesMetrics(t *testing.T) {
	ds := readManifest(t).daemonSet
	c := agentContainer(t, ds)
	listen, ok := flagValue(c.Args, "--listen")
	if !ok {
		t.Fatalf("args %q have no --listen", c.Args)
	}
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		t.Fatal(err)
	}
	// The pod IP, from the downward API: not every address of the pod.
	if host != "$(POD_IP)" || !envFromField(c, "POD_IP", "status.podIP") {
		t.Errorf("--listen %s: want $(POD_IP), with POD_IP from status.podIP", listen)
	}
	if port != strconv.Itoa(agentPort) {
		t.Errorf("--listen %s: want port %d", listen, agentPort)
	}
	annotations := ds.Spec.Template.Annotations
	want := map[string]string{"prometheus.io/scrape": "true", "prometheus.io/port": port, "prometheus.io/path": "/metrics"}
	for k, v := range want {
		if annotations[k] != v {
			t.Errorf("annotation %s is %q, want %q", k, annotations[k], v)
		}
	}
	if len(c.Ports) != 1 || strconv.Itoa(int(c.Ports[0].ContainerPort)) != port {
		t.Errorf("container ports %+v, want one, %s", c.Ports, port)
	}
	for name, probe := range map[string]*corev1.Probe{"liveness": c.LivenessProbe, "readiness": c.ReadinessProbe} {
		if err := checkHealthProbe(c, probe, port); err != nil {
			t.Errorf("%s probe: %v", name, err)
		}
	}
}

func TestDaemonSetResources(t *testing.T) {
	ds := readManifest(t).daemonSet
	res := agentContainer(t, ds).Resources
	for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, okReq := res.Requests[name]
		limit, okLimit := res.Limits[name]
		if !okReq || !okLimit {
			t.Errorf("%s: want a request and a limit, got %v and %v", name, res.Requests, res.Limits)
			continue
		}
		if req.Cmp(limit) > 0 {
			t.Errorf("%s: request %s above limit %s", name, req.String(), limit.String())
		}
	}
}

func TestDaemonSetRunsOnEveryNode(t *testing.T) {
	ds := readManifest(t).daemonSet
	pod := &ds.Spec.Template.Spec
	everything := slices.ContainsFunc(pod.Tolerations, func(tol corev1.Toleration) bool {
		return tol.Key == "" && tol.Operator == corev1.TolerationOpExists && tol.Effect == ""
	})
	if !everything {
		t.Errorf("tolerations %+v: want one that tolerates every taint", pod.Tolerations)
	}
	if pod.NodeSelector != nil || pod.Affinity != nil {
		t.Error("a node selector or affinity keeps the agent off some nodes")
	}
	if ds.Spec.UpdateStrategy.Type != appsv1.RollingUpdateDaemonSetStrategyType {
		t.Errorf("update strategy %s, want RollingUpdate", ds.Spec.UpdateStrategy.Type)
	}
}

// checkHealthProbe says what is wrong with probe, which should GET
// /healthz on the agent's port.
func checkHealthProbe(c *corev1.Container, probe *corev1.Probe, port string) error {
	if probe == nil || probe.HTTPGet == nil {
		return fmt.Errorf("not an HTTP GET")
	}
	get := probe.HTTPGet
	if get.Path != "/healthz" {
		return fmt.Errorf("path %s, want /healthz", get.Path)
	}
	got := get.Port.String()
	for _, p := range c.Ports {
		if p.Name != "" && p.Name == got {
			got = strconv.Itoa(int(p.ContainerPort))
		}
	}
	if got != port {
		return fmt.Errorf("port %s, want %s", get.Port.String(), port)
	}
	return nil
}

// mountAt returns c's volume mount at path, or nil.
func mountAt(c *corev1.Container, path string) *corev1.VolumeMount {
	for i := range c.VolumeMounts {
		if c.VolumeMounts[i].MountPath == path {
			return &c.VolumeMounts[i]
		}
	}
	return nil
}

// volume returns the pod's volume called name, or nil.
func volume(pod *corev1.PodSpec, name string) *corev1.Volume {
	for i := range pod.Volumes {
		if pod.Volumes[i].Name == name {
			return &pod.Volumes[i]
		}
	}
	return nil
}

// envFromField says whether c sets the variable name from the pod field.
func envFromField(c *corev1.Container, name, field string) bool {
	return slices.ContainsFunc(c.Env, func(e corev1.EnvVar) bool {
		return e.Name == name && e.ValueFrom != nil && e.ValueFrom.FieldRef != nil && e.ValueFrom.FieldRef.FieldPath == field
	})
}

// seccompProfile is the container's seccomp profile: its own, else the
// pod's.
func seccompProfile(pod *corev1.PodSecurityContext, c *corev1.SecurityContext) *corev1.SeccompProfile {
	if c != nil && c.SeccompProfile != nil {
		return c.SeccompProfile
	}
	if pod != nil {
		return pod.SeccompProfile
	}
	return nil
}
