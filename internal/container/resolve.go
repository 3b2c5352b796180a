package container

import (
	"encoding/json"
	"errors"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
)

// stateRoots are where runtimes keep one directory of state per container,
// in the order they are searched: an ID found in Docker's root is Docker's
// even if a plain runc root has it too.
var stateRoots = []struct {
	dir     string
	runtime Runtime
	perNS   bool // containerd: one more level, the containerd namespace
}{
	{"run/docker/runtime-runc/moby", RuntimeDocker, false},
	{"run/containerd/runc", RuntimeContainerd, true},
	{"run/runc", RuntimeRunc, false},
	{"run/crun", RuntimeCrun, false},
}

// The state file in a container's directory: runc's, else crun's (which
// containerd's shim also runs when told to use crun as its runc binary).
const (
	runcStateFile  = "state.json"
	crunStatusFile = "status"
)

// storageRoot holds containers/storage's per-driver container lists
// (overlay-containers/containers.json, vfs-containers/…) for root podman
// and CRI-O.
const storageRoot = "var/lib/containers/storage"

// stateFile is the directory that holds one container's runtime state.
type stateFile struct {
	dir     string
	runtime Runtime
}

// A Resolver names the containers FromCgroup finds and finds those whose
// cgroup path does not say, from the runtimes' files on the host. It reads
// every file through host, rooted at the host's /, at most once: make one
// Resolver per scan. A Resolver is safe for concurrent use.
type Resolver struct {
	host fs.FS

	mu           sync.Mutex
	files        map[string]stateFile     // container ID → its state file; nil until listed
	states       map[string]*runtimeState // container ID → parsed state (nil: unusable)
	byCgroup     map[string]string        // cgroup path → container ID; nil until built
	storage      map[string]string        // containers/storage ID → name; nil until read
	docker       []string                 // Docker's data roots; nil until needed (dockerRoots)
	findDockerds func() [][]byte          // see SetDockerDaemons; nil: search the host's /proc
	done         map[resolveKey]Container // what Resolve returned for an input
	problems     []error
}

// resolveKey is what Resolve's answer depends on: the runtime FromCgroup
// saw (files may refine it) and the ID.
type resolveKey struct {
	runtime Runtime
	id      string
}

// NewResolver returns a Resolver that reads the host's files from host,
// e.g. os.DirFS(HostRoot(procRoot)). Absolute symbolic links inside host
// resolve against nsview's own root, so only the paths listed in the
// package documentation are read, none through /var/run.
func NewResolver(host fs.FS) *Resolver {
	return &Resolver{host: host, done: make(map[resolveKey]Container), states: make(map[string]*runtimeState)}
}

// ForCgroup returns the container whose processes are in the cgroup path
// (as in /proc/PID/cgroup), named as far as the host's files allow: first
// by FromCgroup, else by the cgroup paths runtimes recorded (runc and crun
// with a path of their own, ctr in any namespace).
func (r *Resolver) ForCgroup(cgroup string) (Container, bool) {
	if c, ok := FromCgroup(cgroup); ok {
		return r.Resolve(c), true
	}
	return r.recorded([]string{cgroup})
}

// ForCgroupFile is ForCgroup over the lines of /proc/PID/cgroup, as
// FromCgroupFile; on a cgroup v1 host it sees containers in whichever
// hierarchy shows them.
func (r *Resolver) ForCgroupFile(data []byte) (Container, bool) {
	paths := cgroupPaths(data)
	if c, ok := fromCgroupPaths(paths); ok {
		return r.Resolve(c), true
	}
	return r.recorded(paths)
}

// recorded returns the container whose runtime recorded one of the cgroup
// paths (or an ancestor) as its own.
func (r *Resolver) recorded(cgroups []string) (Container, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, cgroup := range cgroups {
		if id := r.containerInCgroup(cgroup); id != "" {
			return r.resolve(Container{Runtime: r.files[id].runtime, ID: id}), true
		}
	}
	return Container{}, false
}

// Resolve fills in what the host's files say of c: the runtime where the
// cgroup left it unknown, the name, the pod's name and namespace. What
// cannot be read is left as it was and reported by Problems.
func (r *Resolver) Resolve(c Container) Container {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.resolve(c)
}

// Problems lists the runtime files that exist but could not be read or
// parsed, one error each.
func (r *Resolver) Problems() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.problems...)
}

func (r *Resolver) resolve(c Container) Container {
	key := resolveKey{c.Runtime, c.ID}
	if done, ok := r.done[key]; ok {
		return done
	}
	r.listStates()
	file, known := r.files[c.ID]
	if c.Runtime == RuntimeUnknown && known {
		c.Runtime = file.runtime
	}
	if st := r.state(c.ID); st != nil {
		applyAnnotations(&c, r.annotations(st))
	}
	switch c.Runtime {
	case RuntimeDocker:
		r.applyDocker(&c)
	case RuntimePodman, RuntimeCRIO:
		setName(&c, r.storageName(c.ID))
	case RuntimeRunc, RuntimeCrun, RuntimeContainerd:
		if !isFullID(c.ID) && !c.Sandbox {
			setName(&c, c.ID) // runc run NAME, ctr run IMAGE NAME: the ID is the name
		}
	}
	r.done[key] = c
	return c
}

// listStates finds every container directory under the state roots, once.
func (r *Resolver) listStates() {
	if r.files != nil {
		return
	}
	r.files = make(map[string]stateFile)
	for _, root := range stateRoots {
		dirs := []string{root.dir}
		if root.perNS {
			dirs = nil
			for _, ns := range r.subdirs(root.dir) {
				dirs = append(dirs, path.Join(root.dir, ns))
			}
		}
		for _, dir := range dirs {
			for _, id := range r.subdirs(dir) {
				if _, seen := r.files[id]; !seen {
					r.files[id] = stateFile{dir: path.Join(dir, id), runtime: root.runtime}
				}
			}
		}
	}
}

// subdirs lists the names of the directories in dir.
func (r *Resolver) subdirs(dir string) []string {
	entries, err := fs.ReadDir(r.host, dir)
	if err != nil {
		r.note(dir, err)
		return nil
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out
}

// state reads and parses a container's state file, once.
func (r *Resolver) state(id string) *runtimeState {
	if st, ok := r.states[id]; ok {
		return st
	}
	r.states[id] = nil
	file, ok := r.files[id]
	if !ok {
		return nil
	}
	name := path.Join(file.dir, runcStateFile)
	data, err := fs.ReadFile(r.host, name)
	if errors.Is(err, fs.ErrNotExist) {
		name = path.Join(file.dir, crunStatusFile)
		data, err = fs.ReadFile(r.host, name)
	}
	if err != nil {
		r.note(name, err)
		return nil
	}
	var st runtimeState
	if path.Base(name) == crunStatusFile {
		st, err = parseCrunStatus(id, data)
	} else {
		st, err = parseRuncState(data)
	}
	if err != nil {
		r.note(name, err)
		return nil
	}
	r.states[id] = &st
	return &st
}

// annotations returns the state's annotations, reading the bundle's
// config.json (once) when the state does not carry them.
func (r *Resolver) annotations(st *runtimeState) map[string]string {
	if st.Annotations != nil || st.Bundle == "" {
		return st.Annotations
	}
	st.Annotations = map[string]string{} // read once, even if it fails
	file := strings.TrimPrefix(path.Clean(path.Join(st.Bundle, "config.json")), "/")
	data, err := fs.ReadFile(r.host, file)
	if err != nil {
		r.note(file, err)
		return nil
	}
	a, err := parseBundleAnnotations(data)
	if err != nil {
		r.note(file, err)
		return nil
	}
	if a != nil {
		st.Annotations = a
	}
	return a
}

// applyDocker names a Docker container from its config.v2.json, under
// the default data root or, when it is not there, another daemon's.
func (r *Resolver) applyDocker(c *Container) {
	if !isFullID(c.ID) {
		return
	}
	var file string
	var data []byte
	err := fs.ErrNotExist
	for _, root := range r.dockerRoots(c.ID) {
		file = root + "/containers/" + c.ID + "/config.v2.json"
		if data, err = fs.ReadFile(r.host, file); !errors.Is(err, fs.ErrNotExist) {
			break
		}
	}
	if err != nil {
		r.note(file, err)
		return
	}
	cfg, err := parseDockerConfig(data)
	if err != nil {
		r.note(file, err)
		return
	}
	applyAnnotations(c, cfg.Labels)
	if c.Pod == nil {
		setName(c, cfg.Name) // under Kubernetes, the name is k8s_CONTAINER_POD_…
	}
}

// defaultDockerRoot is where Docker keeps its data unless told otherwise.
const defaultDockerRoot = "var/lib/docker"

// dockerRoots are the data roots to look for container id in: the
// default, and once it lacks the container, those that /etc/docker/
// daemon.json and the running daemons' command lines (--data-root, -g,
// --config-file) name, read once from the host's files and either
// SetDockerDaemons or the host's /proc.
func (r *Resolver) dockerRoots(id string) []string {
	if r.docker != nil {
		return r.docker
	}
	if _, err := fs.Stat(r.host, defaultDockerRoot+"/containers/"+id); err == nil {
		return []string{defaultDockerRoot}
	}
	r.docker = []string{defaultDockerRoot}
	add := func(dir string) {
		if dir = strings.TrimPrefix(path.Clean("/"+dir), "/"); dir != "" && !slices.Contains(r.docker, dir) {
			r.docker = append(r.docker, dir)
		}
	}
	add(r.daemonConfigRoot("etc/docker/daemon.json"))
	for _, args := range r.dockerdCommandLines() {
		root, config := DockerdRoots(args)
		add(root)
		add(r.daemonConfigRoot(config))
	}
	return r.docker
}

// SetDockerDaemons gives the resolver a way to the contents of
// /proc/PID/cmdline of every running dockerd, for a caller that has
// looked at every process already (a scan): the resolver then need not
// look for them in the host's /proc. It calls find at most once, and only
// when a Docker container is missing from the default data root. Call it
// before resolving anything.
func (r *Resolver) SetDockerDaemons(find func() [][]byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.findDockerds = find
}

// dockerdCommandLines returns the running dockerd processes' arguments:
// those SetDockerDaemons finds, else those found in the host's /proc.
func (r *Resolver) dockerdCommandLines() [][]string {
	var cmdlines [][]byte
	if r.findDockerds != nil {
		cmdlines = r.findDockerds()
	} else {
		procs, _ := fs.ReadDir(r.host, "proc")
		for _, p := range procs {
			comm, err := fs.ReadFile(r.host, "proc/"+p.Name()+"/comm")
			if err != nil || string(comm) != "dockerd\n" {
				continue
			}
			cmdline, _ := fs.ReadFile(r.host, "proc/"+p.Name()+"/cmdline")
			cmdlines = append(cmdlines, cmdline)
		}
	}
	found := make([][]string, 0, len(cmdlines))
	for _, cmdline := range cmdlines {
		found = append(found, splitCmdline(cmdline))
	}
	return found
}

// splitCmdline splits the contents of /proc/PID/cmdline into arguments.
func splitCmdline(cmdline []byte) []string {
	return strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
}

// daemonConfigRoot is the data-root a dockerd configuration file names;
// "" when there is none or the file cannot be read.
func (r *Resolver) daemonConfigRoot(file string) string {
	if file == "" {
		return ""
	}
	data, err := fs.ReadFile(r.host, strings.TrimPrefix(path.Clean("/"+file), "/"))
	if err != nil {
		return ""
	}
	var cfg struct {
		DataRoot string `json:"data-root"`
	}
	if json.Unmarshal(data, &cfg) != nil {
		return ""
	}
	return cfg.DataRoot
}

// DockerdRoots reads a dockerd command line for its data root (--data-root,
// or the old -g/--graph) and its configuration file (--config-file); ""
// for each that it does not give.
func DockerdRoots(args []string) (dataRoot, configFile string) {
	for i := 0; i < len(args); i++ {
		name, value, inline := strings.Cut(args[i], "=")
		if !inline {
			if i+1 == len(args) {
				break // a flag without its value
			}
			value = args[i+1]
		}
		switch name {
		case "--data-root", "-g", "--graph":
			dataRoot = value
		case "--config-file":
			configFile = value
		default:
			continue
		}
		if !inline {
			i++
		}
	}
	return dataRoot, configFile
}

// storageName returns podman's or CRI-O's name for a container from
// containers/storage, reading its lists once.
func (r *Resolver) storageName(id string) string {
	if r.storage == nil {
		r.storage = make(map[string]string)
		for _, dir := range r.subdirs(storageRoot) {
			if !strings.HasSuffix(dir, "-containers") {
				continue
			}
			file := path.Join(storageRoot, dir, "containers.json")
			data, err := fs.ReadFile(r.host, file)
			if err != nil {
				r.note(file, err)
				continue
			}
			names, err := parseStorageContainers(data)
			if err != nil {
				r.note(file, err)
				continue
			}
			for k, v := range names {
				r.storage[k] = v
			}
		}
	}
	return r.storage[id]
}

// containerInCgroup returns the ID of the container whose recorded cgroup
// is cgroup or one of its ancestors, the deepest if several. It reads every
// state file the first time.
func (r *Resolver) containerInCgroup(cgroup string) string {
	if r.byCgroup == nil {
		r.listStates()
		r.byCgroup = make(map[string]string)
		for id := range r.files {
			if st := r.state(id); st != nil {
				for _, cg := range st.Cgroups {
					r.byCgroup[cg] = id
				}
			}
		}
	}
	for p := path.Clean("/" + cgroup); p != "/"; p = path.Dir(p) {
		if id, ok := r.byCgroup[p]; ok {
			return id
		}
	}
	return ""
}

// note records a file that exists but could not be used. A missing file
// is the normal case of a runtime that is not installed.
func (r *Resolver) note(file string, err error) {
	if !errors.Is(err, fs.ErrNotExist) {
		r.problems = append(r.problems, stateError(file, err))
	}
}
