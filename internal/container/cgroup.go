package container

import (
	"slices"
	"strconv"
	"strings"
)

// The cgroup names recognised here come from:
//   - runc libcontainer/specconv/spec_linux.go: a systemd cgroupsPath is
//     "slice:prefix:name" and becomes the unit PREFIX-NAME.scope; with no
//     path the prefix is "runc"; the cgroupfs driver takes the path as is.
//   - kubelet pkg/kubelet/cm/cgroup_manager_linux.go: a pod's cgroup is
//     "pod"+UID under kubepods[/QOS]; the systemd driver writes it as
//     kubepods-QOS-podUID.slice with every "-" of the UID turned into "_".
//   - falco libsinsp container engines (cri.cpp, podman.cpp): the layouts
//     "/crio-ID", "/libpod-ID", "libpod-payload-ID" and the literal
//     ":cri-containerd:" that appears when kubelet uses systemd slices but
//     containerd the cgroupfs driver.
//   - containerd oci/spec.go: ctr's default cgroupsPath is "/NAMESPACE/ID".
//   - LXC: lxc.payload.NAME (4.0 and later), lxc.payload/NAME (3.x), lxc/NAME.
//   - systemd-nspawn and machined: machine-NAME.scope and
//     systemd-nspawn@NAME.service, with the supervisor in a "supervisor"
//     child cgroup and the container in "payload".

// scopePrefixes are the unit prefixes engines give container scopes,
// "PREFIX-ID.scope" (systemd driver) or "PREFIX-ID" (cgroupfs driver).
var scopePrefixes = []struct {
	prefix  string
	runtime Runtime
}{
	{"docker", RuntimeDocker},
	{"cri-containerd", RuntimeContainerd},
	{"crio", RuntimeCRIO},
	{"libpod", RuntimePodman},
	{"nerdctl", RuntimeContainerd},
	{"runc", RuntimeRunc},
}

// ctrNamespaces are containerd namespaces whose "/NAMESPACE/ID" cgroups are
// taken for ctr's. Other namespaces are found by a Resolver from the
// state files, since "/A/B" alone is too common a shape to guess from.
var ctrNamespaces = map[string]bool{"default": true, "k8s.io": true}

// FromCgroup recognises the container a process is in from one cgroup
// path, as in /proc/PID/cgroup. It returns the runtime, the ID and, inside
// a Kubernetes pod, the pod's UID (with a systemd slice's "_" turned back
// into "-"). When containers nest, the innermost is reported. The monitors
// (conmon, LXC's monitor, nspawn's supervisor) are not containers. FromCgroup
// does no I/O.
func FromCgroup(path string) (Container, bool) {
	c, _, ok := fromCgroup(path)
	return c, ok
}

// FromCgroupFile is FromCgroup over the lines of /proc/PID/cgroup: the
// unified line ("0::PATH") and every v1 hierarchy. Of the hierarchies that
// show a container, the one where it sits deepest wins.
func FromCgroupFile(data []byte) (Container, bool) {
	return fromCgroupPaths(cgroupPaths(data))
}

// fromCgroupPaths is FromCgroupFile over the paths of the file's lines.
func fromCgroupPaths(paths []string) (Container, bool) {
	var best Container
	bestDepth := -1
	for _, path := range paths {
		if c, depth, ok := fromCgroup(path); ok && depth > bestDepth {
			best, bestDepth = c, depth
		}
	}
	return best, bestDepth >= 0
}

// cgroupPaths returns the path of each line of /proc/PID/cgroup
// ("ID:CONTROLLERS:PATH").
func cgroupPaths(data []byte) []string {
	var paths []string
	for _, line := range strings.Split(string(data), "\n") {
		if fields := strings.SplitN(line, ":", 3); len(fields) == 3 {
			paths = append(paths, fields[2])
		}
	}
	return paths
}

// fromCgroup returns the innermost container in path and the index of the
// path component that names it.
func fromCgroup(path string) (Container, int, bool) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	for i := len(parts) - 1; i >= 0; i-- {
		if i+1 < len(parts) && parts[i+1] == "supervisor" {
			continue // systemd-nspawn's own process, beside the payload
		}
		if c, ok := fromComponent(parts, i); ok {
			return c, i, true
		}
	}
	return Container{}, 0, false
}

// fromComponent recognises parts[i] as a container's cgroup, looking at
// its parent parts[i-1] where the form needs it.
func fromComponent(parts []string, i int) (Container, bool) {
	seg, parent := parts[i], ""
	if i > 0 {
		parent = parts[i-1]
	}
	if c, ok := fromColonPath(seg); ok {
		return c, true
	}
	if c, ok := fromScope(seg); ok {
		c.Pod = podFromParent(parts[:i])
		return c, true
	}
	if c, ok := fromLXC(seg, parent); ok {
		return c, true
	}
	if c, ok := fromMachine(seg); ok {
		return c, true
	}
	if parent == "docker" && isFullID(seg) {
		return Container{Runtime: RuntimeDocker, ID: seg}, true
	}
	if pod := podFromParent(parts[:i]); pod != nil && isFullID(seg) {
		return Container{Runtime: RuntimeUnknown, ID: seg, Pod: pod}, true
	}
	if i == 1 && ctrNamespaces[parent] && validName(seg) {
		return Container{Runtime: RuntimeContainerd, ID: seg}, true
	}
	return Container{}, false
}

// fromScope recognises "PREFIX-ID.scope" and the cgroupfs "PREFIX-ID".
// Engines' IDs are 64 hex digits, which keeps out "crio-conmon-ID.scope"
// and "libpod-conmon-ID.scope"; runc's scope carries the name runc was given.
func fromScope(seg string) (Container, bool) {
	name, scope := strings.CutSuffix(seg, ".scope")
	for _, p := range scopePrefixes {
		id, ok := strings.CutPrefix(name, p.prefix+"-")
		if !ok {
			continue
		}
		if p.runtime == RuntimePodman {
			id = strings.TrimPrefix(id, "payload-") // podman --cgroups=split
		}
		if isFullID(id) || (p.runtime == RuntimeRunc && scope && validName(id)) {
			return Container{Runtime: p.runtime, ID: id}, true
		}
	}
	return Container{}, false
}

// fromColonPath recognises runc's systemd form "slice:prefix:name" taken
// literally as a path by a cgroupfs driver, as in
// "kubepods-besteffort-podUID.slice:cri-containerd:ID".
func fromColonPath(seg string) (Container, bool) {
	fields := strings.Split(seg, ":")
	if len(fields) != 3 {
		return Container{}, false
	}
	c, ok := fromScope(fields[1] + "-" + fields[2] + ".scope")
	if ok {
		c.Pod = podFromSlice(fields[0])
	}
	return c, ok
}

// fromLXC recognises lxc.payload.NAME, lxc.payload/NAME and lxc/NAME.
func fromLXC(seg, parent string) (Container, bool) {
	name, ok := strings.CutPrefix(seg, "lxc.payload.")
	if !ok && (parent == "lxc" || parent == "lxc.payload") {
		name, ok = seg, true
	}
	if !ok || !validName(name) {
		return Container{}, false
	}
	return Container{Runtime: RuntimeLXC, ID: name, Name: name}, true
}

// fromMachine recognises machined's machine-NAME.scope and
// systemd-nspawn@NAME.service. NAME is systemd-escaped; the ID keeps the
// escaped text and the name is unescaped. libvirt's VMs (machine-qemu-…)
// are not containers.
func fromMachine(seg string) (Container, bool) {
	raw, ok := cutAround(seg, "machine-", ".scope")
	if !ok {
		raw, ok = cutAround(seg, "systemd-nspawn@", ".service")
	}
	if !ok || !validName(raw) {
		return Container{}, false
	}
	name := unescapeUnit(raw)
	if strings.HasPrefix(name, "qemu-") {
		return Container{}, false
	}
	return Container{Runtime: RuntimeSystemdNspawn, ID: raw, Name: name}, true
}

// podFromParent returns the pod whose cgroup is the last of ancestors, if
// it is one inside kubelet's kubepods hierarchy.
func podFromParent(ancestors []string) *Pod {
	if len(ancestors) == 0 {
		return nil
	}
	last := ancestors[len(ancestors)-1]
	if pod := podFromSlice(last); pod != nil {
		return pod
	}
	uid, ok := strings.CutPrefix(last, "pod")
	if !ok || !validUID(uid) {
		return nil
	}
	for _, a := range ancestors[:len(ancestors)-1] {
		if strings.HasPrefix(a, "kubepods") {
			return &Pod{UID: uid}
		}
	}
	return nil
}

// podFromSlice reads a pod UID from kubelet's systemd slice,
// kubepods[-QOS]-podUID.slice, where the UID's "-" are written "_". A
// kubelet given another cgroup root prefixes it (kind: kubelet-kubepods-…).
func podFromSlice(seg string) *Pod {
	name, ok := strings.CutSuffix(seg, ".slice")
	i := strings.LastIndex(name, "-pod")
	if !ok || i < 0 || !slices.Contains(strings.Split(name[:i], "-"), "kubepods") {
		return nil
	}
	uid := strings.ReplaceAll(name[i+len("-pod"):], "_", "-")
	if !validUID(uid) {
		return nil
	}
	return &Pod{UID: uid}
}

// validUID accepts a pod UID: a UUID in its 8-4-4-4-12 form, or the 32 hex
// digits kubelet gives static pods (a hash of the manifest).
func validUID(s string) bool {
	if len(s) == 32 {
		return isHex(s)
	}
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch i {
		case 8, 13, 18, 23:
			if s[i] != '-' {
				return false
			}
		default:
			if !isHex(s[i : i+1]) {
				return false
			}
		}
	}
	return true
}

// validName accepts a runtime-chosen name or ID: not empty, not "." or
// "..", no control characters.
func validName(s string) bool {
	if s == "" || s == "." || s == ".." {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return false
		}
	}
	return true
}

// cutAround returns s without prefix and suffix, if it has both and
// something between them.
func cutAround(s, prefix, suffix string) (string, bool) {
	if len(s) <= len(prefix)+len(suffix) || !strings.HasPrefix(s, prefix) || !strings.HasSuffix(s, suffix) {
		return "", false
	}
	return s[len(prefix) : len(s)-len(suffix)], true
}

// unescapeUnit undoes systemd's unit name escaping of "\xHH" sequences
// (systemd-escape(1)): "foo\x2dbar" is "foo-bar".
func unescapeUnit(s string) string {
	if !strings.Contains(s, `\x`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && s[i+1] == 'x' {
			if v, err := strconv.ParseUint(s[i+2:i+4], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
