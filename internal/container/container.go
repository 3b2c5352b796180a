package container

import "strings"

// Runtime names the engine or runtime that made a container.
type Runtime string

// The runtimes recognised. RuntimeUnknown is a container seen in a
// Kubernetes pod's cgroup under a bare ID, until a Resolver finds its state.
const (
	RuntimeUnknown       Runtime = ""
	RuntimeDocker        Runtime = "docker"
	RuntimePodman        Runtime = "podman"
	RuntimeContainerd    Runtime = "containerd"
	RuntimeCRIO          Runtime = "cri-o"
	RuntimeRunc          Runtime = "runc"
	RuntimeCrun          Runtime = "crun"
	RuntimeLXC           Runtime = "lxc"
	RuntimeSystemdNspawn Runtime = "systemd-nspawn"
)

// Pod is the Kubernetes pod a container belongs to. From a cgroup path only
// the UID is known; a Resolver adds the name and namespace.
type Pod struct {
	Name      string
	Namespace string
	UID       string
}

// Container is what is known of the container a process runs in.
type Container struct {
	Runtime Runtime
	// ID is the runtime's ID: 64 hex digits for Docker, podman, containerd
	// under Kubernetes and CRI-O; the name for LXC, runc, crun and ctr;
	// the (systemd-escaped) machine name for systemd-nspawn.
	ID string
	// Name is the name people use ("" if unknown): Docker's name without
	// its "/", the Kubernetes container name, podman's name.
	Name string
	// Sandbox is set for a Kubernetes pod's sandbox ("pause") container.
	Sandbox bool
	Pod     *Pod // nil outside Kubernetes
}

// ShortID is the ID cut to the 12 characters engines print.
func (c Container) ShortID() string {
	if len(c.ID) == 64 && isHex(c.ID) {
		return c.ID[:12]
	}
	return c.ID
}

// Label is how one word shows c: its name, or its short ID while it has
// none.
func (c Container) Label() string {
	if c.Name != "" {
		return c.Name
	}
	return c.ShortID()
}

// MatchesContainer reports whether query names c, as `-c ID-PREFIX|NAME`:
// the query is a prefix of the ID, or equals the name.
func (c Container) MatchesContainer(query string) bool {
	if query == "" {
		return false
	}
	return strings.HasPrefix(c.ID, query) || c.Name == query
}

// MatchesPod reports whether query names c's pod, as `--pod [NAMESPACE/]NAME`:
// "NAME" matches a pod of that name in any namespace, "NAMESPACE/NAME" one
// pod. A query equal to the pod's UID matches too.
func (c Container) MatchesPod(query string) bool {
	if c.Pod == nil || query == "" {
		return false
	}
	if query == c.Pod.UID {
		return true
	}
	if ns, name, ok := strings.Cut(query, "/"); ok {
		return ns == c.Pod.Namespace && name == c.Pod.Name
	}
	return query == c.Pod.Name
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return s != ""
}

// isFullID reports whether s is an engine's full ID: 64 lower-case hex digits.
func isFullID(s string) bool { return len(s) == 64 && isHex(s) }
