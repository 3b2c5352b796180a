package container

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"
)

// runtimeState is what a runtime's state file says of one container.
type runtimeState struct {
	ID          string
	Bundle      string            // the OCI bundle's directory on the host
	Annotations map[string]string // the OCI spec's annotations, nil if not in the state
	Cgroups     []string          // the container's cgroup paths, relative to the cgroup root
}

// parseRuncState reads runc's state.json (libcontainer State: "id",
// "config.labels", "cgroup_paths"). runc's specconv stores the spec's
// annotations as "KEY=VALUE" labels and appends "bundle=DIR"; cgroup_paths
// maps a controller ("" for cgroup v2) to the cgroup's directory under the
// cgroup mount.
func parseRuncState(data []byte) (runtimeState, error) {
	var s struct {
		ID     string `json:"id"`
		Config struct {
			Labels []string `json:"labels"`
		} `json:"config"`
		CgroupPaths map[string]string `json:"cgroup_paths"`
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return runtimeState{}, err
	}
	st := runtimeState{ID: s.ID}
	for _, label := range s.Config.Labels {
		k, v, _ := strings.Cut(label, "=")
		if k == "bundle" {
			st.Bundle = v
			continue
		}
		if st.Annotations == nil {
			st.Annotations = make(map[string]string)
		}
		st.Annotations[k] = v
	}
	for controller, dir := range s.CgroupPaths {
		st.Cgroups = append(st.Cgroups, cgroupRelative(controller, dir)...)
	}
	return st, nil
}

// cgroupMount is where runc finds the cgroup file systems.
const cgroupMount = "/sys/fs/cgroup"

// cgroupRelative turns a runc cgroup_paths entry into the path
// /proc/PID/cgroup shows: without the mount, and for a v1 controller
// without the controller's own directory (/sys/fs/cgroup/cpu,cpuacct/X is
// X). On a hybrid host runc records the unified hierarchy ("") under
// /sys/fs/cgroup/unified (seen with runc 1.1.5); that prefix cannot be told
// from a v2 cgroup named "unified", so both readings are returned.
func cgroupRelative(controller, dir string) []string {
	rest, ok := strings.CutPrefix(path.Clean(dir), cgroupMount+"/")
	if !ok {
		return nil
	}
	if controller == "" {
		if hybrid, ok := strings.CutPrefix(rest, "unified/"); ok {
			return []string{"/" + rest, "/" + hybrid}
		}
		return []string{"/" + rest}
	}
	if _, rest, ok = strings.Cut(rest, "/"); ok {
		return []string{"/" + rest}
	}
	return nil
}

// parseCrunStatus reads crun's RUNROOT/ID/status: "bundle" and
// "cgroup-path" (relative to the cgroup root). crun keeps no annotations
// there; they are in the bundle's config.json.
func parseCrunStatus(id string, data []byte) (runtimeState, error) {
	var s struct {
		Bundle string `json:"bundle"`
		Cgroup string `json:"cgroup-path"`
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return runtimeState{}, err
	}
	st := runtimeState{ID: id, Bundle: s.Bundle}
	if s.Cgroup != "" {
		st.Cgroups = []string{path.Clean("/" + s.Cgroup)}
	}
	return st, nil
}

// parseBundleAnnotations reads the "annotations" of an OCI bundle's
// config.json.
func parseBundleAnnotations(data []byte) (map[string]string, error) {
	var spec struct {
		Annotations map[string]string `json:"annotations"`
	}
	err := json.Unmarshal(data, &spec)
	return spec.Annotations, err
}

// dockerConfig is what nsview reads of moby's
// /var/lib/docker/containers/ID/config.v2.json: "Name" ("/" and the name)
// and the labels, where cri-dockerd keeps the Kubernetes names.
type dockerConfig struct {
	Name   string
	Labels map[string]string
}

func parseDockerConfig(data []byte) (dockerConfig, error) {
	var c struct {
		Name   string `json:"Name"`
		Config struct {
			Labels map[string]string `json:"Labels"`
		} `json:"Config"`
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return dockerConfig{}, err
	}
	return dockerConfig{Name: strings.TrimPrefix(c.Name, "/"), Labels: c.Config.Labels}, nil
}

// parseStorageContainers reads containers/storage's containers.json, the
// list of podman's and CRI-O's containers with their names, into a map
// from ID to first name.
func parseStorageContainers(data []byte) (map[string]string, error) {
	var list []struct {
		ID    string   `json:"id"`
		Names []string `json:"names"`
	}
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, err
	}
	names := make(map[string]string, len(list))
	for _, c := range list {
		if len(c.Names) > 0 {
			names[c.ID] = c.Names[0]
		}
	}
	return names, nil
}

// Annotation keys, from containerd internal/cri/annotations/annotations.go
// (set on every CRI container and sandbox), the kubelet labels that CRI-O
// and cri-dockerd copy into annotations or Docker labels, CRI-O's own
// (pkg/annotations), podman's manager annotation and nerdctl's name. As
// lxkns's decorator/kuhbernetes notes, under cri-dockerd (formerly
// dockershim) io.kubernetes.container.name is the user's container name and
// Docker's own name is the runtime's k8s_… composite.
const (
	criContainerType = "io.kubernetes.cri.container-type"
	criContainerName = "io.kubernetes.cri.container-name"
	criSandboxName   = "io.kubernetes.cri.sandbox-name"
	criSandboxNS     = "io.kubernetes.cri.sandbox-namespace"
	criSandboxUID    = "io.kubernetes.cri.sandbox-uid"
	criSandboxID     = "io.kubernetes.cri.sandbox-id"

	kubeContainerName = "io.kubernetes.container.name"
	kubePodName       = "io.kubernetes.pod.name"
	kubePodNamespace  = "io.kubernetes.pod.namespace"
	kubePodUID        = "io.kubernetes.pod.uid"
	crioContainerType = "io.kubernetes.cri-o.ContainerType"
	crioSandboxID     = "io.kubernetes.cri-o.SandboxID"
	dockerType        = "io.kubernetes.docker.type" // cri-dockerd: "podsandbox" or "container"

	containerManager = "io.container.manager" // "libpod" (podman) or "cri-o"
	nerdctlName      = "nerdctl/name"
)

// applyAnnotations fills in c's runtime, name and pod from a container's
// annotations (or Docker labels), where they say more than c does.
func applyAnnotations(c *Container, a map[string]string) {
	if len(a) == 0 {
		return
	}
	switch {
	case a[criContainerType] != "":
		c.Sandbox = a[criContainerType] == "sandbox"
		setName(c, a[criContainerName])
		setPod(c, a[criSandboxName], a[criSandboxNS], a[criSandboxUID])
	case a[kubePodName] != "":
		c.Sandbox = a[crioContainerType] == "sandbox" || a[dockerType] == "podsandbox"
		if !c.Sandbox {
			setName(c, a[kubeContainerName])
		}
		setPod(c, a[kubePodName], a[kubePodNamespace], a[kubePodUID])
	}
	setName(c, a[nerdctlName])
	if c.Runtime == RuntimeUnknown || c.Runtime == RuntimeRunc || c.Runtime == RuntimeCrun {
		switch {
		case a[containerManager] == "libpod":
			c.Runtime = RuntimePodman
		case a[containerManager] == "cri-o" || a[crioSandboxID] != "":
			c.Runtime = RuntimeCRIO
		case a[criContainerType] != "":
			c.Runtime = RuntimeContainerd
		}
	}
}

func setName(c *Container, name string) {
	if c.Name == "" && validName(name) {
		c.Name = name
	}
}

// setPod records the pod's name, namespace and UID, keeping a UID read
// from the cgroup path. It copies the Pod, which may be shared.
func setPod(c *Container, name, namespace, uid string) {
	if name == "" && uid == "" {
		return
	}
	pod := Pod{Name: orEmpty(name), Namespace: orEmpty(namespace), UID: orEmpty(uid)}
	if c.Pod != nil && c.Pod.UID != "" {
		pod.UID = c.Pod.UID
	}
	c.Pod = &pod
}

// stateError says which state file could not be used.
func stateError(file string, err error) error {
	return fmt.Errorf("container state %s: %w", file, err)
}

// orEmpty is s if it is a valid name, else "".
func orEmpty(s string) string {
	if validName(s) {
		return s
	}
	return ""
}
